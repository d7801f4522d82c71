"""The public notices and 特困's spot checks as Excel workbooks, exports that can run as
background jobs (exports app). A posted list holds what the PDF holds — the name as
it was masked, household size and amount — never an ID number or an address; the
spot-check list is the county's own working list and names the applicant."""

from __future__ import annotations

from typing import IO

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import programs
from exports.kinds import ExportKind, ExportRefused, invalid_filters, register
from exports.xlsx import Progress, header, keyset_chunks, local_time, report_progress, streamed_workbook, text_cell
from regions.models import Region
from workflows.enrolment.models import NoticeKind

from .enrolment_case import notice_state
from .enrolment_forms import MONTH, NoticeFilterForm
from .enrolment_rows import filter_notices, visible_spot_checks

CHUNK = 2000


def write_notices(notices: QuerySet, out: IO[bytes], *, progress: Progress | None = None, total: int | None = None,
                  chunk: int | None = None) -> int:
    """One row per name on a posted list, newest list first; ``notices`` scoped to the user."""
    chunk = chunk or CHUNK
    if progress is not None and total is None:
        total = notices.count()
    labels = dict(NoticeKind.choices)

    now = timezone.now()
    done = 0
    rows = notices.defer("content").order_by("-pk")
    with streamed_workbook(out) as workbook:
        sheet = workbook.create_sheet(_("Public notices"))
        header(sheet, [_("Application"), _("Program"), _("Kind"), _("Round"), _("Village / community"),
                       _("Region code"), _("Posted at"), _("Ends at"), _("State"), _("Name (as posted)"),
                       _("People covered"), _("Monthly benefit (yuan)"), _("SHA-256")],
               (10, 16, 22, 6, 16, 14, 17, 17, 12, 12, 10, 14, 66))
        for batch in keyset_chunks(rows, lambda n: Q(pk__lt=n.pk), chunk):
            villages = dict(Region.objects.filter(code__in={n.region_code for n in batch})
                            .values_list("code", "name"))
            for notice in batch:
                program = programs.program(notice.program)
                for entry in notice.entries or [{}]:
                    sheet.append([
                        notice.application_id, text_cell(sheet, program.label if program else notice.program),
                        text_cell(sheet, labels.get(notice.kind, notice.kind)), notice.round,
                        text_cell(sheet, villages.get(notice.region_code, "")), text_cell(sheet, notice.region_code),
                        local_time(sheet, notice.starts_at),
                        local_time(sheet, notice.ends_at) if notice.ends_at else None,
                        text_cell(sheet, notice_state(notice, now)[1]), text_cell(sheet, entry.get("name", "")),
                        entry.get("household_size"), text_cell(sheet, entry.get("amount", "")),
                        text_cell(sheet, notice.sha256)])
            done += len(batch)
            report_progress(progress, done, total)
    return done


def notices(user, params: dict):
    form, rows = filter_notices(user, {k: v for k, v in params.items() if v not in ("", None, False)} or None)
    if form.is_bound and not form.is_valid():
        raise invalid_filters(form, _("The filters of this export are not valid: %(errors)s"))
    return rows


NOTICES = register(ExportKind(
    name="public_notices", label=gettext_lazy("Public notices"), permission="enrolment.view_publicnotice",
    audit_event="enrolment.notices.exported", filename="public-notices", select=notices, write=write_notices,
    list_url="notice_list",
))


def notice_params(form: NoticeFilterForm) -> dict:
    if not form.is_bound:
        return {"program": "", "kind": "", "running": ""}
    data = form.cleaned_data
    return {"program": data["program"], "kind": data["kind"], "running": "on" if data["running"] else ""}


# --- 特困's spot checks -----------------------------------------------------------------------------

def write_spot_checks(checks: QuerySet, out: IO[bytes], *, progress: Progress | None = None,
                      total: int | None = None, chunk: int | None = None) -> int:
    chunk = chunk or CHUNK
    if progress is not None and total is None:
        total = checks.count()
    done = 0
    rows = checks.select_related("application__applicant", "application__household__region", "drawn_by",
                                 "checked_by").order_by("pk")
    with streamed_workbook(out) as workbook:
        sheet = workbook.create_sheet(_("Spot checks"))
        header(sheet, [_("Month approved"), _("County"), _("Application"), _("Applicant"), _("Village / community"),
                       _("Amount approved (yuan)"), _("Drawn at"), _("Drawn by"), _("Checked at"), _("Finding")],
               (10, 14, 10, 12, 16, 14, 17, 12, 17, 40))
        for batch in keyset_chunks(rows, lambda c: Q(pk__gt=c.pk), chunk):
            for check in batch:
                case = check.application
                sheet.append([
                    text_cell(sheet, check.period), text_cell(sheet, check.county_code), case.pk,
                    text_cell(sheet, case.applicant.name), text_cell(sheet, case.household.region.name),
                    text_cell(sheet, case.amount_approved if case.amount_approved is not None else ""),
                    local_time(sheet, check.drawn_at), text_cell(sheet, check.drawn_by.display_name),
                    local_time(sheet, check.checked_at) if check.checked_at else None,
                    text_cell(sheet, check.finding)])
            done += len(batch)
            report_progress(progress, done, total)
    return done


def spot_checks(user, params: dict):
    period = params.get("period", "")
    if period and not MONTH.match(period):
        raise ExportRefused(_("Give the month as YYYY-MM."))
    return visible_spot_checks(user, period)


SPOT_CHECKS = register(ExportKind(
    name="spot_checks", label=gettext_lazy("Spot checks"), permission="enrolment.view_spotcheck",
    audit_event="tekun.spot_checks.exported", filename="spot-checks", select=spot_checks,
    write=write_spot_checks, list_url="spot_check_list",
))


def spot_check_params(period: str) -> dict:
    return {"period": period}


"""The township's changes (本乡镇变更) as an Excel workbook, an export that can run as a
background job: the payment schedule's entries of the user's region, with their reasons."""

from __future__ import annotations

from typing import IO

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import programs
from exports.kinds import ExportKind, invalid_filters, register
from exports.xlsx import Progress, header, keyset_chunks, local_time, report_progress, streamed_workbook, text_cell
from workflows.enrolment.models import BenefitKind

from .pages import township_filters

CHUNK = 2000


def write_changes(changes: QuerySet, out: IO[bytes], *, progress: Progress | None = None, total: int | None = None,
                  chunk: int | None = None) -> int:
    chunk = chunk or CHUNK
    if progress is not None and total is None:
        total = changes.count()
    kinds = dict(BenefitKind.choices)
    done = 0
    rows = changes.select_related("application__applicant", "application__household__region",
                                  "created_by").order_by("-pk")
    with streamed_workbook(out) as workbook:
        sheet = workbook.create_sheet(_("Benefit changes"))
        header(sheet, [_("Application"), _("Program"), _("Applicant"), _("Village / community"), _("Change"),
                       _("From month"), _("Monthly amount (yuan)"), _("Paid until (month)"), _("People covered"),
                       _("Reasons"), _("Decided in"), _("Decided by"), _("Decided at")],
               (10, 16, 12, 16, 14, 10, 14, 12, 10, 50, 16, 12, 17))
        for batch in keyset_chunks(rows, lambda c: Q(pk__lt=c.pk), chunk):
            for change in batch:
                case = change.application
                program = programs.program(change.program)
                sheet.append([
                    case.pk, text_cell(sheet, program.label if program else change.program),
                    text_cell(sheet, case.applicant.name), text_cell(sheet, case.household.region.name),
                    text_cell(sheet, kinds.get(change.kind, change.kind)), text_cell(sheet, f"{change.month:%Y-%m}"),
                    text_cell(sheet, f"{change.monthly_amount:.2f}"),
                    text_cell(sheet, f"{change.until_month:%Y-%m}" if change.until_month else ""),
                    change.household_size, text_cell(sheet, change.reason), text_cell(sheet, change.source),
                    text_cell(sheet, change.created_by.display_name if change.created_by else ""),
                    local_time(sheet, change.created_at)])
            done += len(batch)
            report_progress(progress, done, total)
    return done


def select_changes(user, params: dict):
    form, _reviews, changes = township_filters(user, {k: v for k, v in params.items() if v not in ("", None)} or None)
    if form.is_bound and not form.is_valid():
        raise invalid_filters(form, _("The filters of this export are not valid: %(errors)s"))
    return changes


TOWNSHIP_CHANGES = register(ExportKind(
    name="township_changes", label=gettext_lazy("Township changes"), permission="reviews.view_review",
    audit_event="reviews.changes.exported", filename="township-changes", select=select_changes,
    write=write_changes, list_url="township_changes",
))

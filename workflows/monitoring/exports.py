"""The early-warning list as an Excel workbook, an export that can run as a background
job (a city's first night is tens of thousands of warnings): the page's rows with its
filters, ID numbers of people not registered masked."""

from __future__ import annotations

from typing import IO

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exports.kinds import ExportKind, invalid_filters, register
from exports.xlsx import Progress, header, keyset_chunks, local_time, report_progress, streamed_workbook, text_cell

from .pages import warning_filters

CHUNK = 2000


def write_warnings(warnings: QuerySet, out: IO[bytes], *, progress: Progress | None = None,
                   total: int | None = None, chunk: int | None = None) -> int:
    chunk = chunk or CHUNK
    if progress is not None and total is None:
        total = warnings.count()
    done = 0
    rows = warnings.select_related("household__region", "entry", "done_by").prefetch_related(
        "household__members").order_by("-pk")
    with streamed_workbook(out) as workbook:
        sheet = workbook.create_sheet(_("Early warnings"))
        header(sheet, [_("No."), _("Rule"), _("Household or person"), _("Village / community"), _("Why"),
                       _("Raised at"), _("Due"), _("Status"), _("Outcome"), _("Reason or note"),
                       _("Followed up by"), _("Followed up at")],
               (8, 30, 22, 16, 60, 17, 17, 10, 18, 40, 12, 17))
        for batch in keyset_chunks(rows, lambda w: Q(pk__lt=w.pk), chunk):
            for warning in batch:
                if warning.household is not None:
                    who, place = str(warning.household), warning.household.region.name
                else:
                    who = f"{warning.entry.name} {warning.entry.masked_id}" if warning.entry else ""
                    place = warning.region_code
                sheet.append([
                    warning.pk, text_cell(sheet, warning.get_rule_display()), text_cell(sheet, who),
                    text_cell(sheet, place), text_cell(sheet, warning.reason), local_time(sheet, warning.raised_at),
                    local_time(sheet, warning.due_at), text_cell(sheet, warning.get_status_display()),
                    text_cell(sheet, warning.get_outcome_display() if warning.outcome else ""),
                    text_cell(sheet, warning.note),
                    text_cell(sheet, warning.done_by.display_name if warning.done_by else ""),
                    local_time(sheet, warning.done_at)])
            done += len(batch)
            report_progress(progress, done, total)
    return done


def select_warnings(user, params: dict):
    form, warnings, _show = warning_filters(user, {k: v for k, v in params.items() if v not in ("", None)} or None)
    if form.is_bound and not form.is_valid():
        raise invalid_filters(form, _("The filters of this export are not valid: %(errors)s"))
    return warnings


WARNINGS = register(ExportKind(
    name="early_warnings", label=gettext_lazy("Early warnings"), permission="monitoring.view_earlywarning",
    audit_event="monitoring.warnings.exported", filename="early-warnings", select=select_warnings,
    write=write_warnings, list_url="warning_list",
))

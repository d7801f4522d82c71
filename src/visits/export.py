"""Visit coverage and the not-visited list as Excel workbooks.

The not-visited list is written for a city's tens of thousands of visit plans as the
household roster is: plain values read a chunk at a time (keyset in the list's order,
one query per chunk whatever its size) and streamed into a file.
"""

from __future__ import annotations

import io
from typing import IO

from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from exports.xlsx import Progress, header, keyset_chunks, local_time, report_progress, streamed_workbook, text_cell
from regions.codes import Level
from registry.idnumber import mask
from staff.models import display_name

from . import coverage as reports
from .models import VisitPlan

CHUNK = 5000
NOT_VISITED_COLUMNS = ("pk", "last_visited_at", "started_at", "person__name", "person__id_number",
                       "household__region__name", "region_code", "household__address", "tier", "period",
                       "household__visit_pairing__cadre__last_name", "household__visit_pairing__cadre__first_name",
                       "household__visit_pairing__cadre__username")


def _coverage_sheet(workbook, data: reports.Coverage) -> None:
    sheet = workbook.create_sheet(_("Coverage"))
    header(sheet, [_("County / district") if data.level == Level.COUNTY else _("Township"), _("Region code"), _("Planned"), _("Done in window"), _("Missed"),
                   _("of which visited late"), _("Overdue now"), _("Window still open"), _("Done in window (%)")],
           (20, 15, 10, 12, 10, 12, 12, 12, 14))
    for row in [*data.rows, data.total]:
        name = row.name if row.code else _("Total")
        sheet.append([text_cell(sheet, name), text_cell(sheet, row.code), row.planned, row.done_in_window,
                      row.missed, row.done_late, row.overdue, row.still_open,
                      float(row.share) if row.share is not None else None])
    sheet.append([])
    sheet.append([text_cell(sheet, _("Month")), text_cell(sheet, date_format(data.month, "YEAR_MONTH_FORMAT"))])
    sheet.append([text_cell(sheet, _("Households with a plan but no paired cadre")), data.unpaired])


def _after(row) -> Q:
    """Plans after ``row`` in the list's order (reports.with_row_data): never visited
    first, then by the last visit, the plan's start and its number."""
    later_start = Q(started_at__gt=row.started_at) | Q(started_at=row.started_at, pk__gt=row.pk)
    if row.last_visited_at is None:
        return Q(last_visited_at__isnull=False) | (Q(last_visited_at__isnull=True) & later_start)
    return Q(last_visited_at__gt=row.last_visited_at) | (Q(last_visited_at=row.last_visited_at) & later_start)


def _not_visited_sheet(workbook, plans: QuerySet[VisitPlan], *, now, days: int, progress: Progress | None,
                       total: int | None, chunk: int) -> int:
    sheet = workbook.create_sheet(_("Not visited"))
    header(sheet, [_("Name"), _("ID number (masked)"), _("Village / community"), _("Region code"), _("Address"),
                   _("Tier"), _("Visit every"), _("Last visited"), _("Days without a visit"), _("Paired cadre")],
           (12, 22, 16, 15, 26, 10, 10, 17, 10, 14))
    tiers = {value: str(label) for value, label in VisitPlan._meta.get_field("tier").flatchoices}
    periods = {value: str(label) for value, label in VisitPlan._meta.get_field("period").flatchoices}
    # Named rows: reports.days_since reads them as it reads a plan.
    rows = reports.with_row_data(plans).values_list(*NOT_VISITED_COLUMNS, named=True)
    done = 0
    for chunk_rows in keyset_chunks(rows, _after, chunk):
        for plan in chunk_rows:
            cadre = plan.household__visit_pairing__cadre__username
            sheet.append([
                text_cell(sheet, plan.person__name), text_cell(sheet, mask(plan.person__id_number)),
                text_cell(sheet, plan.household__region__name), text_cell(sheet, plan.region_code),
                text_cell(sheet, plan.household__address), text_cell(sheet, tiers.get(plan.tier, plan.tier)),
                text_cell(sheet, periods.get(plan.period, plan.period)), local_time(sheet, plan.last_visited_at),
                reports.days_since(plan, now),
                text_cell(sheet, display_name(plan.household__visit_pairing__cadre__last_name,
                                              plan.household__visit_pairing__cadre__first_name, cadre)
                          if cadre else ""),
            ])
        done += len(chunk_rows)
        report_progress(progress, done, total)
    sheet.append([])
    sheet.append([text_cell(sheet, _("More than %(days)d days without a visit") % {"days": days})])
    return done


def coverage_workbook(data: reports.Coverage, plans, *, now, days: int) -> tuple[bytes, int]:
    """(xlsx bytes, rows in the not-visited sheet)."""
    buffer = io.BytesIO()
    with streamed_workbook(buffer) as workbook:
        _coverage_sheet(workbook, data)
        rows = _not_visited_sheet(workbook, plans, now=now, days=days, progress=None, total=None, chunk=CHUNK)
    return buffer.getvalue(), rows


def write_not_visited(plans: QuerySet[VisitPlan], out: IO[bytes], *, now, days: int,
                      progress: Progress | None = None, total: int | None = None, chunk: int | None = None) -> int:
    """Write the not-visited list of ``plans`` (coverage.not_visited at ``now`` for
    ``days``) as xlsx into ``out`` (a binary file opened for writing, seekable), longest
    without a visit first as the list shows them; return the number of rows. ``now`` is
    the moment the list was seen: the days without a visit are counted to it.

    ``progress(done, total)`` is called once per chunk written; ``total`` is counted here
    when the caller does not know it. The queryset must already be scoped to the user."""
    if progress is not None and total is None:
        total = plans.count()
    with streamed_workbook(out) as workbook:
        rows = _not_visited_sheet(workbook, plans, now=now, days=days, progress=progress, total=total,
                                  chunk=chunk or CHUNK)
    return rows

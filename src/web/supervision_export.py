"""Deadline breaches and the supervision dashboard as Excel workbooks.

The breach list is written for a city's tens of thousands of overdue deadlines as the
household roster is: plain values read a chunk at a time (keyset on due time and
number, at most two queries per chunk whatever its size) and streamed into a file.
"""

from __future__ import annotations

import io
from typing import IO

from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.cell import WriteOnlyCell

from deadlines import reports
from deadlines.labels import flow_label, step_label
from deadlines.models import Deadline, overdue_hours
from exports.xlsx import (
    PrivateWorkbook,
    Progress,
    header,
    keyset_chunks,
    local_time,
    report_progress,
    streamed_workbook,
    text_cell,
)
from regions.codes import Level
from staff.models import display_name

from .deadline_rows import case_text, escalated_names, overdue_text, staff_names

CHUNK = 5000
BREACH_COLUMNS = ("pk", "due_at", "status", "township_name", "region_name", "region_code", "flow", "step",
                  "escalation_level", "escalated_to", "provisional", "assignee__last_name", "assignee__first_name",
                  "assignee__username", "subject_type_id", "subject_id", "application_id")


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _after(row) -> Q:
    """Rows after ``row`` in the list's order (due time, then number). The first term
    lets the due-time index start its scan at the row rather than at the oldest breach."""
    return Q(due_at__gte=row.due_at) & (Q(due_at__gt=row.due_at) | Q(pk__gt=row.pk))


def write_breaches(deadlines: QuerySet[Deadline], out: IO[bytes], *, now, progress: Progress | None = None,
                   total: int | None = None, chunk: int | None = None) -> int:
    """Write the breach list of ``deadlines`` (reports.breaches_by_age at ``now``) as xlsx
    into ``out`` (a binary file opened for writing, seekable), most overdue first as the
    list shows them; return the number of rows. ``now`` is the moment the list was
    seen: how long each row is overdue is counted to it.

    ``progress(done, total)`` is called once per chunk written; ``total`` is counted here
    when the caller does not know it. The queryset must already be scoped to the user."""
    chunk = chunk or CHUNK
    if progress is not None and total is None:
        total = deadlines.count()
    # Named rows: the helpers that read a Deadline (its case, who it was escalated to) read them too.
    rows = reports.with_row_data(deadlines).order_by("due_at", "pk").values_list(*BREACH_COLUMNS, named=True)
    separator = pgettext("list separator", ", ")
    done = 0
    with streamed_workbook(out) as workbook:
        sheet = workbook.create_sheet(_("Breaches"))
        header(sheet, [
            _("Township"), _("Village / community"), _("Region code"), _("Flow"), _("Step"), _("Due"),
            _("Overdue (hours)"), _("Overdue by"), _("Escalation level"), _("Escalated to"), _("Provisional"),
            _("Assignee"), _("Case"),
        ], (14, 16, 15, 18, 18, 17, 10, 14, 10, 20, 10, 12, 16))
        for breaches in keyset_chunks(rows, _after, chunk):
            names = staff_names(breaches)
            for deadline in breaches:
                hours = overdue_hours(deadline.status, deadline.due_at, now)
                assignee = deadline.assignee__username
                sheet.append([
                    text_cell(sheet, deadline.township_name),
                    text_cell(sheet, deadline.region_name),
                    text_cell(sheet, deadline.region_code),
                    text_cell(sheet, flow_label(deadline.flow)),
                    text_cell(sheet, step_label(deadline.flow, deadline.step)),
                    local_time(sheet, deadline.due_at),
                    hours,
                    text_cell(sheet, overdue_text(hours)),
                    deadline.escalation_level,
                    text_cell(sheet, separator.join(escalated_names(deadline, names))),
                    text_cell(sheet, _yes_no(deadline.provisional)),
                    text_cell(sheet, display_name(deadline.assignee__last_name, deadline.assignee__first_name,
                                                  assignee) if assignee else ""),
                    text_cell(sheet, case_text(deadline)),
                ])
            done += len(breaches)
            report_progress(progress, done, total)
    return done


def month_label(month) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def dashboard_workbook(board, *, months, on_time, ages, now) -> bytes:
    """Every table of the dashboard, one sheet each. ``on_time`` is reports.on_time_matrix;
    ``ages`` the (label, count) pairs shown on the page."""
    workbook = PrivateWorkbook()

    sheet = workbook.create_sheet(_("Summary"))
    header(sheet, [_("Figure"), _("Value")], (30, 18))
    sheet.append([text_cell(sheet, _("Open deadlines")), board.total_open])
    sheet.append([text_cell(sheet, _("Overdue")), board.total_overdue])
    sheet.append([text_cell(sheet, _("Figures as of")), local_time(sheet, now)])

    by_county = board.level == Level.COUNTY
    area = _("County / district") if by_county else _("Township")
    sheet = workbook.create_sheet(_("By county") if by_county else _("By township"))
    header(sheet, [area, _("Region code"), _("Overdue")], (20, 15, 10))
    for row in board.by_region:
        sheet.append([text_cell(sheet, row["name"]), text_cell(sheet, row["region"]), row["count"]])

    sheet = workbook.create_sheet(_("By step"))
    header(sheet, [_("Flow"), _("Step"), _("Overdue")], (24, 24, 10))
    for row in board.by_step:
        sheet.append([text_cell(sheet, flow_label(row["flow"])), text_cell(sheet, step_label(row["flow"], row["step"])),
                      row["count"]])

    sheet = workbook.create_sheet(_("By age"))
    header(sheet, [_("Overdue by"), _("Overdue")], (20, 10))
    for label, count in ages:
        sheet.append([text_cell(sheet, label), count])

    sheet = workbook.create_sheet(_("On time by month"))
    titles = [area]
    for month in months:
        titles += [_("%(month)s on time (%%)") % {"month": month_label(month)},
                   _("%(month)s closed") % {"month": month_label(month)}]
    header(sheet, titles, (20, *([12] * 2 * len(months))))
    for row in on_time:
        values = [text_cell(sheet, row["name"])]
        for cell in row["cells"]:
            values += [float(cell["rate"]) if cell and cell["rate"] is not None else None,
                       cell["total"] if cell else 0]
        sheet.append(values)

    sheet = workbook.create_sheet(_("Weekly trend"))
    header(sheet, [_("Week of"), _("Due"), _("Late"), _("On time (%)")], (14, 10, 10, 12))
    for week in board.trend:
        cell = WriteOnlyCell(sheet, value=week["week"])
        cell.number_format = "yyyy-mm-dd"
        rate = week["on_time_rate"]
        sheet.append([cell, week["due"], week["late"], float(rate) if rate is not None else None])
    return _save(workbook)

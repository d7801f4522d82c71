"""Deadline breaches and the supervision dashboard as Excel workbooks."""

from __future__ import annotations

import io
from itertools import islice

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from deadlines.labels import flow_label, step_label

from .deadline_rows import case_of, escalated_names, overdue_text, staff_names
from .export import CHUNK
from .export import _text as text_cell

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def _header(sheet, titles, widths) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def _local(sheet, moment) -> WriteOnlyCell:
    # Excel has no time zones: write the local (Asia/Shanghai) wall-clock time.
    cell = WriteOnlyCell(sheet, value=timezone.localtime(moment).replace(tzinfo=None) if moment else None)
    cell.number_format = DATETIME_FORMAT
    return cell


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def breaches_workbook(deadlines, now) -> tuple[bytes, int]:
    """(xlsx bytes, number of rows) for deadlines prepared by reports.with_row_data."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Breaches"))
    _header(sheet, [
        _("Township"), _("Village / community"), _("Region code"), _("Flow"), _("Step"), _("Due"),
        _("Overdue (hours)"), _("Overdue by"), _("Escalation level"), _("Escalated to"), _("Provisional"),
        _("Assignee"), _("Case"),
    ], (14, 16, 15, 18, 18, 17, 10, 14, 10, 20, 10, 12, 16))
    rows = 0
    for chunk in _chunks(deadlines.iterator(chunk_size=CHUNK), CHUNK):
        names = staff_names(chunk)
        for deadline in chunk:
            hours = deadline.overdue_by_hours(now)
            sheet.append([
                text_cell(sheet, deadline.township_name or ""),
                text_cell(sheet, deadline.region_name or ""),
                text_cell(sheet, deadline.region_code),
                text_cell(sheet, flow_label(deadline.flow)),
                text_cell(sheet, step_label(deadline.step)),
                _local(sheet, deadline.due_at),
                hours,
                text_cell(sheet, overdue_text(hours)),
                deadline.escalation_level,
                text_cell(sheet, pgettext("list separator", ", ").join(escalated_names(deadline, names))),
                text_cell(sheet, _yes_no(deadline.provisional)),
                text_cell(sheet, deadline.assignee.display_name if deadline.assignee else ""),
                text_cell(sheet, case_of(deadline, load_subject=False).text),
            ])
            rows += 1
    return _save(workbook), rows


def month_label(month) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def dashboard_workbook(board, *, months, on_time, ages, now) -> bytes:
    """Every table of the dashboard, one sheet each. ``on_time`` is reports.on_time_matrix;
    ``ages`` the (label, count) pairs shown on the page."""
    workbook = Workbook(write_only=True)

    sheet = workbook.create_sheet(_("Summary"))
    _header(sheet, [_("Figure"), _("Value")], (30, 18))
    sheet.append([text_cell(sheet, _("Open deadlines")), board.total_open])
    sheet.append([text_cell(sheet, _("Overdue")), board.total_overdue])
    sheet.append([text_cell(sheet, _("Figures as of")), _local(sheet, now)])

    sheet = workbook.create_sheet(_("By township"))
    _header(sheet, [_("Township"), _("Region code"), _("Overdue")], (20, 15, 10))
    for row in board.by_township:
        sheet.append([text_cell(sheet, row["name"]), text_cell(sheet, row["township"].ljust(12, "0")), row["count"]])

    sheet = workbook.create_sheet(_("By step"))
    _header(sheet, [_("Flow"), _("Step"), _("Overdue")], (24, 24, 10))
    for row in board.by_step:
        sheet.append([text_cell(sheet, flow_label(row["flow"])), text_cell(sheet, step_label(row["step"])),
                      row["count"]])

    sheet = workbook.create_sheet(_("By age"))
    _header(sheet, [_("Overdue by"), _("Overdue")], (20, 10))
    for label, count in ages:
        sheet.append([text_cell(sheet, label), count])

    sheet = workbook.create_sheet(_("On time by month"))
    titles = [_("Township")]
    for month in months:
        titles += [_("%(month)s on time (%%)") % {"month": month_label(month)},
                   _("%(month)s closed") % {"month": month_label(month)}]
    _header(sheet, titles, (20, *([12] * 2 * len(months))))
    for row in on_time:
        values = [text_cell(sheet, row["name"])]
        for cell in row["cells"]:
            values += [float(cell["rate"]) if cell and cell["rate"] is not None else None,
                       cell["total"] if cell else 0]
        sheet.append(values)

    sheet = workbook.create_sheet(_("Weekly trend"))
    _header(sheet, [_("Week of"), _("Due"), _("Late"), _("On time (%)")], (14, 10, 10, 12))
    for week in board.trend:
        cell = WriteOnlyCell(sheet, value=week["week"])
        cell.number_format = "yyyy-mm-dd"
        rate = week["on_time_rate"]
        sheet.append([cell, week["due"], week["late"], float(rate) if rate is not None else None])
    return _save(workbook)

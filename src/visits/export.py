"""Visit coverage and the not-visited list as Excel workbooks."""

from __future__ import annotations

import io
from itertools import islice

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from . import coverage as reports

CHUNK = 2000


def _text(sheet, value) -> WriteOnlyCell:
    # Typed as text: a name such as "=HYPERLINK(...)" stays a name, not a formula.
    cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
    cell.data_type = "s"
    return cell


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


def _local(sheet, moment, fmt="yyyy-mm-dd hh:mm") -> WriteOnlyCell:
    # Excel has no time zones: the local (Asia/Shanghai) wall-clock time.
    cell = WriteOnlyCell(sheet, value=timezone.localtime(moment).replace(tzinfo=None) if moment else None)
    cell.number_format = fmt
    return cell


def _coverage_sheet(workbook, data: reports.Coverage) -> None:
    sheet = workbook.create_sheet(_("Coverage"))
    _header(sheet, [_("Township"), _("Region code"), _("Planned"), _("Done in window"), _("Missed"),
                    _("of which visited late"), _("Overdue now"), _("Window still open"), _("Done in window (%)")],
            (20, 15, 10, 12, 10, 12, 12, 12, 14))
    for row in [*data.rows, data.total]:
        name = row.name if row.code else _("Total")
        sheet.append([_text(sheet, name), _text(sheet, row.code), row.planned, row.done_in_window, row.missed,
                      row.done_late, row.overdue, row.still_open, float(row.share) if row.share is not None else None])
    sheet.append([])
    sheet.append([_text(sheet, _("Month")), _text(sheet, date_format(data.month, "YEAR_MONTH_FORMAT"))])
    sheet.append([_text(sheet, _("Households with a plan but no paired cadre")), data.unpaired])


def _not_visited_sheet(workbook, plans, now, days: int) -> int:
    sheet = workbook.create_sheet(_("Not visited"))
    _header(sheet, [_("Name"), _("ID number (masked)"), _("Village / community"), _("Region code"), _("Address"),
                    _("Tier"), _("Visit every"), _("Last visited"), _("Days without a visit"), _("Paired cadre")],
            (12, 22, 16, 15, 26, 10, 10, 17, 10, 14))
    rows = 0
    iterator = reports.with_row_data(plans).iterator(chunk_size=CHUNK)
    while chunk := list(islice(iterator, CHUNK)):
        for plan in chunk:
            pairing = getattr(plan.household, "visit_pairing", None)
            sheet.append([
                _text(sheet, plan.person.name), _text(sheet, plan.person.masked_id),
                _text(sheet, plan.household.region.name), _text(sheet, plan.region_code),
                _text(sheet, plan.household.address), _text(sheet, plan.get_tier_display()),
                _text(sheet, plan.get_period_display()), _local(sheet, plan.last_visited_at),
                reports.days_since(plan, now), _text(sheet, pairing.cadre.display_name if pairing else ""),
            ])
            rows += 1
    sheet.append([])
    sheet.append([_text(sheet, _("More than %(days)d days without a visit") % {"days": days})])
    return rows


def coverage_workbook(data: reports.Coverage, plans, *, now, days: int) -> tuple[bytes, int]:
    """(xlsx bytes, rows in the not-visited sheet)."""
    workbook = Workbook(write_only=True)
    _coverage_sheet(workbook, data)
    rows = _not_visited_sheet(workbook, plans, now, days)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), rows


def not_visited_workbook(plans, *, now, days: int) -> tuple[bytes, int]:
    workbook = Workbook(write_only=True)
    rows = _not_visited_sheet(workbook, plans, now, days)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), rows

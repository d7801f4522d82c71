"""The application list as an Excel workbook: the same rows as the page, masked ID numbers."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .case_rows import with_list_data
from .export import CHUNK, _text

MONEY_FORMAT = "#,##0.00"


def _money(sheet, value) -> WriteOnlyCell | None:
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = MONEY_FORMAT
    return cell


def applications_workbook(applications) -> tuple[bytes, int]:
    """(xlsx bytes, number of applications)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Applications"))
    widths = (10, 14, 22, 16, 20, 18, 16, 14, 14, 14, 18)
    for column, width in zip("ABCDEFGHIJK", widths, strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = [_("Application no."), _("Applicant"), _("ID number (masked)"), _("Village / community"),
              _("Status"), _("Kind"), _("Cause category"), _("Amount requested (yuan)"),
              _("Amount approved (yuan)"), _("Amount paid (yuan)"), _("Received at")]
    cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)

    rows = 0
    for application in with_list_data(applications).iterator(chunk_size=CHUNK):
        sheet.append([
            application.pk,
            _text(sheet, application.applicant.name),
            _text(sheet, application.applicant.masked_id),
            _text(sheet, application.household.region.name),
            _text(sheet, application.get_status_display()),
            _text(sheet, application.get_kind_display()),
            _text(sheet, application.get_cause_category_display()),
            _money(sheet, application.amount_requested),
            _money(sheet, application.amount_approved),
            _money(sheet, application.amount_paid),
            _text(sheet, f"{timezone.localtime(application.created_at):%Y-%m-%d %H:%M}"),
        ])
        rows += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), rows

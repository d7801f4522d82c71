"""The household list as an Excel workbook."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .queries import with_list_data

CHUNK = 2000


def _text(sheet, value) -> WriteOnlyCell:
    # Typed as text so a name such as "=HYPERLINK(...)" stays a name, not a formula.
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell


def households_workbook(households) -> tuple[bytes, int]:
    """(xlsx bytes, number of households). Rows carry masked ID numbers only."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Households"))
    for column, width in zip("ABCDEFG", (10, 14, 22, 18, 24, 10, 10), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = [_("Household no."), _("Head of household"), _("ID number (masked)"), _("Village / community"),
              _("Region code"), _("Registration"), _("Members")]
    cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)

    rows = 0
    for household in with_list_data(households).iterator(chunk_size=CHUNK):
        members = list(household.members.all())
        head = household.head
        sheet.append([
            household.pk,
            _text(sheet, head.name if head else ""),
            _text(sheet, head.masked_id if head else ""),
            _text(sheet, household.region.name),
            _text(sheet, household.region_id),
            _text(sheet, household.get_registration_display()),
            len(members),
        ])
        rows += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), rows

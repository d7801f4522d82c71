"""The application list as an Excel workbook: the same rows as the page, masked ID numbers.

Written for a city's half a million applications as the roster is: plain values read a
chunk at a time (keyset on the number, one query per chunk whatever its size) and
streamed into a file.
"""

from __future__ import annotations

from typing import IO

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell

from assistance.models import Application
from core import programs
from exports.xlsx import Progress, header, keyset_chunks, report_progress, streamed_workbook, text_cell
from registry.idnumber import mask

MONEY_FORMAT = "#,##0.00"
CHUNK = 5000
COLUMNS = ("pk", "applicant__name", "applicant__id_number", "household__region__name", "program", "status",
           "amount_requested", "amount_approved", "amount_paid", "created_at")


def _money(sheet, value) -> WriteOnlyCell | None:
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = MONEY_FORMAT
    return cell


def _program_columns() -> list[tuple[str, list[str], dict]]:
    """(header, columns, value → label) of every program's own columns (``Program.export_columns``),
    read in the active language; other programs' rows leave them empty. Programs built on
    one core (低保 and 特困) declare the same columns: one column of the sheet each, read
    from whichever program the row's case belongs to."""
    columns: dict[str, tuple[list[str], dict]] = {}
    for spec in programs.programs():
        for header_text, name, choices in spec.export_columns:
            names, labels = columns.setdefault(str(header_text), ([], {}))
            names.append(f"{spec.code}__{name}")
            labels.update({v: str(label) for v, label in (choices or ())})
    return [(header_text, names, labels) for header_text, (names, labels) in columns.items()]


def _own_value(labels: dict, values) -> str:
    value = next((v for v in values if v is not None), None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return labels.get(value, value)


def write_applications(applications: QuerySet[Application], out: IO[bytes], *, progress: Progress | None = None,
                       total: int | None = None, chunk: int | None = None) -> int:
    """Write ``applications`` as xlsx into ``out`` (a binary file opened for writing,
    seekable), newest first as the list shows them; return the number of rows. ID
    numbers are masked.

    ``progress(done, total)`` is called once per chunk written; ``total`` is counted here
    when the caller does not know it. The queryset must already be scoped to the user."""
    chunk = chunk or CHUNK
    if progress is not None and total is None:
        total = applications.count()
    program_names = {code: str(label) for code, label in programs.program_choices()}
    extra = _program_columns()
    rows = applications.order_by("-pk").values_list(*COLUMNS, *(column for _h, names, _l in extra for column in names))
    done = 0
    with streamed_workbook(out) as workbook:
        sheet = workbook.create_sheet(_("Applications"))
        header(sheet, [_("Application no."), _("Applicant"), _("ID number (masked)"), _("Village / community"),
                       _("Program"), _("Status"), *(h for h, _c, _l in extra), _("Amount requested (yuan)"),
                       _("Amount approved (yuan)"), _("Amount paid (yuan)"), _("Received at")],
               (10, 14, 22, 16, 14, 20, *(18 for _e in extra), 14, 14, 14, 18))
        for applications_chunk in keyset_chunks(rows, lambda row: Q(pk__lt=row[0]), chunk):
            for row in applications_chunk:
                (pk, name, id_number, village, program, status, requested, approved, paid, created_at) = row[:10]
                own, start = [], 10
                for _h, names, labels in extra:
                    own.append(text_cell(sheet, _own_value(labels, row[start:start + len(names)])))
                    start += len(names)
                sheet.append([
                    pk,
                    text_cell(sheet, name),
                    text_cell(sheet, mask(id_number)),
                    text_cell(sheet, village),
                    text_cell(sheet, program_names.get(program, program)),
                    text_cell(sheet, programs.status_label(program, status)),
                    *own,
                    _money(sheet, requested),
                    _money(sheet, approved),
                    _money(sheet, paid),
                    text_cell(sheet, f"{timezone.localtime(created_at):%Y-%m-%d %H:%M}"),
                ])
            done += len(applications_chunk)
            report_progress(progress, done, total)
    return done

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
COLUMNS = ("pk", "applicant__name", "applicant__id_number", "household__region__name", "program", "status", "kind",
           "cause_category", "amount_requested", "amount_approved", "amount_paid", "created_at")


def _money(sheet, value) -> WriteOnlyCell | None:
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = MONEY_FORMAT
    return cell


def _labels(field: str) -> dict[str, str]:
    """value → label of a field with choices, in the active language, as get_FOO_display
    shows it (a value without a label, such as a blank kind, is shown as it is)."""
    return {value: str(label) for value, label in Application._meta.get_field(field).flatchoices}


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
    kinds, causes = _labels("kind"), _labels("cause_category")
    program_names = {code: str(label) for code, label in programs.program_choices()}
    rows = applications.order_by("-pk").values_list(*COLUMNS)
    done = 0
    with streamed_workbook(out) as workbook:
        sheet = workbook.create_sheet(_("Applications"))
        header(sheet, [_("Application no."), _("Applicant"), _("ID number (masked)"), _("Village / community"),
                       _("Program"), _("Status"), _("Kind"), _("Cause category"), _("Amount requested (yuan)"),
                       _("Amount approved (yuan)"), _("Amount paid (yuan)"), _("Received at")],
               (10, 14, 22, 16, 14, 20, 18, 16, 14, 14, 14, 18))
        for applications_chunk in keyset_chunks(rows, lambda row: Q(pk__lt=row[0]), chunk):
            for (pk, name, id_number, village, program, status, kind, cause, requested, approved, paid,
                 created_at) in applications_chunk:
                sheet.append([
                    pk,
                    text_cell(sheet, name),
                    text_cell(sheet, mask(id_number)),
                    text_cell(sheet, village),
                    text_cell(sheet, program_names.get(program, program)),
                    text_cell(sheet, programs.status_label(program, status)),
                    text_cell(sheet, kinds.get(kind, kind)),
                    text_cell(sheet, causes.get(cause, cause)),
                    _money(sheet, requested),
                    _money(sheet, approved),
                    _money(sheet, paid),
                    text_cell(sheet, f"{timezone.localtime(created_at):%Y-%m-%d %H:%M}"),
                ])
            done += len(applications_chunk)
            report_progress(progress, done, total)
    return done

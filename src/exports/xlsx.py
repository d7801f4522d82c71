"""What every Excel writer shares: cells that stay the text they were given, a bold
frozen header, local times, rows read as plain values in keyset chunks, and a
write-only workbook streamed into a file that leaves nothing behind when it fails.

A list's writer built from these costs a fixed number of queries per chunk, and its
memory does not grow with the rows: openpyxl streams each sheet into a temporary file
of its own and zips it into the caller's file at the end.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from django.db.models import Q, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

Progress = Callable[[int, int], object]


def text_cell(sheet, value):
    """A value Excel shows as the very text given: a name such as "=HYPERLINK(...)" stays
    a name, never a formula. None is an empty cell.

    openpyxl reads a string starting with "=" as a formula and "#N/A" and its like as
    error values, and types every other string as text: only those few need a cell typed
    by hand. The rest go as plain strings, which spares building a cell object per value
    (a sixth of the roster's writing time)."""
    value = "" if value is None else str(value)
    if value in ERROR_CODES or (len(value) > 1 and value.startswith("=")):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def header(sheet, titles, widths) -> None:
    """The first row, bold and frozen, and the columns' widths."""
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


def local_time(sheet, moment, number_format: str = DATETIME_FORMAT) -> WriteOnlyCell:
    # Excel has no time zones: write the local (Asia/Shanghai) wall-clock time.
    cell = WriteOnlyCell(sheet, value=timezone.localtime(moment).replace(tzinfo=None) if moment else None)
    cell.number_format = number_format
    return cell


def keyset_chunks(rows: QuerySet, after: Callable[[tuple], Q], size: int) -> Iterator[list]:
    """Lists of up to ``size`` rows of ``rows`` (plain values, ordered), in order.

    Keyset pagination: each chunk starts after the last row seen, ``after(row)`` being
    the condition "comes after this row" in the queryset's order, so the thousandth
    chunk costs what the first does (OFFSET would rescan every row before it)."""
    last = None
    while True:
        chunk = list((rows if last is None else rows.filter(after(last)))[:size])
        if not chunk:
            return
        yield chunk
        if len(chunk) < size:
            return
        last = chunk[-1]


def report_progress(progress: Progress | None, done: int, total: int | None) -> None:
    """Tell ``progress`` how far the writer is, once per chunk; a count taken before the
    writing may be passed by rows added meanwhile, so the total is never below done."""
    if progress is not None:
        progress(done, max(total or 0, done))


@contextmanager
def streamed_workbook(out: IO[bytes]) -> Iterator[Workbook]:
    """A write-only workbook, zipped into ``out`` (a binary file opened for writing,
    seekable) when the block ends. If the block or the saving fails, the temporary files
    openpyxl streamed the sheets into are removed."""
    workbook = Workbook(write_only=True)
    try:
        yield workbook
        workbook.save(out)
    except BaseException:
        for sheet in workbook.worksheets:
            discard(sheet)
        raise


def discard(sheet) -> None:
    """Remove the temporary file openpyxl streams a sheet into: only save() removes it
    otherwise (or the end of the process), and a failed or abandoned export must not
    leave names and ID numbers behind in a long-lived worker's temporary folder."""
    writer = sheet._writer
    if writer is None or not os.path.exists(writer.out):
        return
    try:
        sheet.close()
    except Exception:  # noqa: S110 - half-written XML about to be deleted: its errors do not matter
        pass
    writer.cleanup()

"""What every Excel writer shares: cells that stay the text they were given, a bold
frozen header, local times, rows read as plain values in keyset chunks, and a
write-only workbook streamed into a file that leaves nothing behind when it fails.

A list's writer built from these costs a fixed number of queries per chunk, and its
memory does not grow with the rows: openpyxl streams each sheet into a temporary file
of its own and zips it into the caller's file at the end. Those files hold the rows
(names, addresses) in plain XML, so they are written into the private export folder
(``EXPORT_DIR/tmp``, 0700), never the system's temporary folder, named after the job
that writes them, so that whoever finds a job's worker gone removes them too.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import ALL_TEMP_FILES, WorksheetWriter

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


# What a sheet's temporary file is named after: the export job writing it, else "inline"
# (a file answered within a web request).
_TEMP_OWNER: ContextVar[str] = ContextVar("export_temp_owner", default="inline")
INLINE = "inline"


def temp_dir() -> Path:
    """The private folder for sheets being written: inside EXPORT_DIR (served by no URL)."""
    directory = Path(settings.EXPORT_DIR) / "tmp"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


@contextmanager
def temp_files_of(owner: str) -> Iterator[None]:
    """Name the sheets' temporary files written inside the block after ``owner`` (a job's id)."""
    token = _TEMP_OWNER.set(str(owner))
    try:
        yield
    finally:
        _TEMP_OWNER.reset(token)


def _private_temp_file() -> str:
    # mkstemp creates the file readable by this user only (0600), in the private folder.
    handle, path = tempfile.mkstemp(dir=temp_dir(), prefix=f"{_TEMP_OWNER.get()}.", suffix=".sheet.xml")
    os.close(handle)
    # openpyxl's own bookkeeping: save() and cleanup() remove it from this list, and the
    # process's exit removes whatever is left in it.
    ALL_TEMP_FILES.append(path)
    return path


class _PrivateSheet(WriteOnlyWorksheet):
    """A write-only sheet streamed into the private folder instead of the system's."""

    def _get_writer(self):
        if self._writer is None:
            self._writer = WorksheetWriter(self, out=_private_temp_file())
            self._writer.write_top()


class PrivateWorkbook(Workbook):
    """A write-only workbook whose sheets stream into the private folder (openpyxl 3.1
    names its temporary files itself, in the system's temporary folder)."""

    def __init__(self):
        super().__init__(write_only=True)

    def create_sheet(self, title=None, index=None):
        sheet = _PrivateSheet(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        return sheet


@contextmanager
def streamed_workbook(out: IO[bytes]) -> Iterator[Workbook]:
    """A write-only workbook, zipped into ``out`` (a binary file opened for writing,
    seekable) when the block ends. If the block or the saving fails, the temporary files
    the sheets were streamed into are removed."""
    workbook = PrivateWorkbook()
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

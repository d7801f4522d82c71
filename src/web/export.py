"""The household list as an Excel workbook (the household roster).

Written for a city's 300,000 households: rows are read as plain values a chunk at a
time (keyset on the primary key, two queries per chunk whatever its size) and streamed
into a file, so time grows with the rows and memory does not.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import IO

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font

from registry.idnumber import mask
from registry.models import Household, Person, Registration, Relation

# Model-instance exports (applications, deadlines) fetch this many rows per query.
CHUNK = 2000
# The roster reads plain tuples: bigger chunks mean fewer round trips and progress updates,
# while a chunk's rows and its IN list of household numbers stay small.
ROSTER_CHUNK = 5000

Progress = Callable[[int, int], object]


def _text(sheet, value):
    """A value Excel shows as the very text given: a name such as "=HYPERLINK(...)" stays
    a name, never a formula.

    openpyxl reads a string starting with "=" as a formula and "#N/A" and its like as
    error values, and types every other string as text: only those few need a cell typed
    by hand. The rest go as plain strings, which spares building a cell object per value
    (a sixth of the roster's writing time)."""
    value = str(value)
    if value in ERROR_CODES or (len(value) > 1 and value.startswith("=")):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _roster_sheet(workbook: Workbook):
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
    return sheet


def _roster_chunks(households: QuerySet[Household], size: int):
    """Lists of (number, village, code, registration, members), newest household first as
    on the list page. Keyset pagination: each chunk starts below the last number seen,
    so the thousandth chunk costs what the first does (OFFSET would rescan every row
    before it)."""
    # A correlated COUNT rather than a join and GROUP BY: it cannot be multiplied by a
    # join in the caller's filters, and it reads only the member index of the chunk's rows.
    members = Coalesce(Subquery(
        Person.objects.filter(household_id=OuterRef("pk")).order_by().values("household_id")
        .annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    ), 0)
    rows = (households.order_by("-pk").annotate(member_count=members)
            .values_list("pk", "region__name", "region_id", "registration", "member_count"))
    last = None
    while True:
        chunk = list((rows if last is None else rows.filter(pk__lt=last))[:size])
        if not chunk:
            return
        yield chunk
        if len(chunk) < size:
            return
        last = chunk[-1][0]


def write_households(households: QuerySet[Household], out: IO[bytes], *, progress: Progress | None = None,
                     total: int | None = None, chunk: int | None = None) -> int:
    """Write the roster of ``households`` as xlsx into ``out`` (a binary file opened for
    writing, seekable); return the number of rows. ID numbers are masked.

    ``progress(done, total)`` is called once per chunk written; ``total`` is counted
    here (one query) when the caller does not know it. The caller's queryset decides
    which households: it must already be scoped to the user."""
    chunk = chunk or ROSTER_CHUNK
    if progress is not None and total is None:
        total = households.count()
    labels = {value: str(label) for value, label in Registration.choices}
    workbook = Workbook(write_only=True)
    sheet = _roster_sheet(workbook)
    done = 0
    try:
        for rows in _roster_chunks(households, chunk):
            heads = {household: (name, number) for household, name, number in
                     Person.objects.filter(household_id__in=[row[0] for row in rows], relation=Relation.HEAD)
                     .order_by().values_list("household_id", "name", "id_number")}
            for pk, village, code, registration, members in rows:
                name, number = heads.get(pk, ("", ""))
                sheet.append([pk, _text(sheet, name), _text(sheet, mask(number)), _text(sheet, village),
                              _text(sheet, code), _text(sheet, labels.get(registration, registration)), members])
            done += len(rows)
            if progress is not None:
                progress(done, max(total or 0, done))
        # openpyxl has been streaming the rows into a temporary file of its own; this zips them into ``out``.
        workbook.save(out)
    except BaseException:
        _discard(sheet)
        raise
    return done


def _discard(sheet) -> None:
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

"""The household list as an Excel workbook (the household roster).

Written for a city's 300,000 households: rows are read as plain values a chunk at a
time (keyset on the primary key, two queries per chunk whatever its size) and streamed
into a file, so time grows with the rows and memory does not.
"""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from exports.xlsx import Progress, header, keyset_chunks, report_progress, streamed_workbook, text_cell
from registry.idnumber import mask
from registry.models import Household, Person, Registration, Relation


def _roster_rows(households: QuerySet[Household]) -> QuerySet:
    """(number, village, code, registration, members), newest household first as on the
    list page."""
    # A correlated COUNT rather than a join and GROUP BY: it cannot be multiplied by a
    # join in the caller's filters, and it reads only the member index of the chunk's rows.
    members = Coalesce(Subquery(
        Person.objects.filter(household_id=OuterRef("pk")).order_by().values("household_id")
        .annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    ), 0)
    return (households.order_by("-pk").annotate(member_count=members)
            .values_list("pk", "region__name", "region_id", "registration", "member_count"))


def write_households(households: QuerySet[Household], out: IO[bytes], *, progress: Progress | None = None,
                     total: int | None = None, chunk: int | None = None) -> int:
    """Write the roster of ``households`` as xlsx into ``out`` (a binary file opened for
    writing, seekable); return the number of rows. ID numbers are masked.

    ``progress(done, total)`` is called once per chunk written; ``total`` is counted
    here (one query) when the caller does not know it. The caller's queryset decides
    which households: it must already be scoped to the user."""
    chunk = chunk or settings.EXPORT_HOUSEHOLD_CHUNK_ROWS
    if progress is not None and total is None:
        total = households.count()
    labels = {value: str(label) for value, label in Registration.choices}
    done = 0
    with streamed_workbook(out) as workbook:
        sheet = workbook.create_sheet(_("Households"))
        header(sheet, [_("Household no."), _("Head of household"), _("ID number (masked)"),
                       _("Village / community"), _("Region code"), _("Registration"), _("Members")],
               (10, 14, 22, 18, 24, 10, 10))
        for rows in keyset_chunks(_roster_rows(households), lambda row: Q(pk__lt=row[0]), chunk):
            heads = {household: (name, number) for household, name, number in
                     Person.objects.filter(household_id__in=[row[0] for row in rows], relation=Relation.HEAD)
                     .order_by().values_list("household_id", "name", "id_number")}
            for pk, village, code, registration, members in rows:
                name, number = heads.get(pk, ("", ""))
                sheet.append([pk, text_cell(sheet, name), text_cell(sheet, mask(number)), text_cell(sheet, village),
                              text_cell(sheet, code), text_cell(sheet, labels.get(registration, registration)),
                              members])
            done += len(rows)
            report_progress(progress, done, total)
    return done

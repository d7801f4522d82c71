"""The households a policy what-if would affect, on its page and as an Excel workbook (an
export that can run as a background job, exports app). Names are masked as posted lists
mask them (张*三) and ID numbers as every page does (110105********002X): the list is for
planning, not for contacting anyone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exports.kinds import ExportKind, ExportRefused, register
from exports.xlsx import Progress, header, keyset_chunks, report_progress, streamed_workbook, text_cell
from regions.models import Region
from registry.idnumber import mask
from registry.models import Person, Relation
from workflows.enrolment.models import Masking
from workflows.enrolment.notices import mask_name
from workflows.whatif.models import Change, RunStatus, WhatIfRow, WhatIfRun

CHUNK = 2000


def affected_rows(user, run: WhatIfRun, change: str = "") -> QuerySet:
    rows = WhatIfRow.objects.visible_to(user).filter(run=run)
    if change:
        rows = rows.filter(change=change)
    return rows.order_by("county_code", "region_code", "household_id", "pk")


def decorate(rows: Iterable[WhatIfRow]) -> None:
    """Give each row its places' names, its head of household masked, and its change in words
    (three queries for a page or a chunk, whatever its length)."""
    rows = list(rows)
    codes = {r.region_code for r in rows} | {r.county_code for r in rows}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    heads = {household: (name, number) for household, name, number in Person.objects.filter(
        household_id__in={r.household_id for r in rows}, relation=Relation.HEAD).values_list(
        "household_id", "name", "id_number")}
    for row in rows:
        name, number = heads.get(row.household_id, ("", ""))
        row.village_name = names.get(row.region_code, row.region_code)
        row.county_name = names.get(row.county_code, row.county_code)
        row.head_name = mask_name(name, Masking.MIDDLE)
        row.head_id = mask(number) if number else ""
        row.change_label = Change(row.change).label if row.change in Change.values else row.change


def write_affected(rows: QuerySet, out: IO[bytes], *, progress: Progress | None = None, total: int | None = None,
                   chunk: int | None = None) -> int:
    chunk = chunk or CHUNK
    if progress is not None and total is None:
        total = rows.count()
    done = 0
    with streamed_workbook(out) as workbook:
        sheet = workbook.create_sheet(_("Affected households"))
        header(sheet, [_("County"), _("Village / community"), _("Household"), _("Head of household"), _("ID number"),
                       _("Change"), _("Application"), _("People"), _("Per-capita income (yuan)"),
                       _("Amount now (yuan)"), _("Amount under the new rule (yuan)")],
               (14, 16, 10, 10, 20, 26, 10, 8, 14, 14, 16))
        ordered = rows.order_by("pk")
        for batch in keyset_chunks(ordered, lambda r: Q(pk__gt=r.pk), chunk):
            decorate(batch)
            for row in batch:
                sheet.append([
                    text_cell(sheet, row.county_name), text_cell(sheet, row.village_name), row.household_id,
                    text_cell(sheet, row.head_name), text_cell(sheet, row.head_id), text_cell(sheet, row.change_label),
                    row.application_id, row.people,
                    text_cell(sheet, row.per_capita_income if row.per_capita_income is not None else ""),
                    text_cell(sheet, row.amount_now if row.amount_now is not None else ""),
                    text_cell(sheet, row.amount_new if row.amount_new is not None else "")])
            done += len(batch)
            report_progress(progress, done, total)
    return done


def affected(user, params: dict):
    run = WhatIfRun.objects.visible_to(user).filter(pk=params.get("run"), status=RunStatus.DONE).first()
    if run is None:
        raise ExportRefused(_("This what-if is not in your region."))
    change = params.get("change") or ""
    if change and change not in Change.values:
        raise ExportRefused(_("The filters of this export are not valid: %(errors)s") % {"errors": change})
    return affected_rows(user, run, change)


AFFECTED = register(ExportKind(
    name="whatif_affected", label=gettext_lazy("Households a policy what-if affects"), permission="whatif.run_whatif",
    audit_event="whatif.affected.exported", filename="what-if-households", select=affected, write=write_affected,
    list_url="whatif_list",
))

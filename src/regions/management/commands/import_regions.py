"""Load or update the division tree from a CSV file (code,name,level,parent).

All or nothing: every row is checked first, against the file and the database,
and only a file without a single error is written, in one transaction. A half
imported tree would leave villages without their township, and staff or
households pointing at codes that the next attempt then has to reconcile.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from audit import services as audit
from regions.codes import LEVEL_ORDER, Level
from regions.models import Region

from ._csvfile import read_csv

COLUMNS = {"code", "name", "level", "parent"}
NAME_MAX = Region._meta.get_field("name").max_length


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    parent: str = ""
    line: int | None = None  # None for rows built in code, e.g. the demo townships
    problem: str = ""


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[tuple[RegionRow, str]] = field(default_factory=list)

    def error_lines(self) -> list[str]:
        return [f"{where(row)}: {message}" for row, message in self.errors]


def where(row: RegionRow) -> str:
    if row.line is None:
        return _("Region %(code)s") % {"code": row.code or "?"}
    return _("Line %(line)d (%(code)s)") % {"line": row.line, "code": row.code or "?"}


def line_of(row: RegionRow) -> str:
    """A reference to another row, inside a sentence."""
    if row.line is None:
        return _("region %(code)s") % {"code": row.code}
    return _("line %(line)d") % {"line": row.line}


def rows_from_csv(path) -> list[RegionRow]:
    return [
        RegionRow(code=r.values["code"], name=r.values["name"], level=r.values["level"].lower(),
                  parent=r.values["parent"], line=r.line, problem=r.problem)
        for r in read_csv(path, required=COLUMNS)
    ]


def _row_problems(row: RegionRow, first_line: dict[str, RegionRow]) -> list[str]:
    """Faults visible in the row alone (or against an earlier row of the same file)."""
    problems = [row.problem] if row.problem else []
    if not row.code:
        problems.append(_("The code is empty."))
    elif row.code in first_line and first_line[row.code] is not row:
        problems.append(_("The code %(code)s is also on %(other)s.") % {
            "code": row.code, "other": line_of(first_line[row.code])})
    if not row.name:
        problems.append(_("The name is empty."))
    elif len(row.name) > NAME_MAX:
        problems.append(_("A name has at most %(n)d characters.") % {"n": NAME_MAX})
    if row.level not in Level.values:
        problems.append(_("Unknown level “%(level)s”; use one of %(levels)s.") % {
            "level": row.level, "levels": ", ".join(Level.values)})
    return problems


def plan_import(rows: list[RegionRow]) -> tuple[list[Region], list[Region], ImportResult]:
    """Check every row and work out what to write, without writing anything.

    Returns (regions to create, regions to update, result with counts and errors)."""
    result = ImportResult()
    first_line: dict[str, RegionRow] = {}
    for row in rows:
        first_line.setdefault(row.code, row)

    # Codes whose first row is faulty; a repeated code only faults the repetition,
    # so the children of the first one are still checked against it.
    bad: dict[str, RegionRow] = {}
    faulty: set[int] = set()
    for row in rows:
        for problem in _row_problems(row, first_line):
            result.errors.append((row, problem))
            faulty.add(id(row))
            if first_line[row.code] is row:
                bad[row.code] = row

    # Parents before children whatever the order of the file: a child is checked
    # against the region its parent is about to become, not only the stored one.
    depth = {level: i for i, level in enumerate(LEVEL_ORDER)}
    good = sorted((r for r in rows if id(r) not in faulty), key=lambda r: depth[r.level])
    in_file = {r.code for r in rows}
    stored = Region.objects.in_bulk(list(in_file | {r.parent for r in good if r.parent}))

    planned: dict[str, Region] = {}
    to_create: list[Region] = []
    to_update: list[Region] = []
    for row in good:
        problems = []
        parent = None
        if row.parent:
            if row.parent in bad:
                problems.append(_("Its parent %(parent)s (%(where)s) has errors.") % {
                    "parent": row.parent, "where": line_of(bad[row.parent])})
            elif row.parent in in_file:
                parent = planned.get(row.parent)
                if parent is None:
                    # Same or deeper level than the child: clean() below names the level problem.
                    parent_row = first_line[row.parent]
                    parent = Region(code=parent_row.code, name=parent_row.name, level=parent_row.level)
            else:
                parent = stored.get(row.parent)
                if parent is None:
                    problems.append(_("The parent %(parent)s exists neither in the database nor in this file.") % {
                        "parent": row.parent})
        region = Region(code=row.code, name=row.name, level=row.level, parent=parent)
        if not problems:
            try:
                region.clean()
            except ValidationError as exc:
                problems.extend(exc.messages)
        existing = stored.get(row.code)
        if existing is not None and existing.level != row.level:
            problems.append(_("%(code)s is already stored as a %(stored)s; a region's level cannot change.") % {
                "code": row.code, "stored": Level(existing.level).label})
        if problems:
            result.errors.extend((row, p) for p in problems)
            bad[row.code] = row
            continue
        planned[row.code] = region
        if existing is None:
            to_create.append(region)
            result.created.append(row.code)
        elif (existing.name, existing.parent_id) != (region.name, region.parent_id):
            to_update.append(region)
            result.updated.append(row.code)
        else:
            result.unchanged.append(row.code)
    # Report in the order of the file, which is the order the reader will fix them in.
    order = {id(r): i for i, r in enumerate(rows)}
    result.errors.sort(key=lambda e: order.get(id(e[0]), 0))
    return to_create, to_update, result


def import_regions(rows: list[RegionRow], *, dry_run: bool = False, source: str = "") -> ImportResult:
    """Upsert ``rows``; writes nothing when any row has an error (see result.errors)."""
    with transaction.atomic():
        to_create, to_update, result = plan_import(rows)
        if result.errors or dry_run:
            return result
        Region.objects.bulk_create(to_create, batch_size=500)
        Region.objects.bulk_update(to_update, ["name", "parent"], batch_size=500)
        if to_create or to_update:
            audit.record(
                "regions.imported", extra={"source": source, "created": result.created, "updated": result.updated},
            )
    return result


class Command(BaseCommand):
    @property
    def help(self):
        # Translated when shown, in the language active then (argparse cannot take lazy text).
        return _(
            "Create or update regions from a CSV file with the columns code,name,level,parent. "
            "Nothing is written unless every row is valid."
        )

    def add_arguments(self, parser):
        parser.add_argument("csv", help=_("UTF-8 CSV file (a byte-order mark is allowed)."))
        parser.add_argument("--dry-run", action="store_true", help=_("Check the file and report, write nothing."))

    def handle(self, *args, **options):
        path = options["csv"]
        result = import_regions(rows_from_csv(path), dry_run=options["dry_run"], source=str(path))
        if result.errors:
            raise CommandError(
                _("%(path)s has %(n)d error(s); nothing was written:") % {"path": path, "n": len(result.errors)}
                + "\n" + "\n".join(result.error_lines())
            )
        counts = {"created": len(result.created), "updated": len(result.updated), "unchanged": len(result.unchanged)}
        if options["dry_run"]:
            self.stdout.write(_("Dry run, nothing written. Would create %(created)d, update %(updated)d, "
                                "leave %(unchanged)d unchanged.") % counts)
        else:
            self.stdout.write(self.style.SUCCESS(
                _("Regions created: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d.") % counts))

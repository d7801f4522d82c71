"""Reading the CSV files that administrators prepare for the import commands.

Files come from spreadsheets, so they may start with a byte-order mark, have
stray spaces around values, blank lines at the end, or headers in another case.
Those are forgiven; anything that would silently drop data (an unknown column, a
line with more values than the header) is an error. The leading underscore keeps
Django from offering this module as a command.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class CsvRow:
    line: int  # physical line number in the file, as a spreadsheet shows it
    values: dict[str, str]
    problem: str = ""  # a structural fault of the line itself


def read_csv(path: str | Path, *, required: set[str], optional: frozenset[str] | set[str] = frozenset()) -> list[CsvRow]:
    """All non-blank data rows of ``path``; columns keyed by their lower-case header."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh, restkey="\0extra")
            header = reader.fieldnames
            if not header:
                raise CommandError(_("%(path)s is empty: expected a header line.") % {"path": path})
            columns = [h.strip().lower() for h in header]
            _check_header(path, columns, required, set(optional))
            rows = []
            for raw in reader:
                extra = raw.pop("\0extra", None)
                values = {col: (raw.get(h) or "").strip() for h, col in zip(header, columns, strict=True)}
                if not any(values.values()) and not extra:
                    continue  # blank lines, often at the end of an exported sheet
                # A column without a header (a trailing comma) is tolerated while empty.
                unnamed = values.pop("", "")
                problem = ""
                if unnamed:
                    problem = _("This line has a value under a column without a header.")
                if extra:
                    problem = _("This line has %(n)d values but the header has %(m)d columns.") % {
                        "n": len(header) + len(extra), "m": len(header)}
                rows.append(CsvRow(line=reader.line_num, values=values, problem=problem))
            return rows
    except FileNotFoundError:
        raise CommandError(_("File not found: %(path)s") % {"path": path}) from None
    except IsADirectoryError:
        raise CommandError(_("%(path)s is a directory, not a CSV file.") % {"path": path}) from None
    except UnicodeDecodeError:
        raise CommandError(
            _("%(path)s is not UTF-8 text. Save it from the spreadsheet as “CSV UTF-8”.") % {"path": path}
        ) from None
    except csv.Error as exc:
        raise CommandError(_("%(path)s is not a readable CSV file: %(error)s") % {"path": path, "error": exc}) from None


def _check_header(path, columns: list[str], required: set[str], optional: set[str]) -> None:
    missing = sorted(required - set(columns))
    if missing:
        raise CommandError(_("%(path)s lacks the column(s) %(missing)s; the header must name %(required)s.") % {
            "path": path, "missing": ", ".join(missing), "required": ", ".join(sorted(required))})
    # An unknown column is most often a misspelt known one, whose data would be ignored.
    unknown = sorted(set(columns) - required - optional - {""})
    if unknown:
        raise CommandError(_("%(path)s has unknown column(s) %(unknown)s; the known columns are %(known)s.") % {
            "path": path, "unknown": ", ".join(unknown), "known": ", ".join(sorted(required | optional))})
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        raise CommandError(_("%(path)s names the column(s) %(dup)s more than once.") % {
            "path": path, "dup": ", ".join(duplicated)})

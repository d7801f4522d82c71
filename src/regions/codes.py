"""The 12-digit statistical division code (统计用区划代码).

province 2 + city 2 + county 2 + township 3 + village 3 digits. A region's subtree is
exactly the codes that share its significant prefix, so "everything under this
county" is a range of codes, which a plain B-tree index answers on SQLite and
PostgreSQL alike without joins.
"""

from __future__ import annotations

import re

from django.db import models
from django.db.models import CharField, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

CODE_RE = re.compile(r"^\d{12}$")


class Level(models.TextChoices):
    CITY = "city", _("City")
    COUNTY = "county", _("County / district")
    TOWNSHIP = "township", _("Township / street")
    VILLAGE = "village", _("Village / community")


# Number of significant leading digits at each level.
PREFIX_LENGTH = {Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}
LEVEL_ORDER = [Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]
PARENT_LEVEL = {Level.COUNTY: Level.CITY, Level.TOWNSHIP: Level.COUNTY, Level.VILLAGE: Level.TOWNSHIP}


def prefix(code: str, level: str) -> str:
    return code[: PREFIX_LENGTH[level]]


def subtree_range(code: str, level: str) -> tuple[str, str]:
    """The inclusive code range of a region and everything below it."""
    p = prefix(code, level)
    return p.ljust(12, "0"), p.ljust(12, "9")


def within(field: str, code: str, level: str) -> Q:
    """Rows whose ``field`` (a 12-digit code) lies in the region ``code`` of ``level``
    or below it. A range, not ``startswith``: PostgreSQL answers LIKE 'prefix%' from a
    B-tree index only with a pattern operator class, a range from any."""
    return Q(**{f"{field}__range": subtree_range(code, level)})


def code_of(code: str, level: str) -> str:
    """The code of the region at ``level`` that ``code`` lies in (e.g. a village's county)."""
    return prefix(code, level).ljust(12, "0")


def township_of(code: str) -> str:
    """The code of the township (or street) that ``code`` lies in; a county or city
    code gives itself."""
    return code_of(code, Level.TOWNSHIP)


def breakdown_level(place_level: str | None) -> str:
    """The level a dashboard about a place of ``place_level`` breaks its figures down by:
    a city's (or the whole tree's: None) by county, so that each county can be opened in
    turn, anything smaller by township."""
    return Level.COUNTY if place_level in (None, Level.CITY) else Level.TOWNSHIP


def township_of_column(expression) -> Concat:
    """``township_of`` in SQL: ``expression`` is a field name or e.g. OuterRef("region_code")."""
    n = PREFIX_LENGTH[Level.TOWNSHIP]
    return Concat(Substr(expression, 1, n), Value("0" * (12 - n)), output_field=CharField())


def code_problem(code: str, level: str) -> str | None:
    """Why ``code`` cannot be a region of ``level`` (None when it can)."""
    if not CODE_RE.match(code or ""):
        return str(_("A region code has exactly 12 digits."))
    n = PREFIX_LENGTH[level]
    if code[n:] != "0" * (12 - n):
        return str(_("A %(level)s code ends in %(zeros)d zeros.") % {"level": Level(level).label, "zeros": 12 - n})
    if level != Level.CITY and set(code[PREFIX_LENGTH[PARENT_LEVEL[level]] : n]) == {"0"}:
        return str(_("The digits for this level cannot all be zero."))
    return None


def is_within(code: str, ancestor_code: str, ancestor_level: str) -> bool:
    return code.startswith(prefix(ancestor_code, ancestor_level))


SCOPE_LENGTHS = (2, 4, 6)  # province, city, county


def scope_prefixes(code: str, lengths: tuple[int, ...] = (2, 4)) -> list[str]:
    """Configuration scopes that apply to a record in ``code``: everywhere ("") and its
    province, city (and, where a rule allows, county) prefixes. Settings rows keyed by
    these let a smaller region override the wider default."""
    if not code:
        return [""]
    return ["", *(code[:n] for n in lengths)]


def is_scope_prefix(value: str, lengths: tuple[int, ...] = SCOPE_LENGTHS) -> bool:
    """Empty (everywhere) or a region prefix of one of ``lengths`` digits."""
    return not value or (value.isdigit() and len(value) in lengths)


def ancestor_codes(code: str) -> list[str]:
    """The codes of a region's township, county, city and province, nearest first,
    derived from the code itself (no query)."""
    candidates = [township_of(code), code_of(code, Level.COUNTY), code_of(code, Level.CITY),
                  code[:2].ljust(12, "0")]  # the province: no level of this tree
    out = []
    for c in candidates:
        if c not in out:
            out.append(c)
    return out

"""Rules versioned by region and by date: which row is in force for a place on a day.

A rule row has a ``scope`` (a region prefix: "" for everywhere, or 2, 4 or 6 digits for
a province, city or county) and an ``effective_from`` day. For a region code and a day,
the row in force is, among the rows whose scope covers the code and that took effect by
that day: the most local scope (a county's own limit beats the province's), then the
caller's tie-break (e.g. a program's own policy before the general one), then the
newest (next year's change applies from its first day without touching this year's
cases). Temporary-assistance rules, deadline policies and visit tiers all read their
rows through here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.utils import timezone

from .codes import SCOPE_LENGTHS, scope_prefixes

Row = TypeVar("Row")


def scopes(region_code: str) -> list[str]:
    """The scopes that cover ``region_code``: everywhere, its province, city and county."""
    return scope_prefixes(region_code, SCOPE_LENGTHS)


def pick(rows: Iterable[Row], region_code: str, on: datetime.date, *,
         prefer: Callable[[Row], object] | None = None) -> Row | None:
    """The row in force among ``rows`` (loaded already: a query's result, or rows a
    caller keeps for many lookups); None when none applies. ``prefer`` ranks rows of the
    same scope before their dates (a larger value wins). On a full tie the first row
    wins, so a caller's ordering decides, never the database's whim."""
    covering = set(scopes(region_code))
    chosen, chosen_key = None, None
    for row in rows:
        if row.scope not in covering or row.effective_from > on:
            continue
        key = (len(row.scope), prefer(row) if prefer else 0, row.effective_from)
        if chosen is None or key > chosen_key:
            chosen, chosen_key = row, key
    return chosen


def in_force(queryset, region_code: str, on: datetime.date | None = None, *,
             prefer: Callable[[Row], object] | None = None):
    """The row of ``queryset`` in force for ``region_code`` on ``on`` (default: today),
    reading only the rows that could apply."""
    on = on or timezone.localdate()
    rows = queryset.filter(scope__in=scopes(region_code), effective_from__lte=on)
    return pick(rows, region_code, on, prefer=prefer)

"""The review rule in force for a program, a place and a day (regions.rules picks the most
local row, then the newest that took effect)."""

from __future__ import annotations

import datetime

from regions.rules import in_force

from .models import ReviewRule


class MissingRule(LookupError):
    pass


def review_rule(program: str, region_code: str, on: datetime.date | None = None) -> ReviewRule:
    rule = in_force(ReviewRule.objects.filter(program=program), region_code, on)
    if rule is None:
        raise MissingRule(f"No {program} review rule for region {region_code}: add one in the admin.")
    return rule


class RuleBook:
    """Rules looked up once per (program, county) for a whole run: rules are scoped by at
    most a 6-digit prefix, so a city's cases need a handful of lookups."""

    def __init__(self, on: datetime.date):
        self.on = on
        self._rows: dict[str, list[ReviewRule]] = {}
        self._cache: dict[tuple[str, str], ReviewRule | None] = {}

    def get(self, program: str, region_code: str) -> ReviewRule | None:
        from regions.rules import pick

        key = (program, region_code[:6])
        if key not in self._cache:
            if program not in self._rows:
                self._rows[program] = list(ReviewRule.objects.filter(program=program, effective_from__lte=self.on)
                                           .order_by("pk"))
            self._cache[key] = pick(self._rows[program], region_code, self.on)
        return self._cache[key]

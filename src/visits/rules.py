"""Which tier rule applies to whom, and the calendar windows of each period.

Rules are rows (TierRule), versioned per region like deadline policies; this module
only reads them. ``RuleBook`` resolves the rules in force for a region once and then
matches thousands of people against them in memory.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from deadlines.calendar import end_of_day, local_zone
from regions.codes import Level, code_of
from regions.rules import pick

from .models import PERIOD_RANK, TIER_RANK, Period, TierRule

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Facts:
    """What the rules look at, for one person on one day."""

    age: int
    conditions: frozenset[str] = frozenset()
    disability_grade: int | None = None
    programs: frozenset[str] = field(default_factory=frozenset)


def matches(rule: TierRule, facts: Facts) -> bool:
    if rule.min_age is not None and facts.age < rule.min_age:
        return False
    if rule.max_age is not None and facts.age >= rule.max_age:
        return False
    if rule.program and rule.program not in facts.programs:
        return False
    if not rule.conditions and not rule.with_disability:
        return True  # age and program alone decide
    if facts.conditions.intersection(rule.conditions):
        return True
    return bool(rule.with_disability and facts.disability_grade is not None
                and (rule.max_disability_grade is None or facts.disability_grade <= rule.max_disability_grade))


def best(rules: list[TierRule]) -> TierRule | None:
    """The most severe tier wins; within a tier the most frequent period; then the code
    (so the choice never depends on the order rows come back in)."""
    return min(rules, key=lambda r: (-TIER_RANK[r.tier], PERIOD_RANK[r.period], r.code), default=None)


class RuleBook:
    """The rules in force on ``on``: every version is read once, and each rule (a
    ``code``) resolved per county by regions.rules.pick. Scopes are at most 6 digits (a
    county), so the rules of a county are resolved once and reused for all its villages."""

    def __init__(self, on: datetime.date | None = None):
        self.on = on or timezone.localdate()
        self._rows = list(TierRule.objects.filter(effective_from__lte=self.on).order_by("code", "pk"))
        self._versions: dict[str, list[TierRule]] = defaultdict(list)
        for rule in self._rows:
            self._versions[rule.code].append(rule)
        self._by_county: dict[str, list[TierRule]] = {}

    def rules_for(self, region_code: str) -> list[TierRule]:
        county = code_of(region_code, Level.COUNTY)
        found = self._by_county.get(county)
        if found is None:
            chosen = (pick(versions, county, self.on) for versions in self._versions.values())
            found = self._by_county[county] = [r for r in chosen if r is not None and r.active]
        return found

    def match(self, facts: Facts, region_code: str) -> TierRule | None:
        return best([r for r in self.rules_for(region_code) if matches(r, facts)])

    @property
    def programs(self) -> set[str]:
        return {r.program for r in self._rows if r.program and r.active}

    def candidates(self) -> Q | None:
        """Who could match any rule: a filter on Person, or None for everyone (a rule that
        needs no condition, disability, program or minimum age)."""
        from registry.models import PersonCondition

        from .models import VisitPlan

        # Subqueries, not joins: a person with three conditions is still one person.
        q = (Q(pk__in=PersonCondition.objects.values("person_id")) | Q(disability_grade__isnull=False)
             | Q(pk__in=VisitPlan.objects.filter(active=True).values("person_id")))
        for rule in self._rows:
            if not rule.active or rule.conditions or rule.with_disability:
                continue
            if rule.program:
                q |= Q(household__in=receiving_households(rule.program))
            elif rule.min_age is not None:
                q |= Q(birth_date__lte=_born_by(self.on, rule.min_age))
            else:
                return None
        return q


def _born_by(day: datetime.date, age: int) -> datetime.date:
    try:
        return day.replace(year=day.year - age)
    except ValueError:  # 29 February
        return day.replace(year=day.year - age, day=28)


def receiving_households(program: str):
    """Households with an approved application of ``program`` (a values() subquery)."""
    from assistance.models import Application
    from core import programs

    spec = programs.program(program)
    receiving = sorted(spec.receiving_statuses) if spec is not None else []
    return Application.objects.filter(program=program, status__in=receiving).values("household_id")


# --- Windows ------------------------------------------------------------------------------------

def window_days(period: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(first, last) day of the window of ``period`` that contains ``day``: Monday to
    Sunday, a calendar month, or a calendar quarter."""
    if period == Period.WEEK:
        first = day - datetime.timedelta(days=day.weekday())
        return first, first + datetime.timedelta(days=6)
    if period == Period.MONTH:
        first = day.replace(day=1)
        return first, _month_after(first) - ONE_DAY
    if period == Period.QUARTER:
        first = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return first, _month_after(_month_after(_month_after(first))) - ONE_DAY
    raise ValueError(f"unknown period {period!r}")


def _month_after(first: datetime.date) -> datetime.date:
    return datetime.date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def windows_between(period: str, first_day: datetime.date, last_day: datetime.date):
    """Every window of ``period`` that overlaps [first_day, last_day], in order."""
    day = first_day
    while day <= last_day:
        first, last = window_days(period, day)
        yield first, last
        day = last + ONE_DAY


def bounds(first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """A window as instants: local midnight of its first day to the midnight after its
    last day (the deadline's due time, as for every other day-based deadline)."""
    return datetime.datetime.combine(first, datetime.time.min, tzinfo=local_zone()), end_of_day(last)

"""What a new dibao standard would do: every registered household of the region tested
twice from the same facts, under the standards in force and under the hypothetical
one, and the enrolled cases' amounts compared.

The hypothetical standard is a ``DibaoStandard`` row that is never saved: the means
test's ``RuleBook`` reads it as if it were stored (the county's own row still beats a
city-wide one, as it would once saved). Nothing here writes; the caller runs it under
``readonly.reads_only``.

What the figures mean (docs/decisions/0013-what-if-and-duplicate-guard.md):

- *Eligible*: the household qualifies as a whole (per-capita income below the standard,
  assets within the rules), tested on the day the standard would take effect.
- *A case's amount*: what the means test gives it — the household's gap
  ((standard − per-capita income) × members), or for individual coverage (单人保) that
  member's own — as a review would set it (reviews.services.assess: members reported dead
  are not counted). A case that no longer qualifies exits gradually, as a review decides:
  it is still paid for the county's gradual-exit months (ReviewRule), then nothing.
- *Monthly cost*: the enrolled cases at their amounts under each rule, plus, under the
  new one, the households it makes eligible that have no case yet, as if they all
  applied (an upper bound: not every household applies). *Paid now* is what the cases'
  payment schedules pay in the month the standard would take effect.
- *Yearly change*: the twelve months from that day; a case exiting gradually is still
  paid its current amount for its exit months.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from assistance.models import Application, DibaoStandard
from means.calculation import MeansResult
from means.services import HouseholdFacts, RuleBook, household_facts
from regions.codes import PREFIX_LENGTH, Level, code_of, within
from regions.models import Region
from registry.models import Household
from workflows.enrolment.benefits import month_start
from workflows.enrolment.models import ONGOING_STATUSES, Status
from workflows.reviews.models import ChangeKind, ChangeReport
from workflows.reviews.rules import RuleBook as ReviewRuleBook
from workflows.rosters.services import paying_cases

from .models import Change, WhatIfRow

ZERO = Decimal("0.00")
MONTHS = 12  # a year's cost is twelve months of it
Progress = Callable[[int, int], object]


@dataclass(frozen=True, slots=True)
class EnrolledCase:
    application_id: int
    household_id: int
    status: str
    covered_member: int | None  # individual coverage (单人保): the one member covered


def case_amount(result: MeansResult, covered_member: int | None) -> Decimal | None:
    """What the means test gives a case, or None when it no longer qualifies: the
    household's amount when it qualifies as a whole; for individual coverage, that
    member's own amount (a household that qualifies as a whole is never covered only in
    part, so the member's case then no longer qualifies: reviews.services.assess)."""
    if not result.complete:
        return None
    if covered_member is None:
        return result.monthly_amount if result.eligible else None
    coverage = next((i for i in result.individual_coverage if i.person_id == covered_member), None)
    return coverage.amount if coverage is not None else None


@dataclass
class Tally:
    """One county's figures (or the whole region's)."""

    households: int = 0
    people: int = 0
    eligible_now: list[int] = field(default_factory=lambda: [0, 0])  # households, people
    eligible_new: list[int] = field(default_factory=lambda: [0, 0])
    newly_eligible: list[int] = field(default_factory=lambda: [0, 0])
    no_longer_eligible: list[int] = field(default_factory=lambda: [0, 0])
    enrolled: int = 0
    paid_now: Decimal = ZERO
    monthly_now: Decimal = ZERO  # the enrolled cases at their amounts under the rules in force
    cases_new: Decimal = ZERO  # the same cases under the new rule
    newcomers: int = 0  # households the new rule makes eligible that have no case yet
    newcomers_monthly: Decimal = ZERO
    exits_caused: int = 0  # cases qualifying now that would not under the new rule
    exits_new: int = 0  # enrolled (in payment, not yet exiting) cases not qualifying under the new rule
    amount_changes: int = 0
    yearly_change: Decimal = ZERO

    @property
    def monthly_new(self) -> Decimal:
        return self.cases_new + self.newcomers_monthly

    @property
    def monthly_change(self) -> Decimal:
        return self.monthly_new - self.monthly_now

    def add(self, other: Tally) -> None:
        for name in ("households", "people", "enrolled", "paid_now", "monthly_now", "cases_new", "newcomers",
                     "newcomers_monthly", "exits_caused", "exits_new", "amount_changes", "yearly_change"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("eligible_now", "eligible_new", "newly_eligible", "no_longer_eligible"):
            mine, theirs = getattr(self, name), getattr(other, name)
            mine[0] += theirs[0]
            mine[1] += theirs[1]

    def as_json(self) -> dict:
        def pair(counts):
            return {"households": counts[0], "people": counts[1]}

        return {
            "households": self.households, "people": self.people,
            "eligible_now": pair(self.eligible_now), "eligible_new": pair(self.eligible_new),
            "newly_eligible": pair(self.newly_eligible), "no_longer_eligible": pair(self.no_longer_eligible),
            "enrolled": self.enrolled, "paid_now": str(self.paid_now), "monthly_now": str(self.monthly_now),
            "cases_new": str(self.cases_new), "newcomers": self.newcomers,
            "newcomers_monthly": str(self.newcomers_monthly), "monthly_new": str(self.monthly_new),
            "monthly_change": str(self.monthly_change), "yearly_change": str(self.yearly_change),
            "exits_caused": self.exits_caused, "exits_new": self.exits_new, "amount_changes": self.amount_changes,
        }


def compare(tally: Tally, now: MeansResult, new: MeansResult, cases: Iterable[EnrolledCase], *,
            exit_months: int, paid: dict[int, Decimal], region_code: str = "", county_code: str = "") -> list[WhatIfRow]:
    """Add one household, tested under the rules in force (``now``) and the new ones
    (``new``), with its enrolled ``cases``, to ``tally``; return its affected rows
    (unsaved). ``paid``: what each case's schedule pays now."""
    cases = list(cases)
    household_id = now.household_id
    people = now.members
    rows: list[WhatIfRow] = []

    def row(change, *, application_id=None, amount_now=None, amount_new=None):
        rows.append(WhatIfRow(household_id=household_id, application_id=application_id, region_code=region_code,
                              county_code=county_code, change=change, people=people,
                              per_capita_income=now.per_capita_income if now.complete else None,
                              amount_now=amount_now, amount_new=amount_new))

    tally.households += 1
    tally.people += people
    was, will = now.complete and now.eligible, new.complete and new.eligible
    for flag, counts in ((was, tally.eligible_now), (will, tally.eligible_new)):
        if flag:
            counts[0] += 1
            counts[1] += people
    exiting = False
    for case in cases:
        tally.enrolled += 1
        tally.paid_now += paid.get(case.application_id, ZERO)
        before, after = case_amount(now, case.covered_member), case_amount(new, case.covered_member)
        tally.monthly_now += before or ZERO
        tally.cases_new += after or ZERO
        if after is None and case.status == Status.APPROVED:
            tally.exits_new += 1
        if before is not None and after is None:
            # A review under the new rule would begin a gradual exit: paid as now for the
            # exit months, then nothing.
            exiting = True
            tally.exits_caused += 1
            tally.yearly_change -= (MONTHS - min(exit_months, MONTHS)) * before
            row(Change.GRADUAL_EXIT, application_id=case.application_id, amount_now=before)
        elif after is not None:
            tally.yearly_change += MONTHS * (after - (before or ZERO))
            if after != before:
                tally.amount_changes += 1
                row(Change.AMOUNT, application_id=case.application_id, amount_now=before, amount_new=after)
    if will and not was:
        tally.newly_eligible[0] += 1
        tally.newly_eligible[1] += people
        if not any(case.covered_member is None for case in cases):
            # Eligible as a whole and without a case for the whole household: it may apply.
            tally.newcomers += 1
            tally.newcomers_monthly += new.monthly_amount
            tally.yearly_change += MONTHS * new.monthly_amount
        row(Change.NEWLY_ELIGIBLE, amount_new=new.monthly_amount)
    elif was and not will:
        tally.no_longer_eligible[0] += 1
        tally.no_longer_eligible[1] += people
        if not exiting:
            row(Change.NO_LONGER_ELIGIBLE, amount_now=now.monthly_amount)
    return rows


@dataclass
class Answer:
    result: dict
    rows: list[WhatIfRow]


def hypothetical_standards(scope: str, on: datetime.date, amounts: dict[str, Decimal]) -> list[DibaoStandard]:
    """The new standard as unsaved rows, one per registration given (urban, rural)."""
    return [DibaoStandard(scope=scope, registration=registration, effective_from=on, monthly_amount=amount)
            for registration, amount in amounts.items() if amount is not None]


def enrolled_cases(program: str, code: str, level: str) -> dict[int, list[EnrolledCase]]:
    """The region's cases of ``program`` in payment or exiting, by household."""
    out: dict[int, list[EnrolledCase]] = defaultdict(list)
    rows = (Application.objects.filter(within("region_code", code, level), program=program,
                                       status__in=list(ONGOING_STATUSES))
            .order_by("pk").values_list("pk", "household_id", "status", f"{program}__covered_member_id"))
    for pk, household_id, status, covered in rows.iterator(chunk_size=5000):
        out[household_id].append(EnrolledCase(pk, household_id, status, covered))
    return out


def deceased(case_ids: Iterable[int]) -> dict[int, set[int]]:
    """Members reported dead, by case (a review does not count them; the registry keeps people)."""
    out: dict[int, set[int]] = defaultdict(set)
    ids = list(case_ids)
    for start in range(0, len(ids), 5000):
        for application_id, member_id in (ChangeReport.objects.filter(
                application_id__in=ids[start:start + 5000], kind=ChangeKind.DEATH, member__isnull=False)
                .values_list("application_id", "member_id")):
            out[application_id].add(member_id)
    return out


def without(facts: HouseholdFacts, dead: set[int]) -> HouseholdFacts:
    """The facts without members reported dead and their own incomes."""
    return replace(facts, members=tuple(m for m in facts.members if m.id not in dead),
                   incomes=tuple(i for i in facts.incomes if i.person_id not in dead))


def compute(*, region_code: str, level: str, program: str, on: datetime.date, amounts: dict[str, Decimal],
            progress: Progress | None = None, chunk_size: int | None = None) -> Answer:
    """The answer for a new standard of ``amounts`` ({"urban": …, "rural": …}) from ``on``
    for the region ``region_code`` (a city or a county) and ``program``. Reads only."""
    scope = region_code[:PREFIX_LENGTH[level]]
    now_book = RuleBook(on)
    new_book = RuleBook(on, standards=hypothetical_standards(scope, on, amounts))
    review_book = ReviewRuleBook(on)
    households = Household.objects.filter(within("region__code", region_code, level))
    total = households.count()
    if progress is not None:
        progress(0, total)
    cases = enrolled_cases(program, region_code, level)
    dead_by_case = deceased(case.application_id for group in cases.values() for case in group)
    counties = list(Region.objects.filter(within("code", region_code, level), level=Level.COUNTY)
                    .order_by("code").values_list("code", "name"))
    month = month_start(on)
    paid: dict[int, Decimal] = {}
    for county, _name in counties:
        paid.update({pk: amount for pk, _program, amount, _people, _region in paying_cases(county, [program], month)})

    tallies: dict[str, Tally] = {county: Tally() for county, _name in counties}
    rows: list[WhatIfRow] = []
    exit_months: dict[str, int] = {}
    done = 0
    for facts in household_facts(households, on, **({"chunk_size": chunk_size} if chunk_size else {})):
        county = code_of(facts.region_code, Level.COUNTY)
        group = cases.get(facts.household_id, ())
        dead = set().union(*(dead_by_case.get(c.application_id, set()) for c in group)) if group else set()
        if dead:
            facts = without(facts, dead)
        if county not in exit_months:
            rule = review_book.get(program, facts.region_code)
            exit_months[county] = rule.gradual_exit_months if rule is not None else 0
        tally = tallies.setdefault(county, Tally())
        rows += compare(tally, facts.test(program, now_book), facts.test(program, new_book), group,
                        exit_months=exit_months[county], paid=paid, region_code=facts.region_code,
                        county_code=county)
        done += 1
        if progress is not None and done % (chunk_size or 2000) == 0:
            progress(done, total)
    if progress is not None:
        progress(done, total)

    names = dict(counties)
    whole = Tally()
    per_county = []
    for county, tally in sorted(tallies.items()):
        whole.add(tally)
        per_county.append({
            "code": county, "name": names.get(county, county),
            "standard_now": {r: _money(now_book.standard(county, r)) for r in ("urban", "rural")},
            "standard_new": {r: _money(new_book.standard(county, r)) for r in ("urban", "rural")},
            "exit_months": exit_months.get(county), **tally.as_json()})
    return Answer({"program": program, "on": on.isoformat(), "counties": per_county, "total": whole.as_json()}, rows)


def _money(value) -> str | None:
    return None if value is None else str(value)

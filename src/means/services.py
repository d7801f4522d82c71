"""The means test of a household, or of many: load the facts in force on a day, then
``means.calculation.compute``.

``means_test`` answers for one household (its page, the API); ``means_test_many`` for a
queryset of any size, a chunk of households at a time with one query per kind of fact
per chunk (households, members, illnesses, incomes, assets), never per household. The
dibao standard and the means-test rule come from their rows through regions.rules, the
one resolver of rules versioned by region and date. A ``RuleBook`` given hypothetical
standards answers "what if the standard were…" from the same facts, writing nothing
(``household_facts`` loads them once for a caller that tests them under two books).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance.models import DibaoStandard
from core.errors import InvalidInput
from regions.rules import in_force, pick
from registry.models import Asset, Condition, Household, Income, Person, PersonCondition

from .calculation import PROGRAMS, AssetRow, IncomeRow, MeansResult, Member, compute
from .models import MeansRule

CHUNK = 2000


def check_program(program) -> str:
    if program not in PROGRAMS:
        raise InvalidInput({"program": [_("Choose dibao or tekun.")]})
    return program


class RuleBook:
    """The dibao standards and means-test rules that took effect by ``on``, read once;
    each county's are picked the first time one of its households asks (rule scopes are
    at most a county's six digits, so every village of a county shares them).

    ``standards``: dibao-standard rows to read as if they were stored (unsaved
    ``DibaoStandard`` instances), for a question such as "what if the county's standard
    were 1,080.00 from July?". Each is picked among the stored rows as it would be once
    saved; one with the same scope, registration and date of effect as a stored row
    takes that row's place, as editing it would. Nothing is written."""

    def __init__(self, on: datetime.date, *, standards: Iterable[DibaoStandard] = ()):
        self.on = on
        extra = [row for row in standards if row.effective_from <= on]
        replaced = {(row.scope, row.registration, row.effective_from) for row in extra}
        stored = DibaoStandard.objects.filter(effective_from__lte=on).order_by("pk")
        self._standards = [row for row in stored
                           if (row.scope, row.registration, row.effective_from) not in replaced] + extra
        self._rules = list(MeansRule.objects.filter(effective_from__lte=on).order_by("pk"))
        self._standard: dict[tuple[str, str], object] = {}
        self._rule: dict[str, MeansRule | None] = {}

    def standard(self, region_code: str, registration: str):
        key = (region_code[:6], registration)
        if key not in self._standard:
            row = pick((s for s in self._standards if s.registration == registration), region_code, self.on)
            self._standard[key] = row.monthly_amount if row else None
        return self._standard[key]

    def rule(self, region_code: str) -> MeansRule | None:
        county = region_code[:6]
        if county not in self._rule:
            self._rule[county] = pick(self._rules, region_code, self.on)
        return self._rule[county]


def _member_facts(people: Iterable[Person]) -> list[Member]:
    """Facts of members loaded with their conditions prefetched (no further query)."""
    return [Member(p.pk, p.name, p.birth_date, p.disability_kind, p.disability_grade,
                   any(c.condition == Condition.SERIOUS_ILLNESS for c in p.conditions.all())) for p in people]


def means_test(household: Household, program: str, on: datetime.date | None = None, *,
               people: Iterable[Person] | None = None, incomes: Iterable[Income] | None = None,
               assets: Iterable[Asset] | None = None) -> MeansResult:
    """The means test of ``household`` for ``program`` ("dibao" or "tekun") on ``on``
    (default: today). A caller that has loaded the members (with their conditions), the
    income rows or the asset rows already, as the household page has, passes them and
    they are not read again; rows not in force on ``on`` are left out here."""
    program = check_program(program)
    on = on or timezone.localdate()
    if people is None:
        members = [Member(*row) for row in Person.objects.filter(household=household).order_by("pk").annotate(
            ill=Exists(PersonCondition.objects.filter(person=OuterRef("pk"), condition=Condition.SERIOUS_ILLNESS)),
        ).values_list("pk", "name", "birth_date", "disability_kind", "disability_grade", "ill")]
    else:
        members = _member_facts(people)
    if incomes is None:
        incomes = Income.objects.filter(household=household).in_force(on)
    if assets is None:
        assets = Asset.objects.filter(household=household).in_force(on)
    code = household.region_id
    standard = in_force(DibaoStandard.objects.filter(registration=household.registration), code, on)
    return compute(
        household_id=household.pk, registration=household.registration, program=program, on=on, members=members,
        incomes=[IncomeRow(i.person_id, i.kind, i.monthly_amount) for i in incomes if i.in_force_on(on)],
        assets=[AssetRow(a.kind, a.value) for a in assets if a.in_force_on(on)],
        dibao_standard=standard.monthly_amount if standard else None,
        rule=in_force(MeansRule.objects.all(), code, on),
    )


@dataclass(frozen=True, slots=True)
class HouseholdFacts:
    """What the means test reads of one household on a day: its members, and the income
    rows and asset valuations in force then."""

    household_id: int
    region_code: str
    registration: str
    on: datetime.date
    members: tuple[Member, ...]
    incomes: tuple[IncomeRow, ...]
    assets: tuple[AssetRow, ...]

    def test(self, program: str, book: RuleBook) -> MeansResult:
        """The means test of these facts for ``program`` under ``book``'s standards and rules."""
        return compute(household_id=self.household_id, registration=self.registration, program=program, on=self.on,
                       members=self.members, incomes=self.incomes, assets=self.assets,
                       dibao_standard=book.standard(self.region_code, self.registration),
                       rule=book.rule(self.region_code))


def household_facts(households, on: datetime.date, *, chunk_size: int = CHUNK) -> Iterator[HouseholdFacts]:
    """The facts of every household of the queryset ``households`` on ``on``, in order of
    their numbers, a chunk at a time: five queries per chunk of ``chunk_size`` households
    (households, illnesses, members, incomes, assets), never one per household."""
    base = households.order_by("pk").values_list("pk", "region_id", "registration")
    last = 0
    while True:
        chunk = list(base.filter(pk__gt=last)[:chunk_size])
        if not chunk:
            return
        last = chunk[-1][0]
        ids = [pk for pk, _region, _registration in chunk]
        ill = set(PersonCondition.objects.filter(person__household_id__in=ids, condition=Condition.SERIOUS_ILLNESS)
                  .values_list("person_id", flat=True))
        members: dict[int, list[Member]] = defaultdict(list)
        for pk, household_id, name, born, kind, grade in (
                Person.objects.filter(household_id__in=ids).order_by()
                .values_list("pk", "household_id", "name", "birth_date", "disability_kind", "disability_grade")):
            members[household_id].append(Member(pk, name, born, kind, grade, pk in ill))
        incomes: dict[int, list[IncomeRow]] = defaultdict(list)
        for household_id, person_id, kind, amount in (
                Income.objects.filter(household_id__in=ids).in_force(on).order_by()
                .values_list("household_id", "person_id", "kind", "monthly_amount")):
            incomes[household_id].append(IncomeRow(person_id, kind, amount))
        assets: dict[int, list[AssetRow]] = defaultdict(list)
        for household_id, kind, value in (Asset.objects.filter(household_id__in=ids).in_force(on).order_by()
                                          .values_list("household_id", "kind", "value")):
            assets[household_id].append(AssetRow(kind, value))
        for pk, region_code, registration in chunk:
            yield HouseholdFacts(pk, region_code, registration, on, tuple(members.get(pk, ())),
                                 tuple(incomes.get(pk, ())), tuple(assets.get(pk, ())))


def means_test_many(households, program: str, on: datetime.date | None = None, *,
                    chunk_size: int = CHUNK, book: RuleBook | None = None) -> Iterator[MeansResult]:
    """The means test of every household of the queryset ``households``, in order of
    their numbers, as a stream of results (a city's results need not all be held at
    once). Five queries per chunk of ``chunk_size`` households, two for the rules.
    ``book``: the standards and rules to test under (default: those stored, in force on
    ``on``); a book with hypothetical standards answers a what-if without writing."""
    program = check_program(program)
    on = on or timezone.localdate()
    if book is None:
        book = RuleBook(on)
    elif book.on != on:
        raise ValueError(f"the rule book is for {book.on}, the test for {on}")
    for facts in household_facts(households, on, chunk_size=chunk_size):
        yield facts.test(program, book)

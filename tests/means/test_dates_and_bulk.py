"""A means test for a past day gives the answer it gave then; the bulk test gives the
single one's answer in a fixed number of queries; the rules are rows per region and date."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import InvalidInput
from means.calculation import MeansResult
from means.models import MeansRule
from means.services import means_test, means_test_many
from registry.models import Household
from tests.conftest import VILLAGE_A1, VILLAGE_A2

from .conftest import ON, asset, county_rule, family, income, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def couple(alice, standards):
    """王桂英 78 (grade-2 visual disability) and 赵福生 81, urban, two small pensions."""
    household, people = family(alice, [
        person("赵福生", "1944-10-10", "head", female=False, conditions=["empty_nest"]),
        person("王桂英", "1947-05-05", "spouse", female=True, disability_kind="visual", disability_grade=2),
    ], village=VILLAGE_A1, registration="urban")
    income(alice, household, people["赵福生"], "pension", "260.00", "2024-01-01")
    income(alice, household, people["王桂英"], "pension", "180.00", "2024-01-01")
    return household, people


def test_an_income_recorded_later_does_not_change_an_earlier_day(alice, couple):
    household, people = couple
    before = means_test(household, "dibao", ON)

    # Their son starts sending 1,500.00 a month from May, and her pension rises from July.
    income(alice, household, people["赵福生"], "support", "1500.00", "2026-05-01")
    income(alice, household, people["王桂英"], "pension", "210.00", "2026-07-01")

    assert means_test(household, "dibao", ON) == before
    assert before.per_capita_income == Decimal("220.00") and before.monthly_amount == Decimal("1660.00")
    later = means_test(household, "dibao", datetime.date(2026, 8, 1))
    # 260.00 + 1,500.00 + 210.00 = 1,970.00 ÷ 2 = 985.00 < 1,050.00: still eligible, 130.00.
    assert later.counted_income == Decimal("1970.00") and later.monthly_amount == Decimal("130.00")


def test_the_standard_and_rule_in_force_on_the_day_are_used(alice, couple):
    household, _people = couple
    # 2025: the city's 1,000.00 (the county's own 1,050.00 takes effect in 2026).
    assert means_test(household, "dibao", datetime.date(2025, 6, 1)).standard == Decimal("1000.00")
    assert means_test(household, "dibao", ON).standard == Decimal("1050.00")
    # A rule for the county from July with a higher tekun multiple leaves March alone.
    MeansRule.objects.create(scope="370811", effective_from=datetime.date(2026, 7, 1),
                             tekun_multiple=Decimal("1.50"))
    assert means_test(household, "tekun", ON).standard == Decimal("1365.00")
    assert means_test(household, "tekun", datetime.date(2026, 7, 1)).standard == Decimal("1575.00")
    # Another county's rule never applies here.
    MeansRule.objects.create(scope="370812", effective_from=datetime.date(2025, 1, 1),
                             tekun_multiple=Decimal("2.00"))
    assert means_test(household, "tekun", ON).standard == Decimal("1365.00")


def test_a_member_not_yet_born_is_not_counted(alice, standards):
    household, people = family(alice, [
        person("钱淑芬", "1950-02-02", "head", female=True),
        person("钱小宝", "2026-06-01", "other", female=False),
    ], village=VILLAGE_A1, registration="urban")
    assert means_test(household, "dibao", ON).members == 1
    assert means_test(household, "dibao", datetime.date(2026, 6, 1)).members == 2


def test_an_unknown_program_is_refused(couple):
    household, _people = couple
    with pytest.raises(InvalidInput) as info:
        means_test(household, "temporary", ON)
    assert "program" in info.value.errors


def test_bulk_gives_the_single_answer_for_every_household(alice, standards):
    county_rule(work_cost="wage_share", work_cost_share=Decimal("0.3"), financial_asset_months=24, max_vehicles=1)
    made = []
    for i in range(7):
        household, people = family(alice, [
            person(f"孙{i}", f"19{40 + i}-03-0{i + 1}", "head", female=bool(i % 2),
                   conditions=["serious_illness"] if i % 3 == 0 else []),
            person(f"李{i}", f"19{50 + i}-04-0{i + 1}", "spouse", female=not i % 2,
                   disability_kind="mental" if i % 2 else None, disability_grade=3 if i % 2 else None),
        ], village=VILLAGE_A1 if i % 2 else VILLAGE_A2, registration="urban" if i % 2 else "rural")
        income(alice, household, people[f"孙{i}"], "pension", f"{200 + 150 * i}.00", "2024-01-01")
        income(alice, household, people[f"李{i}"], "wage", f"{300 * i}.00", "2025-01-01")
        income(alice, household, None, "farming", "400.00", "2025-01-01")
        income(alice, household, people[f"李{i}"], "assistance", "100.00", "2025-01-01")
        if i % 3 == 1:
            asset(alice, household, "deposit", f"{i * 9000}.00")
        if i == 5:
            asset(alice, household, "vehicle", "3000.00")
            asset(alice, household, "vehicle", "2000.00")
        made.append(household)

    singles = {h.pk: means_test(h, "dibao", ON) for h in made}
    with CaptureQueriesContext(connection) as captured:
        bulk = list(means_test_many(Household.objects.all(), "dibao", ON, chunk_size=3))
    assert [r.household_id for r in bulk] == sorted(singles)
    assert all(isinstance(r, MeansResult) and r == singles[r.household_id] for r in bulk)
    assert {r.eligible for r in bulk} == {True, False}  # the data is not all alike
    # Two for the rules, then per chunk of 3: households, illnesses, members, incomes, assets; one empty read.
    assert len(captured) == 2 + 3 * 5 + 1


def test_bulk_of_a_scoped_queryset_reads_only_those(alice, bob, couple):
    from tests.conftest import register_households

    register_households(bob, 2, village="370811002001")
    results = list(means_test_many(Household.objects.visible_to(alice), "dibao", ON))
    assert [r.household_id for r in results] == [couple[0].pk]

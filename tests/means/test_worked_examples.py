"""Worked examples of the means test, written out as a caseworker would check them by
hand: incomes by kind, exempt kinds, deductions, members, standard, result."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from means.services import means_test
from tests.conftest import VILLAGE_A1, VILLAGE_A2

from .conftest import ON, asset, county_rule, family, income, lines, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def widow(alice, standards):
    """刘桂兰, 80, widowed, urban, a 1,200.00 pension; her grandson 刘小军, 16, in school with a
    300.00 scholarship and 200.00 from his father working away."""
    household, people = family(alice, [
        person("刘桂兰", "1946-02-11", "head", female=True, conditions=["empty_nest"]),
        person("刘小军", "2010-05-20", "other", female=False, conditions=["left_behind"]),
    ], village=VILLAGE_A1, registration="urban")
    income(alice, household, people["刘桂兰"], "pension", "1200.00", "2024-01-01", note="企业职工基本养老保险")
    income(alice, household, people["刘小军"], "scholarship", "300.00", "2025-09-01", note="国家助学金")
    income(alice, household, people["刘小军"], "support", "200.00", "2025-01-01", note="父亲外出务工汇款")
    return household, people


def test_the_widow_and_her_grandson(widow):
    household, people = widow
    result = means_test(household, "dibao", ON)

    # Standard (任城区, urban, 2026): 1,050.00. Counted: pension 1,200.00 + support 200.00 = 1,400.00;
    # the scholarship is kept but not counted. No deduction: nobody earns a wage.
    # Per capita: 1,400.00 ÷ 2 = 700.00 < 1,050.00 → eligible; (1,050.00 − 700.00) × 2 = 700.00.
    assert result.standard == Decimal("1050.00")
    assert result.members == 2
    assert result.counted_income == Decimal("1400.00")
    assert result.exempt_income == Decimal("300.00")
    assert result.deductions == Decimal("0.00")
    assert result.per_capita_income == Decimal("700.00")
    assert result.assets_ok and result.eligible and not result.near_dibao
    assert result.monthly_amount == Decimal("700.00")
    assert set(result.covered) == {people["刘桂兰"].pk, people["刘小军"].pk}
    with translation.override("en"):
        assert lines(result) == [
            ("Dibao standard (Urban registration), per person a month", "1050.00"),
            ("Pension — 刘桂兰", "1200.00"),
            ("Support from relatives — 刘小军", "200.00"),
            ("Counted income", "1400.00"),
            ("Scholarship (not counted) — 刘小军", "300.00"),
            ("Exempt income (recorded, not counted)", "300.00"),
            ("Deductions", "0.00"),
            ("Income after deductions", "1400.00"),
            ("Per-capita income: 1,400.00 ÷ household size 2", "700.00"),
            ("Monthly amount: (1,050.00 − 700.00) × household size 2", "700.00"),
        ]
        assert "Per-capita income 700.00 is below the standard 1,050.00." in [str(r) for r in result.reasons]
    with translation.override("zh-hans"):
        assert lines(result)[0] == ("低保标准（城镇户籍，每人每月）", "1050.00")


def test_the_rural_couple_and_their_disabled_son(alice, standards):
    """王建国 66 and 李秀梅 63 farm their contracted land (1,500.00 a month, the household's);
    she draws the rural residents' pension, 200.00; their son 王小强, 38, has an intellectual
    disability of grade 2 and a 120.00 disability allowance."""
    household, people = family(alice, [
        person("王建国", "1960-04-02", "head", female=False),
        person("李秀梅", "1962-11-23", "spouse", female=True),
        person("王小强", "1987-08-08", "child", female=False, disability_kind="intellectual", disability_grade=2),
    ], village=VILLAGE_A2, registration="rural")
    income(alice, household, None, "farming", "1500.00", "2025-01-01", note="承包地种植收入")
    income(alice, household, people["李秀梅"], "pension", "200.00", "2024-07-01", note="城乡居民基本养老保险")
    income(alice, household, people["王小强"], "assistance", "120.00", "2024-01-01", note="重度残疾人护理补贴")

    result = means_test(household, "dibao", ON)

    # Standard (rural): 870.00. Counted 1,500.00 + 200.00 = 1,700.00; exempt 120.00.
    # Per capita 1,700.00 ÷ 3 = 566.666… → 566.67 (to the fen, half up) < 870.00: eligible.
    # Amount (870.00 − 566.67) × 3 = 303.33 × 3 = 909.99: the lines add up as shown.
    assert (result.standard, result.counted_income, result.exempt_income) == (
        Decimal("870.00"), Decimal("1700.00"), Decimal("120.00"))
    assert result.per_capita_income == Decimal("566.67")
    assert result.eligible and result.monthly_amount == Decimal("909.99")
    # The son would qualify alone, but the household qualifies: all three are covered, never a part.
    assert result.individual_coverage == ()
    assert len(result.covered) == 3
    with translation.override("en"):
        assert ("Farming income — the household as a whole", "1500.00") in lines(result)
        assert any("never covered only in part" in str(r) for r in result.reasons)


def test_a_working_daughter_with_the_wage_share_deduction(alice, standards):
    """张丽 58 cleans offices for 2,400.00; her father 张守田, 84, bedridden, has 300.00 of
    pension. The county deducts half of a working member's wages as the cost of working."""
    county_rule(work_cost="wage_share", work_cost_share=Decimal("0.5"))
    household, people = family(alice, [
        person("张丽", "1968-01-15", "head", female=True),
        person("张守田", "1942-03-30", "parent", female=False, conditions=["bedridden", "serious_illness"]),
    ], village=VILLAGE_A1, registration="urban")
    income(alice, household, people["张丽"], "wage", "2400.00", "2025-03-01", note="保洁公司工资")
    income(alice, household, people["张守田"], "pension", "300.00", "2024-01-01")

    result = means_test(household, "dibao", ON)

    # Counted 2,700.00 − deduction 1,200.00 (50 % of 2,400.00) = 1,500.00; ÷ 2 = 750.00 < 1,050.00.
    # Amount (1,050.00 − 750.00) × 2 = 600.00.
    assert result.deductions == Decimal("1200.00")
    assert result.per_capita_income == Decimal("750.00")
    assert result.eligible and result.monthly_amount == Decimal("600.00")
    with translation.override("en"):
        assert ("Work-cost deduction — 张丽: 50% of wages of 2,400.00", "1200.00") in lines(result)


def test_without_the_deduction_the_same_family_is_near_dibao_and_the_father_is_covered_alone(alice, standards):
    household, people = family(alice, [
        person("张丽", "1968-01-15", "head", female=True),
        person("张守田", "1942-03-30", "parent", female=False, conditions=["bedridden", "serious_illness"]),
    ], village=VILLAGE_A1, registration="urban")
    income(alice, household, people["张丽"], "wage", "2400.00", "2025-03-01")
    income(alice, household, people["张守田"], "pension", "300.00", "2024-01-01")

    result = means_test(household, "dibao", ON)

    # 2,700.00 ÷ 2 = 1,350.00: not below 1,050.00, below 1.5 × 1,050.00 = 1,575.00 → near-dibao.
    # The father is seriously ill: covered alone, 1,050.00 − his own 300.00 = 750.00.
    assert not result.eligible and result.near_dibao
    assert result.per_capita_income == Decimal("1350.00")
    (alone,) = result.individual_coverage
    assert (alone.person_id, alone.own_income, alone.amount) == (people["张守田"].pk, Decimal("300.00"),
                                                                 Decimal("750.00"))
    assert result.covered == (people["张守田"].pk,)
    assert result.monthly_amount == Decimal("750.00")
    with translation.override("en"):
        assert ("Near-dibao line: 1.50 × the standard", "1575.00") in lines(result)
        assert ("Individual coverage — 张守田: 1,050.00 − own income 300.00", "750.00") in lines(result)
        assert "张守田 (Serious illness) is covered on their own, as a one-person household." in [
            str(r) for r in result.reasons]


def test_a_fixed_deduction_per_earner_is_never_more_than_the_wage(alice, standards):
    """孙大爷 70 minds a car park for 250.00; the county deducts 300.00 per working member."""
    county_rule(work_cost="per_earner", work_cost_amount=Decimal("300.00"))
    household, people = family(alice, [person("孙福来", "1956-06-06", "head", female=False)],
                               village=VILLAGE_A1, registration="urban")
    income(alice, household, people["孙福来"], "wage", "250.00", "2025-06-01")
    income(alice, household, people["孙福来"], "pension", "180.00", "2024-01-01")

    result = means_test(household, "dibao", ON)

    # 430.00 counted − 250.00 (the fixed 300.00, capped at his wages) = 180.00; amount 1,050.00 − 180.00.
    assert result.deductions == Decimal("250.00")
    assert result.per_capita_income == Decimal("180.00")
    assert result.monthly_amount == Decimal("870.00")


def test_extreme_poverty_support_uses_its_multiple_of_the_standard(alice, standards):
    """周奶奶, 88, alone, 150.00 of pension: tekun's basic standard is 1.3 × 1,050.00 = 1,365.00."""
    household, people = family(alice, [person("周桂芝", "1938-01-09", "head", female=True,
                                              conditions=["living_alone", "unable_self_care"])],
                               village=VILLAGE_A1, registration="urban")
    income(alice, household, people["周桂芝"], "pension", "150.00", "2024-01-01")

    result = means_test(household, "tekun", ON)

    assert (result.dibao_standard, result.standard) == (Decimal("1050.00"), Decimal("1365.00"))
    assert result.eligible and result.monthly_amount == Decimal("1215.00")
    assert not result.near_dibao  # a rule of the minimum living guarantee, not of tekun


@pytest.mark.parametrize(("kind", "grade", "covered_alone"), [
    ("physical", 1, True), ("physical", 2, True), ("physical", 3, False),
    ("mental", 3, True), ("intellectual", 3, True), ("visual", 3, False), ("mental", 4, False),
])
def test_who_is_covered_alone_in_a_near_dibao_household(alice, standards, kind, grade, covered_alone):
    """A son earning 2,600.00 and his mother, 72, disabled, with a 150.00 pension: 2,750.00 ÷ 2
    = 1,375.00, between the standard and 1.5 × it."""
    household, people = family(alice, [
        person("陈志刚", "1981-02-14", "head", female=False),
        person("吴凤英", "1954-07-01", "parent", female=True, disability_kind=kind, disability_grade=grade),
    ], village=VILLAGE_A1, registration="urban")
    income(alice, household, people["陈志刚"], "wage", "2600.00", "2025-01-01")
    income(alice, household, people["吴凤英"], "pension", "150.00", "2024-01-01")

    result = means_test(household, "dibao", ON)

    assert result.near_dibao and not result.eligible
    if covered_alone:
        assert result.covered == (people["吴凤英"].pk,)
        assert result.monthly_amount == Decimal("900.00")  # 1,050.00 − 150.00, for her alone
    else:
        assert result.covered == () and result.monthly_amount == Decimal("0.00")


def test_savings_above_the_limit_rule_out_the_household(alice, standards, widow):
    """The widow's household with 60,000.00 in the bank, where the county allows 24 months of the
    standard per member: 24 × 1,050.00 × 2 = 50,400.00."""
    household, _people = widow
    county_rule(financial_asset_months=24, max_houses=1)
    asset(alice, household, "deposit", "60000.00")
    asset(alice, household, "house", "180000.00", note="自住房")

    result = means_test(household, "dibao", ON)

    assert not result.assets_ok and not result.eligible and not result.near_dibao
    assert result.monthly_amount == Decimal("0.00")
    with translation.override("en"):
        assert ("Limit: 24 months × 1,050.00 × household size 2", "50400.00") in lines(result)
        assert "Deposits and securities of 60,000.00 are above the limit of 50,400.00." in [
            str(r) for r in result.reasons]

    # The next bank statement replaces the last one: 30,000.00 is within the limit.
    asset(alice, household, "deposit", "30000.00", as_of="2026-02-01")
    assert means_test(household, "dibao", ON).eligible


def test_a_second_house_is_more_than_the_rules_allow(alice, standards, widow):
    household, _people = widow
    county_rule(max_houses=1)
    asset(alice, household, "house", "180000.00", note="自住房")
    asset(alice, household, "house", "90000.00", note="老宅")

    result = means_test(household, "dibao", ON)

    assert not result.assets_ok and not result.eligible
    with translation.override("en"):
        assert "2 houses; the rules allow 1." in [str(r) for r in result.reasons]


def test_without_a_standard_nothing_is_decided(alice, regions):
    """A county with no standard at all (the city's rows are removed): the result says so."""
    from assistance.models import DibaoStandard

    DibaoStandard.objects.all().delete()
    household, _people = family(alice, [person("赵玉兰", "1940-01-01", "head", female=True)],
                                village=VILLAGE_A1, registration="urban")
    result = means_test(household, "dibao", ON)
    assert not result.complete and not result.eligible and result.standard is None
    with translation.override("en"):
        assert "No dibao standard is in force" in str(result.reasons[0])

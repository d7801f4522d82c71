"""What an enrolment pays, through the flow: the means test's gap for a documented
household, exempt incomes that change nothing, individual coverage (单人保) of one
severely disabled member of a near-dibao household, the refusal to cover a qualifying
household only in part, and payment from the month after approval.

Standards (tests/means/conftest.py): 任城区 rural 870.00 from 2026; 特困's basic standard
is 1.3 × 870.00 = 1,131.00; the near-dibao line 1.5 × 870.00 = 1,305.00."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from core.errors import InvalidInput
from tests.conftest import VILLAGE_A2
from tests.means.conftest import family, income, person

from .conftest import (
    PROGRAMS,
    do,
    end_notice,
    open_case,
    open_steps,
    reload,
    walk_to_confirmation,
    walk_to_review,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def grandmother_son_grandson(alice, standards):
    """刘 household, rural: 刘玉珍 (77) has a 260.00 rural pension; her son 陈志强 (born
    1975) is seriously ill and farms what he can, 420.00 a month from the household's plot;
    a daughter in the city sends 150.00 a month; the grandson 陈浩 (born 2012) is at school.
    Counted income 260.00 + 420.00 + 150.00 = 830.00 for 3 people."""
    household, people = family(alice, [
        person("刘玉珍", "1949-03-08", "head", female=True),
        person("陈志强", "1975-11-20", "child", female=False, conditions=["serious_illness"]),
        person("陈浩", "2012-09-01", "other", female=False),
    ], village=VILLAGE_A2, registration="rural", address="西关村2组7号")
    income(alice, household, people["刘玉珍"], "pension", "260.00", "2024-01-01")
    income(alice, household, None, "farming", "420.00", "2025-01-01")
    income(alice, household, None, "support", "150.00", "2025-06-01", note="女儿每月汇款")
    return household, people


# Per capita 830.00 ÷ 3 = 276.666… → 276.67 (to the fen, as the notice prints it).
# 低保: (870.00 − 276.67) × 3 = 1,779.99.   特困: (1,131.00 − 276.67) × 3 = 2,562.99.
WORKED = {"dibao": Decimal("1779.99"), "tekun": Decimal("2562.99")}


@pytest.mark.parametrize("program", PROGRAMS)
def test_the_recommended_amount_is_the_gap_times_the_members(program, alice, amy, hana, cora, carol,
                                                             grandmother_son_grandson):
    household, _people = grandmother_son_grandson
    case = open_case(alice, household, program)
    walk_to_review(case, alice, amy, cora, program)
    do(hana, case, "township_review", decision="recommend")
    case = reload(case)
    assert case.recommended_amount == WORKED[program]
    means = getattr(case, program).means
    assert (means["members"], means["per_capita_income"], means["monthly_amount"]) == (
        3, "276.67", str(WORKED[program]))
    assert means["standard"] == {"dibao": "870.00", "tekun": "1131.00"}[program]
    assert getattr(case, program).household_size == 3
    end_notice(case)
    do(carol, case, "county_confirm", decision="approve")
    assert reload(case).amount_approved == WORKED[program]


@pytest.mark.parametrize("program", PROGRAMS)
def test_exempt_incomes_do_not_change_the_amount(program, alice, amy, hana, cora, carol,
                                                 grandmother_son_grandson):
    """The son's temporary assistance and the grandmother's veteran's survivor benefit
    are recorded by the investigation, and counted nowhere."""
    household, people = grandmother_son_grandson
    income(alice, household, people["陈志强"], "assistance", "1500.00", "2026-01-01", note="临时救助（大病）")
    income(alice, household, people["刘玉珍"], "veteran_benefit", "1200.00", "2025-01-01", note="烈属抚恤金")
    case = open_case(alice, household, program)
    walk_to_confirmation(case, program, alice, amy, cora, hana)
    do(carol, case, "county_confirm", decision="approve")
    case = reload(case)
    assert case.amount_approved == WORKED[program]
    means = getattr(case, program).means
    assert means["per_capita_income"] == "276.67"
    amounts = [line["amount"] for line in means["lines"]]
    assert "830.00" in amounts and "2700.00" in amounts  # counted, and exempt (1,500.00 + 1,200.00): shown


@pytest.mark.parametrize("program", PROGRAMS)
def test_no_more_than_the_means_test_gives(program, alice, amy, hana, cora, carol, grandmother_son_grandson):
    household, _people = grandmother_son_grandson
    case = open_case(alice, household, program)
    walk_to_review(case, alice, amy, cora, program)
    with pytest.raises(InvalidInput) as refused:
        do(hana, case, "township_review", decision="recommend", amount=str(WORKED[program] + Decimal("0.01")))
    assert "amount" in refused.value.errors
    do(hana, case, "township_review", decision="recommend", amount="1500.00")  # less is the township's call
    end_notice(case)
    with pytest.raises(InvalidInput):
        do(carol, case, "county_confirm", decision="approve", amount_approved="9999.00")
    do(carol, case, "county_confirm", decision="approve")  # the recommended amount, by default
    assert reload(case).amount_approved == Decimal("1500.00")


def test_individual_coverage_of_a_severely_disabled_son(alice, amy, hana, cora, carol, widow_with_disabled_son):
    household, people = widow_with_disabled_son
    son = people["张建国"]
    case = open_case(alice, household, "dibao", covered_member=son.pk)
    assert reload(case).dibao.covered_member == son
    walk_to_review(case, alice, amy, cora, "dibao")
    do(hana, case, "township_review", decision="recommend", reason="单人保：一级肢体残疾")
    case = reload(case)
    assert case.recommended_amount == Decimal("870.00")
    from workflows.enrolment.models import PublicNotice
    (posted,) = PublicNotice.objects.filter(application=case)
    assert posted.entries == [{"name": "张*国", "household_size": 1, "amount": "870.00"}]  # the son, alone
    end_notice(case)
    do(carol, case, "county_confirm", decision="approve")
    case = reload(case)
    assert (case.status, case.amount_approved, case.dibao.household_size) == ("approved", Decimal("870.00"), 1)


def test_a_member_who_does_not_qualify_is_not_covered_alone(alice, widow_with_disabled_son):
    household, people = widow_with_disabled_son
    with pytest.raises(InvalidInput) as refused:
        open_case(alice, household, "dibao", covered_member=people["王秀兰"].pk)  # 74, not disabled
    assert "covered_member" in refused.value.errors


@pytest.mark.parametrize("program", PROGRAMS)
def test_a_qualifying_household_is_never_covered_in_part(program, alice, poor_couple):
    """The couple qualifies as a whole: covering one of them alone is refused, nothing opens."""
    from assistance.models import Application

    member = poor_couple.members.get(name="李桂英")
    with pytest.raises(InvalidInput) as refused:
        open_case(alice, poor_couple, program, covered_member=member.pk)
    assert "covered_member" in refused.value.errors
    assert not Application.objects.filter(household=poor_couple).exists()


def test_tekun_covers_no_member_alone(alice, widow_with_disabled_son):
    """单人保 is 低保's: 特困 has no near-dibao line to cover a member from."""
    household, people = widow_with_disabled_son
    with pytest.raises(InvalidInput) as refused:
        open_case(alice, household, "tekun", covered_member=people["张建国"].pk)
    assert "covered_member" in refused.value.errors


def test_a_household_that_now_qualifies_whole_is_not_covered_in_part_at_the_review(
        alice, amy, hana, cora, widow_with_disabled_son):
    """The widow's pension stops after the case opened: the household now qualifies as a
    whole, and the review refuses to recommend the son alone."""
    household, people = widow_with_disabled_son
    case = open_case(alice, household, "dibao", covered_member=people["张建国"].pk)
    walk_to_review(case, alice, amy, cora, "dibao")
    today = timezone.localdate()
    income(alice, household, people["王秀兰"], "pension", "600.00", today.isoformat())
    with pytest.raises(InvalidInput) as refused:
        do(hana, case, "township_review", decision="recommend")
    assert "decision" in refused.value.errors
    assert reload(case).status == "township_review" and open_steps(case) == ["township_review"]


# --- payment from the month after approval ----------------------------------------------------------

@pytest.mark.parametrize(("confirmed", "paid_from"), [
    (datetime.datetime(2026, 3, 20, 15, 0, tzinfo=SHANGHAI), datetime.date(2026, 4, 1)),
    (datetime.datetime(2026, 4, 30, 23, 30, tzinfo=SHANGHAI), datetime.date(2026, 5, 1)),   # the last evening of the month
    (datetime.datetime(2026, 1, 31, 9, 0, tzinfo=SHANGHAI), datetime.date(2026, 2, 1)),
    (datetime.datetime(2026, 12, 31, 16, 0, tzinfo=SHANGHAI), datetime.date(2027, 1, 1)),   # into the next year
    (datetime.datetime(2026, 12, 1, 0, 10, tzinfo=SHANGHAI), datetime.date(2027, 1, 1)),    # just after midnight in Shanghai
])
@pytest.mark.parametrize("program", PROGRAMS)
def test_paid_from_the_month_after_approval(program, confirmed, paid_from, alice, amy, hana, cora, carol,
                                            poor_couple):
    with time_machine.travel(confirmed - datetime.timedelta(days=12), tick=False) as traveller:
        case = open_case(alice, poor_couple, program)
        walk_to_review(case, alice, amy, cora, program)
        do(hana, case, "township_review", decision="recommend")
        traveller.move_to(confirmed)  # the seven days of the notice are over
        assert open_steps(case) == ["county_confirm"]
        do(carol, case, "county_confirm", decision="approve")
    case = reload(case)
    assert case.decided_at == confirmed
    assert getattr(case, program).paid_from == paid_from


def test_the_case_export_shows_the_programs_own_columns(alice, amy, hana, cora, carol, poor_couple, tmp_path):
    """The list's export read every program's columns; enrolment's had no choices (None)
    and the export failed for everyone once 低保 and 特困 were registered."""
    import io

    from django.utils import translation
    from openpyxl import load_workbook

    from assistance.models import Application
    from web.case_export import write_applications

    with time_machine.travel(datetime.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI), tick=False) as traveller:
        case = open_case(alice, poor_couple, "tekun")
        walk_to_review(case, alice, amy, cora, "tekun")
        do(hana, case, "township_review", decision="recommend")
        traveller.shift(datetime.timedelta(days=10))
        do(carol, case, "county_confirm", decision="approve")
    out = io.BytesIO()
    with translation.override("en"):
        assert write_applications(Application.objects.all(), out) == 1
    header, row = load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows(values_only=True)
    own = dict(zip(header, row, strict=True))
    assert (own["Confirmation delegated"], own["People covered"], own["Paid from (month)"], own["Self-care"]) == (
        "No", "2", "2026-04-01", "Self-caring")

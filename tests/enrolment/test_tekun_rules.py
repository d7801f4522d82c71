"""特困's own rules: the self-care grading from six daily activities, who is unable to
work (《特困人员认定办法》第七条: 60 or over, under 16, intellectual or mental disability
grade 1–3, physical 1–2, visual 1), the refusal to recommend or approve someone who can
work, and the county's spot checks of at least 30 % of a month's approved cases."""

from __future__ import annotations

import datetime
import itertools
import math
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.errors import InvalidInput, NotPermitted
from registry.models import Person
from tests.conftest import VILLAGE_A2, make_staff
from tests.means.conftest import family, income, person
from workflows.enrolment.models import EnrolmentRule, SelfCare, SpotCheck
from workflows.tekun.models import ACTIVITIES
from workflows.tekun.services import draw_spot_checks, grade, unable_to_work

from .conftest import SELF_CARING, county_rule, do, end_notice, investigation, open_case, reload, walk_to_review

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- self-care -------------------------------------------------------------------------------------

@pytest.mark.parametrize("done", list(itertools.product((True, False), repeat=6)),
                         ids=lambda done: "".join("1" if d else "0" for d in done))
def test_self_care_grade_of_every_combination(done):
    """All 64 answers: none missed → self-caring; 1–3 not done → partly; 4–6 → fully dependent."""
    answers = dict(zip(ACTIVITIES, done, strict=True))
    not_done = done.count(False)
    expected = (SelfCare.SELF_CARING if not_done == 0 else SelfCare.PARTLY if not_done <= 3 else SelfCare.FULLY)
    assert grade(answers) == expected


def test_an_activity_not_answered_counts_as_not_done():
    assert grade({}) == SelfCare.FULLY
    assert grade({key: True for key in list(ACTIVITIES)[:5]}) == SelfCare.PARTLY


def test_the_investigation_records_the_grade_and_why_the_applicant_cannot_work(alice, amy, poor_couple):
    case = open_case(alice, poor_couple, "tekun")
    do(alice, case, "intake", complete=True)
    care = {**SELF_CARING, "bathing": False, "walking": False, "transferring": False, "toileting": False}
    do(amy, case, "investigate", **investigation("tekun", self_care=care))
    details = reload(case).tekun
    assert (details.self_care, details.self_care_grade, details.unable_to_work) == (
        care, SelfCare.FULLY, True)
    assert "75" in details.unable_reason  # 孙守田, born April 1951


def test_the_investigation_needs_all_six_answers(alice, amy, poor_couple):
    case = open_case(alice, poor_couple, "tekun")
    do(alice, case, "intake", complete=True)
    for care in (None, {k: True for k in list(ACTIVITIES)[:5]}, {**SELF_CARING, "eating": "yes"}):
        with pytest.raises(InvalidInput) as refused:
            do(amy, case, "investigate", **investigation("tekun", self_care=care))
        assert "self_care" in refused.value.errors
    assert reload(case).status == "investigation"


# --- unable to work ---------------------------------------------------------------------------------

ON = datetime.date(2026, 3, 1)


def someone(born: str, kind=None, grade=None) -> Person:
    return Person(name="某人", birth_date=datetime.date.fromisoformat(born), disability_kind=kind,
                  disability_grade=grade)


@pytest.mark.parametrize(("who", "unable"), [
    (someone("1966-03-01"), True),              # 60 today
    (someone("1966-03-02"), False),             # 60 tomorrow
    (someone("1948-07-15"), True),              # 77
    (someone("2010-03-02"), True),              # 15
    (someone("2010-03-01"), False),             # 16 today
    (someone("1980-05-05", "intellectual", 3), True),
    (someone("1980-05-05", "intellectual", 4), False),
    (someone("1980-05-05", "mental", 1), True),
    (someone("1980-05-05", "mental", 3), True),
    (someone("1980-05-05", "mental", 4), False),
    (someone("1980-05-05", "physical", 2), True),
    (someone("1980-05-05", "physical", 3), False),
    (someone("1980-05-05", "visual", 1), True),
    (someone("1980-05-05", "visual", 2), False),
    (someone("1980-05-05", "hearing", 1), False),  # not among the national criteria
    (someone("1980-05-05", "speech", 1), False),
    (someone("1980-05-05"), False),
], ids=lambda v: "" if isinstance(v, bool) else f"{v.birth_date}-{v.disability_kind}-{v.disability_grade}")
def test_unable_to_work_under_the_national_rule(reference_data, who, unable):
    rule = EnrolmentRule.objects.get(program="tekun", scope="")
    assert bool(unable_to_work(who, rule, ON)) is unable


def test_a_county_may_set_its_own_criteria(regions):
    rule = county_rule("tekun", unable_age_from=55, unable_grade_physical=3)
    assert unable_to_work(someone("1970-01-01"), rule, ON)  # 56
    assert unable_to_work(someone("1980-05-05", "physical", 3), rule, ON)


@pytest.fixture
def able_man(alice, standards):
    """A man of 45 living alone, no disability, casual work now and then: poor, but able to work."""
    household, people = family(alice, [person("赵大勇", "1981-04-12", "head", female=False)],
                               village=VILLAGE_A2, registration="rural", address="西关村1组20号")
    income(alice, household, people["赵大勇"], "wage", "300.00", "2025-01-01", note="零工")
    return household


def test_someone_able_to_work_is_not_recommended(alice, amy, hana, cora, able_man):
    case = open_case(alice, able_man, "tekun")
    walk_to_review(case, alice, amy, cora, "tekun")
    assert reload(case).tekun.unable_to_work is False
    with pytest.raises(InvalidInput) as refused:
        do(hana, case, "township_review", decision="recommend")
    assert "decision" in refused.value.errors
    assert reload(case).status == "township_review"
    do(hana, case, "township_review", decision="reject", reason="具有劳动能力，不符合特困供养条件，可申请低保")
    assert reload(case).status == "rejected"


def test_the_same_man_may_have_dibao(alice, amy, hana, cora, able_man):
    case = open_case(alice, able_man, "dibao")
    walk_to_review(case, alice, amy, cora, "dibao")
    do(hana, case, "township_review", decision="recommend")
    assert reload(case).recommended_amount == 570  # 870.00 − 300.00, one person


# --- spot checks -------------------------------------------------------------------------------------

MARCH = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
_born = itertools.count()


def elderly_alone(alice, n: int):
    """``n`` people of 70-odd living alone on a small rural pension."""
    out = []
    for i in range(n):
        born = (datetime.date(1950, 1, 1) + datetime.timedelta(days=97 * next(_born))).isoformat()
        household, people = family(alice, [person(f"独居老人{i:02d}", born, "head")],
                                   village=VILLAGE_A2, registration="rural", address=f"西关村养老院旁{i}号")
        income(alice, household, None, "pension", "180.00", "2024-01-01")
        out.append(household)
    return out


def approve_all(households, alice, amy, hana, cora, carol, *, decision="approve"):
    cases = []
    for household in households:
        case = open_case(alice, household, "tekun")
        walk_to_review(case, alice, amy, cora, "tekun")
        do(hana, case, "township_review", decision="recommend")
        end_notice(case)
        do(carol, case, "county_confirm", decision=decision, reason="" if decision == "approve" else "有法定赡养人")
        cases.append(case.pk)
    return cases


def test_spot_checks_draw_a_share_at_random_never_twice_and_top_up(alice, amy, hana, cora, carol, standards):
    with time_machine.travel(MARCH, tick=False) as traveller:
        march = approve_all(elderly_alone(alice, 4), alice, amy, hana, cora, carol)
        approve_all(elderly_alone(alice, 1), alice, amy, hana, cora, carol, decision="reject")

        first = draw_spot_checks(carol, "370811000000", "2026-03")
        assert len(first) == math.ceil(4 * 0.3) == 2
        assert {c.application_id for c in first} <= set(march)
        assert all((c.county_code, c.period, c.drawn_by) == ("370811000000", "2026-03", carol) for c in first)
        again = draw_spot_checks(carol, "370811000000", "2026-03")  # nothing new approved: nothing new drawn
        assert [c.pk for c in again] == [c.pk for c in first]

        traveller.shift(datetime.timedelta(days=10))
        march += approve_all(elderly_alone(alice, 3), alice, amy, hana, cora, carol)
        topped = draw_spot_checks(carol, "370811000000", "2026-03")
        assert len(topped) == math.ceil(7 * 0.3) == 3
        assert {c.pk for c in first} < {c.pk for c in topped}  # the earlier draw stands, one more is added
        assert {c.application_id for c in topped} <= set(march)

        traveller.move_to(datetime.datetime(2026, 4, 8, 9, 0, tzinfo=SHANGHAI))
        april = approve_all(elderly_alone(alice, 1), alice, amy, hana, cora, carol)
        (in_april,) = draw_spot_checks(carol, "370811000000", "2026-04")
        assert in_april.application_id == april[0]
    assert SpotCheck.objects.count() == 4
    assert SpotCheck.objects.values("application_id").distinct().count() == 4


def test_the_draw_is_random(alice, amy, hana, cora, carol, standards, monkeypatch):
    """The cases come from random.SystemRandom().sample over the cases not yet drawn."""
    import random

    seen = []

    class Recording(random.Random):
        def sample(self, population, k):
            seen.append((list(population), k))
            return population[-k:] if k else []

    monkeypatch.setattr("workflows.tekun.services.random.SystemRandom", Recording)
    with time_machine.travel(MARCH, tick=False):
        cases = approve_all(elderly_alone(alice, 3), alice, amy, hana, cora, carol)
        (drawn,) = draw_spot_checks(carol, "370811000000", "2026-03")
    assert seen == [(sorted(cases), 1)]
    assert drawn.application_id == sorted(cases)[-1]


def test_only_the_county_draws_its_own_spot_checks(alice, hana, sam, otto, carol, regions):
    for not_county_reviewer in (alice, hana, sam, otto):
        with pytest.raises(NotPermitted):
            draw_spot_checks(not_county_reviewer, "370811000000", "2026-03")
    another = make_staff("cyril", ["county_reviewer"], "370812000000")
    with pytest.raises(InvalidInput):
        draw_spot_checks(another, "370811000000", "2026-03")
    for county, period in (("370811001000", "2026-03"), ("370811000000", "2026-13"), ("370811000000", "三月")):
        with pytest.raises(InvalidInput):
            draw_spot_checks(carol, county, period)
    assert not SpotCheck.objects.exists()

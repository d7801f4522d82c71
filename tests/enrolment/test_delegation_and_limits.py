"""Who confirms and within what time: confirmation delegated to the township (低保's whole
case then has 20 working days from intake instead of 30), a staff relative's case that is
never delegated and is visited by the county, and the extension to 45 working days with
a recorded reason.

The cases are taken in on Friday 25 September 2026, just before the National Day
holidays, so the working-day arithmetic has holidays and make-up days to count."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.errors import Conflict, InvalidInput, NotPermitted
from deadlines.calendar import WorkingCalendar, end_of_day
from deadlines.models import Deadline
from tests.conftest import make_staff
from workflows.enrolment.services import extend

from .conftest import (
    PROGRAMS,
    county_rule,
    do,
    end_notice,
    investigation,
    open_case,
    open_steps,
    reload,
    walk_to_confirmation,
    walk_to_review,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
INTAKE = datetime.datetime(2026, 9, 25, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def at_intake():
    with time_machine.travel(INTAKE, tick=False) as traveller:
        yield traveller


def case_clock(case) -> Deadline | None:
    """The whole-case clock: a deadline whose subject is the case itself, not one of its tasks."""
    return Deadline.objects.filter(application_id=case.pk).exclude(subject_type__model="task").first()


def due_after(working_days: int) -> datetime.datetime:
    return end_of_day(WorkingCalendar("370811001002").add_working_days(INTAKE.date(), working_days))


def test_the_expected_due_dates_count_the_national_day_holidays(reference_data, at_intake):
    from deadlines.calendar_admin import load_year
    load_year(2026)
    # Twenty working days from 25 September are more than four weeks of weekdays.
    assert due_after(20) > end_of_day(INTAKE.date() + datetime.timedelta(days=28))
    assert due_after(20) < due_after(30) < due_after(45)


@pytest.mark.parametrize("program", PROGRAMS)
def test_delegated_confirmation_by_the_township(program, at_intake, alice, amy, hana, hugo, cora, carol,
                                                poor_couple):
    county_rule(program, delegated=True)
    case = open_case(alice, poor_couple, program)
    assert getattr(reload(case), program).delegated is True
    do(alice, case, "intake", complete=True)
    clock = case_clock(case)
    if program == "dibao":
        assert (clock.step, clock.started_at, clock.due_at) == ("case_delegated", INTAKE, due_after(20))
    else:
        assert clock is None  # 特困's limits are per stage (15 working days each), not for the whole case

    at_intake.shift(datetime.timedelta(days=1))
    do(amy, case, "investigate", **investigation(program))
    do(cora, case, "verify", results={s: "clear" for s in ("registration", "tax", "social_insurance", "property",
                                                            "vehicle", "business", "deposit", "securities")})
    do(hana, case, "township_review", decision="recommend")
    assert open_steps(case) == ["township_confirm"]
    with pytest.raises(Conflict):  # the notice runs
        do(hugo, case, "township_confirm", decision="approve")
    end_notice(case)
    with pytest.raises(NotPermitted):  # the county does not confirm a delegated case
        do(carol, case, "township_confirm", decision="approve")
    do(hugo, case, "township_confirm", decision="approve", reason="经授权审核确认")
    case = reload(case)
    assert (case.status, case.decision_level, case.decided_by) == ("approved", "township", hugo)
    if program == "dibao":
        assert case_clock(case).status == "closed"


@pytest.mark.parametrize("program", PROGRAMS)
def test_a_staff_relative_is_never_delegated_and_the_county_visits(program, at_intake, alice, amy, hana, hugo,
                                                                   carol, cora, cai, poor_couple):
    county_rule(program, delegated=True)
    case = open_case(alice, poor_couple, program, related_to_staff=True)
    assert getattr(reload(case), program).delegated is False
    do(alice, case, "intake", complete=True)
    if program == "dibao":
        clock = case_clock(case)
        assert (clock.step, clock.due_at) == ("case", due_after(30))
    assert open_steps(case) == ["county_investigate"]
    with pytest.raises(NotPermitted):  # the township does not visit its own staff's relatives
        do(amy, case, "county_investigate", **investigation(program))
    with pytest.raises(InvalidInput) as refused:
        do(carol, case, "county_investigate", **investigation(program, team=("carol", "alice")))
    assert "investigators" in refused.value.errors
    do(carol, case, "county_investigate", **investigation(program, team=("carol", "cora")))
    assert set(reload(case).investigators.values_list("username", flat=True)) == {"carol", "cora"}
    do(cora, case, "verify", results={s: "clear" for s in ("registration", "tax", "social_insurance", "property",
                                                            "vehicle", "business", "deposit", "securities")})
    do(hana, case, "township_review", decision="recommend")
    end_notice(case)
    assert open_steps(case) == ["county_confirm"]  # though the county delegates its other cases
    for visitor in (carol, cora):  # who visited does not decide
        with pytest.raises(NotPermitted):
            do(visitor, case, "county_confirm", decision="approve")
    do(cai, case, "county_confirm", decision="approve")
    case = reload(case)
    assert (case.status, case.decision_level, case.decided_by) == ("approved", "county", cai)


def test_extension_to_45_working_days_with_a_reason(at_intake, alice, amy, hana, carol, sam, otto, poor_couple):
    case = open_case(alice, poor_couple, "dibao")
    with pytest.raises(Conflict):  # not taken in yet: no limit runs
        extend(carol, case.pk, reason="需补充核对")
    do(alice, case, "intake", complete=True)
    assert case_clock(case).due_at == due_after(30)

    at_intake.shift(datetime.timedelta(days=10))
    with pytest.raises(InvalidInput) as refused:
        extend(carol, case.pk, reason="   ")
    assert "reason" in refused.value.errors
    for not_county in (alice, hana):
        with pytest.raises(NotPermitted):
            extend(not_county, case.pk, reason="外地务工子女收入待核实")
    another_county = make_staff("cyril", ["county_reviewer"], "370812000000")
    with pytest.raises(NotPermitted):
        extend(another_county, case.pk, reason="外地务工子女收入待核实")
    assert case_clock(case).due_at == due_after(30)

    extend(carol, case.pk, reason="子女在外省务工，收入需跨省协查")
    clock = case_clock(case)
    assert (clock.step, clock.started_at, clock.due_at) == ("case_extended", INTAKE, due_after(45))
    details = reload(case).dibao
    assert (details.extension_reason, details.extended_by) == ("子女在外省务工，收入需跨省协查", carol)
    assert details.extended_at == INTAKE + datetime.timedelta(days=10)
    with pytest.raises(Conflict):  # once only
        extend(carol, case.pk, reason="再延长")
    assert case_clock(case).due_at == due_after(45)


def test_a_delegated_case_extends_from_20_to_45_working_days(at_intake, alice, carol, poor_couple):
    county_rule("dibao", delegated=True)
    case = open_case(alice, poor_couple, "dibao")
    do(alice, case, "intake", complete=True)
    assert case_clock(case).due_at == due_after(20)
    extend(carol, case.pk, reason="申请人住院，无法配合入户调查")
    assert (case_clock(case).step, case_clock(case).due_at) == ("case_extended", due_after(45))


def test_a_decided_case_is_not_extended(at_intake, alice, amy, hana, cora, carol, poor_couple):
    case = open_case(alice, poor_couple, "dibao")
    walk_to_confirmation(case, "dibao", alice, amy, cora, hana)
    do(carol, case, "county_confirm", decision="approve")
    with pytest.raises(Conflict):
        extend(carol, case.pk, reason="事后补延")
    assert reload(case).dibao.extended_at is None


def test_tekun_has_no_whole_case_limit_to_extend(at_intake, alice, amy, cora, carol, poor_couple):
    case = open_case(alice, poor_couple, "tekun")
    walk_to_review(case, alice, amy, cora, "tekun")
    with pytest.raises(Conflict):
        extend(carol, case.pk, reason="需延长")
    assert reload(case).tekun.extended_at is None

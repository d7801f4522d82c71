"""Following a warning up: each outcome, what it needs, the queue it leaves, who may,
and the supervisor's figures of follow-up in time."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.errors import Conflict, InvalidInput, NotPermitted
from deadlines.models import Deadline
from workflows.monitoring import services
from workflows.monitoring.models import EarlyWarning, Rule

from .conftest import open_case, scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def warning(poor_couple):
    scan(rule=Rule.MEANS_ELIGIBLE)
    return EarlyWarning.objects.get(household=poor_couple)


def _deadline(warning):
    return Deadline.objects.get(flow="warning", step="follow_up", subject_id=warning.pk)


def test_a_case_opened_answers_the_warning_and_it_leaves_the_queue(alice, warning, poor_couple):
    with pytest.raises(InvalidInput):  # no case yet
        services.follow_up(alice, warning.pk, outcome="case_opened", application=None)
    case = open_case(alice, poor_couple)
    done = services.follow_up(alice, warning.pk, outcome="case_opened", application=case.pk)
    assert done.status == "done" and done.application_id == case.pk and done.done_by == alice
    assert _deadline(warning).status == "closed"
    assert not EarlyWarning.objects.filter(status="open").exists()
    with pytest.raises(Conflict):
        services.follow_up(alice, warning.pk, outcome="no_action", note="已核实")


def test_a_case_of_another_household_does_not_answer_it(alice, warning, rich):
    household, _people = rich
    other = open_case(alice, household)
    with pytest.raises(InvalidInput):
        services.follow_up(alice, warning.pk, outcome="case_opened", application=other.pk)


def test_no_action_needs_a_reason(alice, warning):
    with pytest.raises(InvalidInput) as raised:
        services.follow_up(alice, warning.pk, outcome="no_action", note="  ")
    assert "note" in raised.value.errors
    done = services.follow_up(alice, warning.pk, outcome="no_action", note="子女每月赡养，实际收入高于登记")
    assert done.outcome == "no_action"


def test_a_proactive_notice_answers_it(alice, warning, poor_couple):
    from workflows.enrolment import proactive

    with pytest.raises(InvalidInput):
        services.follow_up(alice, warning.pk, outcome="notice_sent", notice=None)
    notice = proactive.issue_proactive_notice(alice, poor_couple, "dibao")
    done = services.follow_up(alice, warning.pk, outcome="notice_sent", notice=notice.pk)
    assert done.notice_id == notice.pk


def test_others_may_not_follow_it_up(warning, bob, hana, carol):
    for outsider in (bob, hana, carol):  # another township's caseworker; the head and the county: not their step
        with pytest.raises(NotPermitted):
            services.follow_up(outsider, warning.pk, outcome="no_action", note="不需要帮助")
    assert EarlyWarning.objects.get(pk=warning.pk).status == "open"


def test_figures_count_follow_up_in_time_from_the_deadlines(alice, sam, otto, warning, poor_couple, rich):
    household, _people = rich
    services.follow_up(alice, warning.pk, outcome="no_action", note="已入户核实，暂不需要")
    # A second warning, late: its deadline passed before anyone looked.
    late = EarlyWarning.objects.create(rule=Rule.VISIT_NO_CASE, key="visit_no_case:late", household=household,
                                       region_code=household.region_id, msgid="test", due_at=timezone.now())
    from deadlines import services as deadlines

    deadlines.open_deadline(late, flow="warning", step="follow_up", region_code=household.region_id,
                            role="caseworker", due_at=timezone.now() - datetime.timedelta(days=2),
                            started_at=timezone.now() - datetime.timedelta(days=20))
    figures = services.follow_up_figures(EarlyWarning.objects.visible_to(sam))
    total = figures["total"]
    assert (total["raised"], total["done"], total["in_time"], total["overdue"]) == (2, 1, 1, 1)
    assert total["rate"] == 50.0
    assert next(r for r in figures["rules"] if r["rule"] == "means_eligible")["no_action"] == 1
    # Another county's supervisor sees none of it.
    assert services.follow_up_figures(EarlyWarning.objects.visible_to(otto))["total"]["raised"] == 0


def test_the_warning_and_its_follow_up_are_on_the_households_chain(alice, warning, poor_couple):
    from workflows.timeline import household_timeline

    services.follow_up(alice, warning.pk, outcome="no_action", note="子女每月赡养一千元")
    events = [e for e in household_timeline(alice, poor_couple) if e.kind == "warning"]
    assert len(events) == 2
    assert "375.00" in events[1].detail and "子女每月赡养一千元" == events[0].detail
    assert events[0].url == f"/warnings/{warning.pk}/"

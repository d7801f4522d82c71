"""Rolling generation: one visit per plan and window, each with its deadline; windows that
pass without a visit escalate through the deadlines engine; major events add a 24-hour round."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from core.errors import InvalidInput, NotPermitted
from deadlines.models import Deadline
from deadlines.services import deadline_for
from notifications.models import Notification
from visits import services
from visits.models import Visit, VisitKind, VisitStatus

from .conftest import at, plan_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_generation_twice_makes_no_duplicates(planned):
    before = Visit.objects.count()
    assert before == 2  # this week and next (7 days ahead)
    assert services.generate_visits().created == 0
    assert services.roll().created == 0
    assert Visit.objects.count() == before
    assert Deadline.objects.filter(flow="home_visit", step="visit").count() == before


def test_the_database_refuses_a_second_visit_for_a_window(visit):
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(plan=visit.plan, person=visit.person, household=visit.household,
                             region_code=visit.region_code, person_name="x", tier=visit.tier,
                             window_start=visit.window_start, window_end=visit.window_end)


def test_windows_and_deadlines(planned, visit, alice, hana):
    assert (visit.window_start, visit.window_end) == (at(2026, 6, 8), at(2026, 6, 15))
    assert visit.kind == VisitKind.ROUTINE and visit.status == VisitStatus.SCHEDULED
    assert visit.person_name == "钱奶奶" and visit.tier == "high_risk"
    deadline = deadline_for(visit)
    assert (deadline.flow, deadline.step, deadline.role) == ("home_visit", "visit", "caseworker")
    assert deadline.due_at == visit.window_end  # the window's end is the due time
    assert deadline.region_code == visit.region_code and deadline.status == "open"
    assert deadline.policy.escalations.count() == 2
    assert deadline.next_check_at == deadline.due_at
    # Next week's visit starts its clock when its window opens.
    later = Visit.objects.filter(plan=planned).order_by("window_start").last()
    assert deadline_for(later).started_at == at(2026, 6, 15)


def test_the_paired_cadre_gets_the_visits(clock, elder, alice, hana, amy):
    services.pair_household(hana, elder.household, amy)
    services.recompute_plans()
    visits = list(Visit.objects.filter(person=elder))
    assert {v.assigned_to_id for v in visits} == {amy.pk}
    assert {deadline_for(v).assignee_id for v in visits} == {amy.pk}
    # A new pairing moves the open visits and their deadlines.
    services.pair_household(hana, elder.household, alice)
    assert set(Visit.objects.filter(person=elder).values_list("assigned_to", flat=True)) == {alice.pk}
    assert {deadline_for(v).assignee_id for v in visits} == {alice.pk}


def test_only_township_heads_pair_and_only_with_field_staff_of_the_area(clock, elder, alice, bob, hana, sam):
    with pytest.raises(NotPermitted):
        services.pair_household(alice, elder.household, alice)
    with pytest.raises(InvalidInput):
        services.pair_household(hana, elder.household, bob)  # bob works in township B
    with pytest.raises(InvalidInput):
        services.pair_household(hana, elder.household, sam)  # supervisors do not make visits


def test_generation_rolls_forward(planned, clock):
    clock.move_to(at(2026, 6, 16, 9))
    services.roll()
    starts = list(Visit.objects.filter(plan=planned).order_by("window_start").values_list("window_start", flat=True))
    assert starts == [at(2026, 6, 8), at(2026, 6, 15), at(2026, 6, 22)]
    assert Visit.objects.get(plan=planned, window_start=at(2026, 6, 8)).status == VisitStatus.MISSED


def test_a_missed_window_escalates_through_the_deadlines_engine(planned, visit, clock, hana, sam, alice, carol):
    from deadlines.sweep import sweep

    services.pair_household(hana, visit.household, alice)
    clock.move_to(at(2026, 6, 15, 0, 30))
    services.mark_missed()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.MISSED and visit.is_open
    assert Deadline.objects.overdue().filter(subject_id=visit.pk, flow="home_visit").exists()

    sweep()  # due: the cadre hears it is overdue, the township head gets level 1
    deadline = deadline_for(visit)
    assert deadline.escalation_level == 1 and deadline.escalated_to == ["hana"]
    assert Notification.objects.filter(recipient=alice, event="deadlines.deadline.breach").exists()
    note = Notification.objects.get(recipient=hana, event="deadlines.deadline.escalation")
    assert "钱奶奶" in note.title and note.link == visit.get_absolute_url()

    clock.move_to(at(2026, 6, 17, 1))
    sweep()  # 48 hours later: the county
    deadline.refresh_from_db()
    assert deadline.escalation_level == 2 and set(deadline.escalated_to) == {"carol", "sam"}


def test_a_later_visit_done_stops_the_escalation_of_a_missed_one(planned, visit, clock, alice):
    import uuid

    clock.move_to(at(2026, 6, 16, 9))
    services.roll()
    this_week = Visit.objects.get(plan=planned, window_start=at(2026, 6, 15))
    services.record_visit(alice, this_week, client_uuid=uuid.uuid4(), visited_at=at(2026, 6, 16, 8),
                          method="in_person", outcome="ok")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.MISSED and visit.closed_at is not None  # still counted as missed
    assert deadline_for(visit).status == "closed"


def test_a_new_plan_mid_window_does_not_repeat_a_visit_already_done(clock, make_resident, alice):
    import uuid

    from registry import services as registry

    person = make_resident(born=datetime.date(1960, 1, 1), conditions=[], disability=("physical", 2))
    services.recompute_plans()
    monthly = Visit.objects.get(person=person)
    assert monthly.window_start == at(2026, 6, 1)
    services.record_visit(alice, monthly, client_uuid=uuid.uuid4(), visited_at=at(2026, 6, 9, 15),
                          method="in_person", outcome="ok")
    registry.update_person(alice, person, {"conditions": ["bedridden"]}, reason="卧床")
    services.recompute_changed()
    weekly = Visit.objects.filter(plan=plan_of(person)).order_by("window_start")
    # Seen on 9 June, inside this week: the new weekly plan starts with next week.
    assert [v.window_start for v in weekly] == [at(2026, 6, 15)]


# --- Major events ---------------------------------------------------------------------------------

def test_a_major_event_creates_a_24_hour_round_for_the_high_risk(clock, elder, outsider_elder, make_resident, hana,
                                                                   amy, sam):
    general = make_resident(born=datetime.date(1950, 1, 1), conditions=["empty_nest"], name="周大娘")
    services.recompute_plans()
    services.pair_household(hana, elder.household, amy)
    before = Visit.objects.count()

    event = services.declare_major_event(hana, region_code="370811001000", kind="flood", title="6·10 暴雨")
    rounds = list(Visit.objects.filter(event=event))
    assert [v.person_id for v in rounds] == [elder.pk]  # not the general-tier neighbour, not township B
    (round_visit,) = rounds
    assert round_visit.kind == VisitKind.EVENT and round_visit.assigned_to == amy
    assert round_visit.window_end - round_visit.window_start == datetime.timedelta(hours=24)
    assert round_visit.window_start == event.declared_at
    assert deadline_for(round_visit).due_at == round_visit.window_end
    assert Visit.objects.count() == before + 1 and event.visits_created == 1
    assert Notification.objects.filter(recipient=amy, event="visits.event.round").exists()
    assert Notification.objects.filter(recipient=hana, event="visits.event.round").exists()
    assert not Visit.objects.filter(person=general, kind=VisitKind.EVENT).exists()

    # A county-wide heat wave reaches both townships' high-risk people.
    county = services.declare_major_event(sam, region_code="370811000000", kind="heat_wave", title="高温",
                                          round_hours=12)
    assert set(Visit.objects.filter(event=county).values_list("person_id", flat=True)) == {elder.pk,
                                                                                           outsider_elder.pk}
    assert all(v.window_end - v.window_start == datetime.timedelta(hours=12) for v in county.visits.all())


def test_events_only_within_ones_own_region_and_role(clock, elder, hana, alice):
    with pytest.raises(InvalidInput) as refused:
        services.declare_major_event(hana, region_code="370811002000", kind="flood", title="南苑")
    assert "region" in refused.value.errors
    with pytest.raises(NotPermitted):
        services.declare_major_event(alice, region_code="370811001000", kind="flood", title="x")


def test_the_beat_task_rolls(planned, clock):
    from visits.tasks import generate

    clock.move_to(at(2026, 6, 22, 1))
    assert generate.delay().get() == 2  # the weeks of 22 and 29 June (7 days ahead reaches 29 June)


def test_generate_visits_command(planned, clock):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("generate_visits", "--days", "21", stdout=out)
    assert "visits generated 2" in out.getvalue()


def test_outsider_plan_is_generated_in_its_own_region(outsider_elder, clock):
    services.recompute_plans()
    assert set(Visit.objects.filter(person=outsider_elder).values_list("region_code", flat=True)) == {"370811002001"}


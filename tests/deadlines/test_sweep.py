"""The sweeper: reminders, breaches and escalations fire once, to the right people."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection

from audit.models import AuditEvent
from deadlines import services
from deadlines.models import Deadline, DeadlineFiring
from deadlines.sweep import sweep
from notifications.models import Notification
from tests.conftest import VILLAGE_A1
from tests.deadlines.conftest import at

pytestmark = pytest.mark.django_db
H = datetime.timedelta(hours=1)


@pytest.fixture
def deadline(calendar_2026, policy, household, alice, hana, carol, sam):
    # Started Monday 2 March 2026 10:00; due at the end of Thursday 5 March.
    return services.open_deadline(household, flow="test", step="investigate", region_code=VILLAGE_A1,
                                  started_at=at(2026, 3, 2, 10), assignee=alice)


def firings(deadline):
    return sorted(DeadlineFiring.objects.filter(deadline=deadline).values_list("kind", "level"))


def test_deadline_times(deadline):
    assert deadline.due_at == at(2026, 3, 6)
    assert deadline.remind_at == at(2026, 3, 5, 8)
    assert deadline.next_check_at == deadline.remind_at


def test_nothing_fires_before_the_reminder(deadline):
    assert sweep(at(2026, 3, 4, 12)).fired == []


def test_reminder_then_breach_then_escalations_each_once(deadline):
    sweep(at(2026, 3, 5, 9))
    sweep(at(2026, 3, 5, 9, 5))
    assert firings(deadline) == [("reminder", 0)]
    assert Notification.objects.get(event="deadlines.deadline.reminder").recipient.username == "alice"

    sweep(at(2026, 3, 6, 0, 1))
    sweep(at(2026, 3, 6, 0, 2))
    assert firings(deadline) == [("breach", 0), ("escalation", 1), ("reminder", 0)]
    deadline.refresh_from_db()
    assert deadline.escalation_level == 1 and deadline.escalated_to == ["hana"]
    assert deadline.next_check_at == at(2026, 3, 8)

    sweep(at(2026, 3, 8, 1))
    sweep(at(2026, 3, 9, 1))
    deadline.refresh_from_db()
    assert firings(deadline) == [("breach", 0), ("escalation", 1), ("escalation", 2), ("reminder", 0)]
    assert deadline.escalation_level == 2 and deadline.escalated_to == ["carol", "sam"]
    assert deadline.next_check_at is None
    level2 = Notification.objects.filter(event="deadlines.deadline.escalation").values_list("recipient__username",
                                                                                             flat=True)
    assert sorted(level2) == ["carol", "hana", "sam"]
    assert AuditEvent.objects.filter(event__startswith="deadlines.deadline.", object_id=str(deadline.pk)).count() == 4


def test_a_sweeper_that_was_down_catches_up_without_a_late_reminder(deadline):
    report = sweep(at(2026, 3, 10))
    assert sorted((k, lv) for _d, k, lv in report.fired) == [("breach", 0), ("escalation", 1), ("escalation", 2)]


def test_closed_and_paused_deadlines_are_not_swept(deadline, household, alice):
    services.close_deadline(household, at=at(2026, 3, 4))
    assert sweep(at(2026, 3, 10)).fired == []
    assert not Deadline.objects.overdue(at(2026, 3, 10)).exists()


def test_overdue_is_one_definition(deadline, alice):
    now = at(2026, 3, 6, 9)
    assert deadline.is_overdue(now) and Deadline.objects.overdue(now).get() == deadline
    annotated = Deadline.objects.annotate_overdue(now).get()
    assert annotated.is_overdue is True
    services.pause_deadline(alice, deadline, reason="等待申请人补交病历")
    deadline.refresh_from_db()
    assert not deadline.is_overdue(now) and not Deadline.objects.overdue(now).exists()


def test_pause_and_resume_keep_the_time_left(deadline, alice, time_machine):
    time_machine.move_to(at(2026, 3, 3, 15))  # Tuesday: Wed and Thu left
    services.pause_deadline(alice, deadline, reason="等待住院证明")
    deadline.refresh_from_db()
    assert deadline.status == "paused" and deadline.remaining_working_days == 2
    assert AuditEvent.objects.filter(event="deadlines.deadline.paused", reason="等待住院证明").exists()
    time_machine.move_to(at(2026, 3, 9, 9))  # resumed Monday the next week
    services.resume_deadline(alice, deadline)
    deadline.refresh_from_db()
    assert deadline.status == "open" and deadline.due_at == at(2026, 3, 12)  # Tue + Wed → due end of Wednesday
    assert deadline.next_check_at == at(2026, 3, 11, 8)
    assert AuditEvent.objects.filter(event="deadlines.deadline.resumed").exists()


def test_pause_needs_a_reason_and_the_right_person(deadline, bob, alice):
    from core.errors import InvalidInput, NotPermitted

    with pytest.raises(InvalidInput):
        services.pause_deadline(alice, deadline, reason=" ")
    with pytest.raises(NotPermitted):
        services.pause_deadline(bob, deadline, reason="x")


def test_sweep_reads_only_due_rows(deadline, regions):
    """Nothing due: the same few statements whether 1 or 31 deadlines are open."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registry.models import Household

    def statements():
        with CaptureQueriesContext(connection) as ctx:
            sweep(at(2026, 3, 3))
        return [q["sql"] for q in ctx.captured_queries]

    one = statements()
    for i in range(30):
        services.open_deadline(Household.objects.create(region_id=VILLAGE_A1, address=f"{i}", registration="rural"),
                               flow="test", step="investigate", region_code=VILLAGE_A1, started_at=at(2026, 3, 2, 10))
    many = statements()
    assert len(one) == len(many) <= 3
    assert any("next_check_at" in sql for sql in many)


def test_due_batch_costs_a_fixed_number_of_statements(calendar_2026, policy, regions, hana, carol, sam):
    """Ten or forty due deadlines: the same statements, not one round per deadline."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registry.models import Household

    def run(n, day):
        for i in range(n):
            services.open_deadline(
                Household.objects.create(region_id=VILLAGE_A1, address=f"{day}-{i}", registration="rural"),
                flow="test", step="investigate", region_code=VILLAGE_A1, started_at=at(2026, 3, day, 10))
        with CaptureQueriesContext(connection) as ctx:
            report = sweep(at(2026, 3, day + 9))
        assert len(report.fired) == 3 * n
        return len(ctx.captured_queries)

    few, many = run(10, 2), run(40, 3)
    # Four times the deadlines (120 more events): at most a few more statements, where
    # SQLite's limit of 999 variables splits a large bulk insert in two.
    assert many <= few + 3


def test_provisional_deadline_recomputed_when_the_year_is_loaded(calendar_2026, policy, household, alice):
    from deadlines.models import CalendarDay, CalendarYear

    d = services.open_deadline(household, flow="test", step="investigate", region_code=VILLAGE_A1,
                               started_at=at(2026, 12, 30, 10), assignee=alice)
    assert d.provisional and d.due_at == at(2027, 1, 5)  # Dec 31, Jan 1 (Fri, counted), Jan 4; Mon–Fri rule
    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), kind="day_off", name="元旦")
    CalendarYear.objects.create(year=2027, source="国务院办公厅通知")
    assert services.recompute_provisional() == 1
    d.refresh_from_db()
    assert not d.provisional and d.due_at == at(2027, 1, 6)


def test_next_year_warning_goes_to_admins_once(calendar_2026, root):
    from deadlines.calendar_admin import warn_if_next_year_unconfirmed

    assert warn_if_next_year_unconfirmed(datetime.date(2026, 11, 28))
    assert not warn_if_next_year_unconfirmed(datetime.date(2026, 11, 29))
    assert not warn_if_next_year_unconfirmed(datetime.date(2026, 6, 1))
    assert Notification.objects.filter(recipient=root, event="deadlines.calendar.unconfirmed.2027").count() == 1


def test_reassign_on_escalation(calendar_2026, household, alice, hana):
    from deadlines.models import EscalationStep, SlaPolicy

    p = SlaPolicy.objects.create(flow="test", step="approve", duration=1, unit="hours",
                                 effective_from=datetime.date(2020, 1, 1))
    EscalationStep.objects.create(policy=p, level=1, after_hours=0, notify_roles="township_head",
                                  reassign_to_role="township_head")
    d = services.open_deadline(household, flow="test", step="approve", region_code=VILLAGE_A1,
                               started_at=at(2026, 3, 2, 9), assignee=alice)
    sweep(at(2026, 3, 2, 11))
    d.refresh_from_db()
    assert d.assignee == hana


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_sweeps_fire_each_level_once(calendar_2026, policy, regions, alice, hana, carol, sam):
    from registry.models import Household

    households = [Household.objects.create(region_id=VILLAGE_A1, address=f"{i}号", registration="rural")
                  for i in range(40)]
    for h in households:
        services.open_deadline(h, flow="test", step="investigate", region_code=VILLAGE_A1,
                               started_at=at(2026, 3, 2, 10), assignee=alice)
    barrier = threading.Barrier(3)
    reports = []

    def run():
        barrier.wait(timeout=10)
        try:
            reports.append(sweep(at(2026, 3, 10)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    fired = [f for r in reports for f in r.fired]
    assert len(fired) == len(set(fired)) == 40 * 3  # breach + two levels, each exactly once
    assert DeadlineFiring.objects.count() == 120
    assert Notification.objects.filter(event="deadlines.deadline.escalation", recipient=hana).count() == 40

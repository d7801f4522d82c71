"""``kill -9`` of a real Celery worker (Redis broker, PostgreSQL) in the middle of the SLA
sweep: one transaction of the sweep committed, the next one half-written when the worker
dies. Nothing of the killed transaction stays, and the next sweep (beat sends one every
minute) fires exactly what was missing: every reminder, breach and escalation once."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.utils import timezone

from audit.models import AuditEvent
from deadlines import services
from deadlines.models import Deadline, DeadlineFiring, FiringKind
from deadlines.sweep import sweep
from notifications.models import Notification
from registry.models import Person
from tests.conftest import VILLAGE_A1, register_households
from tests.deadlines.conftest import at, calendar_2026, policy  # noqa: F401
from tests.faults.processes import HeldTransaction, blocked_by, kill, start_worker, tables_written_by, wait_session_gone

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROWS_PER_TRANSACTION = 5
# Each deadline of the policy fixture, long overdue, fires its breach (to the assignee),
# level 1 (the township head) and level 2 (county reviewer and supervisor).
EVENTS = [(FiringKind.BREACH, 0), (FiringKind.ESCALATION, 1), (FiringKind.ESCALATION, 2)]
NOTIFIED = 4


def fired(deadlines) -> set[tuple[int, str, int]]:
    return set(DeadlineFiring.objects.filter(deadline__in=deadlines).values_list("deadline_id", "kind", "level"))


def expected(deadlines) -> set[tuple[int, str, int]]:
    return {(d.pk, kind, level) for d in deadlines for kind, level in EVENTS}


def test_a_worker_killed_mid_sweep_loses_nothing_and_doubles_nothing(calendar_2026, policy, alice, hana,  # noqa: F811
                                                                     carol, sam, tmp_path, live_broker):
    register_households(alice, 6)
    for person in Person.objects.order_by("pk"):
        services.open_deadline(person, flow="test", step="investigate", region_code=VILLAGE_A1,
                               started_at=at(2026, 11, 2, 10), assignee=alice)
    deadlines = list(Deadline.objects.order_by("next_check_at", "pk"))  # the sweep's own order
    assert len(deadlines) == 12 and timezone.now() > deadlines[-1].due_at + 48 * timezone.timedelta(hours=1)
    first, second, rest = deadlines[:5], deadlines[5:10], deadlines[10:]
    queue = live_broker("sweep-kill")

    # The second transaction's INSERT of its firings waits on a row this test inserted
    # (and never commits) under the same unique key: the worker is stopped inside it.
    last = second[-1]
    with HeldTransaction(lambda: DeadlineFiring.objects.create(deadline=last, kind=FiringKind.ESCALATION,
                                                                level=2)) as held:
        worker = start_worker(queue, tmp_path, SLA_SWEEP_TRANSACTION_ROWS=ROWS_PER_TRANSACTION)
        try:
            live_broker.app.send_task("deadlines.sweep", queue=queue)
            session = blocked_by(held)
            assert "deadlines_deadlinefiring" in tables_written_by(session)
        finally:
            kill(worker)
    wait_session_gone(session)

    # The first transaction is there, whole; the killed one left nothing.
    assert fired(deadlines) == expected(first)
    assert Notification.objects.filter(event__startswith="deadlines.").count() == NOTIFIED * len(first)
    assert AuditEvent.objects.filter(event__startswith="deadlines.deadline.").count() == len(EVENTS) * len(first)
    assert all(d.next_check_at is None for d in Deadline.objects.filter(pk__in=[d.pk for d in first]))
    untouched = Deadline.objects.filter(pk__in=[d.pk for d in second + rest])
    assert {(d.escalation_level, d.breached_at) for d in untouched} == {(0, None)}

    # The next sweep, by a restarted worker, fires what was missing and nothing twice.
    worker = start_worker(queue, tmp_path, SLA_SWEEP_TRANSACTION_ROWS=ROWS_PER_TRANSACTION)
    try:
        result = live_broker.app.send_task("deadlines.sweep", queue=queue)
        # Not in a task, whatever an in-process worker of an earlier test left Celery believing.
        assert result.get(timeout=90, disable_sync_subtasks=False) == len(EVENTS) * len(second + rest)
    finally:
        kill(worker)
    assert fired(deadlines) == expected(deadlines)
    assert DeadlineFiring.objects.count() == len(EVENTS) * len(deadlines)
    notices = Notification.objects.filter(event__startswith="deadlines.")
    assert notices.count() == NOTIFIED * len(deadlines)
    assert not notices.values("recipient", "event", "title").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert AuditEvent.objects.filter(event__startswith="deadlines.deadline.").count() == len(EVENTS) * len(deadlines)
    assert {d.escalation_level for d in Deadline.objects.all()} == {2}
    assert sweep().fired == []

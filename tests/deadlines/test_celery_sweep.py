"""The real Celery path: beat's sweep task goes through the broker to a worker,
which escalates a due deadline (Redis in the PostgreSQL pass, the filesystem
broker on the embedded default)."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker

from deadlines import services
from deadlines.models import DeadlineFiring
from deadlines.tasks import run_sweep
from engine.celery import app
from notifications.models import Notification
from tests.conftest import VILLAGE_A1
from tests.deadlines.conftest import at

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_sweep_through_the_broker_escalates(calendar_2026, policy, household, alice, hana, time_machine):
    services.open_deadline(household, flow="test", step="investigate", region_code=VILLAGE_A1,
                           started_at=at(2026, 3, 2, 10), assignee=alice)
    time_machine.move_to(at(2026, 3, 6, 9), tick=True)
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            fired = run_sweep.delay().get(timeout=30)
    finally:
        app.conf.task_always_eager = True
    assert fired == 2  # breach and level 1
    assert set(DeadlineFiring.objects.values_list("kind", "level")) == {("breach", 0), ("escalation", 1)}
    assert Notification.objects.filter(recipient=hana, event="deadlines.deadline.escalation").exists()

"""A real Celery worker on the configured broker (filesystem on the embedded
default, Redis in the PostgreSQL pass) runs a task and stores its result."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker
from django_celery_results.models import TaskResult

from core import health
from core.tasks import heartbeat
from engine.celery import app

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_worker(settings):
    app.conf.task_always_eager = False
    try:
        # perform_ping_check needs celery.ping registered; the solo pool shares our test database.
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


def test_heartbeat_round_trip_through_the_broker(live_worker):
    result = heartbeat.delay()
    stamp = result.get(timeout=30)
    assert TaskResult.objects.filter(task_id=result.id, status="SUCCESS").exists()
    assert health.status()["workers_alive"] is True
    assert stamp.startswith("20")

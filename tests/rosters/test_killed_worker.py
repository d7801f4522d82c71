"""A real Celery worker (Redis broker, PostgreSQL) killed with SIGKILL while it generates
a roster; a worker restarted, and the minute's beat job that resumes silent generations,
leave one complete roster with no duplicate line."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from workflows.rosters import services
from workflows.rosters.models import Roster, RosterLine, RosterStatus

from .conftest import COUNTY, MONTH, enrolled

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def start_worker(queue: str, log: Path) -> subprocess.Popen:
    db = connection.settings_dict
    env = {**os.environ,
           "DJANGO_SETTINGS_MODULE": "engine.settings",
           "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
           "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
           "ROSTER_CHUNK_SIZE": "10", "ROSTER_CHUNK_PAUSE_MS": "150"}
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", "celery", "-A", "engine", "worker", "--pool=solo", "-Q",
                                 queue, "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def wait_for(check, timeout=60.0, every=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("timed out")


def test_a_worker_killed_mid_generation_leaves_one_complete_roster(fiona, alice, households, tmp_path,
                                                                    monkeypatch, request):
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("the PostgreSQL pass runs with the Redis broker (CELERY_BROKER_URL=redis://…)")
    from engine.celery import app
    from registry.models import Household
    from tests.conftest import register_households

    register_households(alice, 48, start=100)
    cases = [enrolled(h, f"{500 + i}.00", by=alice) for i, h in enumerate(Household.objects.order_by("pk"))]
    assert len(cases) == 60
    queue = f"roster-kill-{os.getpid()}"
    log = tmp_path / "worker.log"
    roster = Roster.objects.create(county_code=COUNTY, program="dibao", month=MONTH, created_by=fiona)

    # This test's messages go through Redis to the real workers, on a queue of their own.
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    request.addfinalizer(lambda: setattr(app.conf, "task_always_eager", eager))
    # What the beat job queues goes to the restarted worker's queue too.
    monkeypatch.setattr(services, "queue", lambda name, *args: app.send_task(name, args=args, queue=queue))
    first = start_worker(queue, log)
    try:
        app.send_task("rosters.generate", args=[roster.pk], queue=queue)
        # Killed once some chunks are written and others are not.
        wait_for(lambda: 20 <= Roster.objects.get(pk=roster.pk).progress_done < 50)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    stuck = Roster.objects.get(pk=roster.pk)
    assert stuck.status == RosterStatus.GENERATING and 0 < RosterLine.objects.filter(roster=roster).count() < 60

    second = start_worker(queue, log)
    try:
        # The beat job finds it silent and queues it again (to the restarted worker's queue).
        later = timezone.now() + datetime.timedelta(seconds=settings.ROSTER_DEAD_AFTER_SECONDS + 1)
        assert services.resume_stale(now=later) == 1
        done = wait_for(lambda: Roster.objects.filter(pk=roster.pk, status=RosterStatus.DRAFT).first(), timeout=120)
    finally:
        os.killpg(second.pid, signal.SIGKILL)
        second.wait(timeout=30)
    assert Roster.objects.count() == 1
    assert done.line_count == 60 and done.progress_done == 60
    assert done.total == sum(Decimal(f"{500 + i}.00") for i in range(60))
    assert RosterLine.objects.count() == 60
    assert not RosterLine.objects.values("application", "month").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert done.run >= 2  # the restarted run took over from the killed one

"""A real Celery worker (Redis broker, PostgreSQL) killed with SIGKILL while it generates
a roster; a worker restarted, and the minute's beat job that resumes silent generations,
leave one complete roster with no duplicate line."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from tests.faults.processes import kill, start_worker, wait_for
from workflows.rosters import services
from workflows.rosters.models import Roster, RosterLine, RosterStatus

from .conftest import COUNTY, MONTH, enrolled

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
SLOW_CHUNKS = {"ROSTER_CHUNK_SIZE": 10, "ROSTER_CHUNK_PAUSE_MS": 150}


def test_a_worker_killed_mid_generation_leaves_one_complete_roster(fiona, alice, households, tmp_path,
                                                                    live_broker):
    from registry.models import Household
    from tests.conftest import register_households

    register_households(alice, 48, start=100)
    cases = [enrolled(h, f"{500 + i}.00", by=alice) for i, h in enumerate(Household.objects.order_by("pk"))]
    assert len(cases) == 60
    queue = live_broker("roster-kill")
    roster = Roster.objects.create(county_code=COUNTY, program="dibao", month=MONTH, created_by=fiona)

    first = start_worker(queue, tmp_path, **SLOW_CHUNKS)
    try:
        live_broker.app.send_task("rosters.generate", args=[roster.pk])
        # Killed once some chunks are written and others are not.
        wait_for(lambda: 20 <= Roster.objects.get(pk=roster.pk).progress_done < 50)
    finally:
        kill(first)
    stuck = Roster.objects.get(pk=roster.pk)
    assert stuck.status == RosterStatus.GENERATING and 0 < RosterLine.objects.filter(roster=roster).count() < 60

    second = start_worker(queue, tmp_path, **SLOW_CHUNKS)
    try:
        # The beat job finds it silent and queues it again (to the test's queue, the restarted worker's).
        later = timezone.now() + datetime.timedelta(seconds=settings.ROSTER_DEAD_AFTER_SECONDS + 1)
        assert services.resume_stale(now=later) == 1
        done = wait_for(lambda: Roster.objects.filter(pk=roster.pk, status=RosterStatus.DRAFT).first(), timeout=120)
    finally:
        kill(second)
    assert Roster.objects.count() == 1
    assert done.line_count == 60 and done.progress_done == 60
    assert done.total == sum(Decimal(f"{500 + i}.00") for i in range(60))
    assert RosterLine.objects.count() == 60
    assert not RosterLine.objects.values("application", "month").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert done.run >= 2  # the restarted run took over from the killed one

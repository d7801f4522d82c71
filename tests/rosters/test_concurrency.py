"""Two workers at the same roster (PostgreSQL, each on its own connection): one roster,
one line per case, whoever finishes."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Count

from workflows.rosters import services
from workflows.rosters.models import Roster, RosterLine, RosterStatus

from .conftest import COUNTY, MONTH, enrolled

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def at_once(*calls):
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except Exception as exc:  # asserted below
            errors[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results, errors


@pytest.fixture
def many(households, alice):
    return [enrolled(h, f"{700 + i}.00", by=alice) for i, h in enumerate(households)]


def test_two_workers_generating_the_same_roster_make_one(fiona, many, settings):
    assert connection.vendor == "postgresql"
    settings.ROSTER_CHUNK_SIZE = 2  # many chunks, so the two runs interleave
    roster = Roster.objects.create(county_code=COUNTY, program="dibao", month=MONTH, created_by=fiona)
    results, errors = at_once(lambda: services.generate(roster.pk), lambda: services.generate(roster.pk))
    assert errors == [None, None]
    assert sum(r is not None for r in results) >= 1
    roster.refresh_from_db()
    assert roster.status == RosterStatus.DRAFT
    assert roster.line_count == 12 and roster.total == sum(Decimal(f"{700 + i}.00") for i in range(12))
    assert RosterLine.objects.count() == 12
    assert not RosterLine.objects.values("application", "month").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_two_requests_for_the_same_roster_make_one(fiona, many):
    results, errors = at_once(*[lambda: services.request_roster(fiona, county=COUNTY, program="dibao",
                                                                month=MONTH)] * 4)
    assert errors == [None] * 4
    assert len({roster.pk for roster, _created in results}) == 1
    assert sum(created for _roster, created in results) == 1
    assert Roster.objects.count() == 1

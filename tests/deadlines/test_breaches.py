"""Breach list (API) and dashboard figures, all reading the one definition of overdue."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from deadlines import reports, services
from deadlines.sweep import sweep
from registry.models import Household
from tests.conftest import TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1
from tests.deadlines.conftest import at

pytestmark = pytest.mark.django_db


def make(region, started, step="investigate", close_at=None):
    h = Household.objects.create(region_id=region, address="x", registration="rural")
    services.open_deadline(h, flow="test", step=step, region_code=region, started_at=started, application_id=h.pk)
    if close_at:
        services.close_deadline(h, at=close_at)
    return h


@pytest.fixture
def spread(calendar_2026, policy, regions):
    make(VILLAGE_A1, at(2026, 3, 2, 10))                               # due 6 Mar: overdue
    make(VILLAGE_A1, at(2026, 3, 2, 10), close_at=at(2026, 3, 4))      # on time
    make(VILLAGE_A1, at(2026, 3, 2, 10), close_at=at(2026, 3, 9))      # late
    make(VILLAGE_B1, at(2026, 3, 9, 10))                               # due 13 Mar: overdue in B
    make(VILLAGE_B1, at(2026, 3, 16, 10))                              # not yet due


NOW = at(2026, 3, 16, 12)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_breach_list_for_a_supervisor(spread, sam, time_machine):
    time_machine.move_to(NOW)
    sweep(NOW)
    body = api(sam).get("/api/v1/sla/breaches/").json()
    assert body["count"] == 2
    first = body["results"][0]
    assert first["region"] == VILLAGE_A1 and first["overdue_by_hours"] == 10 * 24 + 12
    assert first["escalation_level"] == 2 and first["escalated_to"]
    assert set(first) >= {"task", "application", "step", "due_at", "overdue_by_hours", "escalation_level",
                          "escalated_to"}
    assert api(sam).get(f"/api/v1/sla/breaches/?region={TOWNSHIP_A}").json()["count"] == 1
    assert api(sam).get("/api/v1/sla/breaches/?step=nothing").json()["count"] == 0


def test_township_head_sees_only_their_township(spread, hana, time_machine):
    time_machine.move_to(NOW)
    body = api(hana).get("/api/v1/sla/breaches/").json()
    assert [r["region"] for r in body["results"]] == [VILLAGE_A1]


def test_outsiders_and_wrong_roles(spread, otto, alice, fiona, time_machine):
    time_machine.move_to(NOW)
    assert api(otto).get("/api/v1/sla/breaches/").json()["count"] == 0
    for user in (alice, fiona):
        assert api(user).get("/api/v1/sla/breaches/").status_code == 403


def test_dashboard_figures(spread, sam):
    board = reports.dashboard(sam, now=NOW)
    assert board.total_overdue == 2 and board.total_open == 3
    assert {r["region"]: r["count"] for r in board.by_region} == {"370811001000": 1, "370811002000": 1}
    assert board.by_region[0]["name"] in {"济阳街道", "南苑街道"}
    assert board.by_step == [{"flow": "test", "step": "investigate", "count": 2}]
    assert board.by_age == {"lt1d": 0, "1to3d": 0, "3to7d": 1, "gt7d": 1}  # 3.5 and 10.5 days
    march = [r for r in board.on_time if r["region"] == "370811001000"]
    assert march[0]["total"] == 2 and march[0]["on_time"] == 1 and str(march[0]["rate"]) == "50.0"
    assert len(board.trend) == 12
    week_of_2_march = next(w for w in board.trend if w["week"] == datetime.date(2026, 3, 2))
    assert week_of_2_march == {"week": datetime.date(2026, 3, 2), "due": 3, "late": 2,
                               "on_time_rate": week_of_2_march["on_time_rate"]}


def test_dashboard_query_count_does_not_grow(calendar_2026, policy, regions, sam, django_assert_max_num_queries):
    def count_queries(n):
        for _ in range(n):
            make(VILLAGE_A1, at(2026, 3, 2, 10))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            reports.dashboard(sam, now=NOW)
        return len(ctx.captured_queries)

    reports.dashboard(sam, now=NOW)  # warm-up: the user's region is cached on first use
    small = count_queries(2)
    large = count_queries(40)
    assert small == large
    with django_assert_max_num_queries(8):
        reports.dashboard(sam, now=NOW)

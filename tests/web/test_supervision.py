"""Deadline supervision pages: dashboard, breach drill-down, exports, pausing clocks.

Clocks are opened on households with an explicit due time, so each one's age is
plain to read; the time is pinned with time_machine at NOW.
"""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from deadlines import services
from deadlines.calendar_admin import load_year
from deadlines.models import Deadline, DeadlineStatus
from deadlines.sweep import sweep
from registry.models import Household
from tests.conftest import COUNTY, COUNTY_2, TOWNSHIP_A, TOWNSHIP_B, TOWNSHIP_C, VILLAGE_A1, VILLAGE_B1, VILLAGE_C1
from tests.deadlines.conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 16, 12)


@pytest.fixture
def calendar(db):
    load_year(2025)
    load_year(2026)


def make(region, due, *, step="investigate", flow="temporary", close_at=None, assignee=None) -> Deadline:
    household = Household.objects.create(region_id=region, address="x", registration="rural")
    deadline = services.open_deadline(
        household, flow=flow, step=step, region_code=region, started_at=at(2026, 3, 2, 9), due_at=due,
        application_id=household.pk, assignee=assignee)
    if close_at:
        services.close_deadline(household, at=close_at)
        deadline.refresh_from_db()
    return deadline


@pytest.fixture
def spread(calendar, regions, time_machine):
    """Two breaches in county 370811 (one per township), one in the other county, one
    not yet due, and two closed in March (one on time, one late) in township A."""
    time_machine.move_to(NOW, tick=False)
    return {
        "a": make(VILLAGE_A1, at(2026, 3, 6)),                                    # 10.5 days overdue
        "b": make(VILLAGE_B1, at(2026, 3, 13), step="county_approve"),             # 3.5 days overdue
        "c": make(VILLAGE_C1, at(2026, 3, 15)),                                   # 1.5 days, other county
        "later": make(VILLAGE_A1, at(2026, 3, 20)),
        "on_time": make(VILLAGE_A1, at(2026, 3, 10), close_at=at(2026, 3, 9)),
        "late": make(VILLAGE_A1, at(2026, 3, 5), close_at=at(2026, 3, 9)),
    }


def listed(response) -> set[int]:
    return {d.pk for d in response.context["page"].object_list}


def sheet_rows(response, sheet=None) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return list((workbook[sheet] if sheet else workbook.worksheets[0]).iter_rows(values_only=True))


# --- Who sees what -------------------------------------------------------------------------------

def test_supervisor_sees_both_townships(as_user, sam, spread):
    response = as_user(sam).get(reverse("sla_dashboard"))
    assert response.status_code == 200
    board = response.context["board"]
    assert board.total_overdue == 2
    assert {r["region"]: r["count"] for r in board.by_region} == {TOWNSHIP_A: 1, TOWNSHIP_B: 1}
    html = response.content.decode()
    assert "济阳街道" in html and "南苑街道" in html and "鼓楼街道" not in html
    assert f'{reverse("sla_breaches")}?region={TOWNSHIP_A}' in html
    assert listed(as_user(sam).get(reverse("sla_breaches"))) == {spread["a"].pk, spread["b"].pk}


def test_township_head_sees_only_her_township(as_user, hana, spread):
    client = as_user(hana)
    board = client.get(reverse("sla_dashboard")).context["board"]
    assert [r["region"] for r in board.by_region] == [TOWNSHIP_A]
    assert board.total_overdue == 1
    assert listed(client.get(reverse("sla_breaches"))) == {spread["a"].pk}
    # Asking for the next township finds nothing rather than widening the list.
    response = client.get(reverse("sla_breaches"), {"region": TOWNSHIP_B})
    assert response.status_code == 200 and listed(response) == set()


def test_supervisor_of_another_county_sees_none_of_ours(as_user, otto, spread):
    client = as_user(otto)
    assert listed(client.get(reverse("sla_breaches"))) == {spread["c"].pk}
    board = client.get(reverse("sla_dashboard")).context["board"]
    assert [r["region"] for r in board.by_region] == [TOWNSHIP_C]


def test_city_supervisor_sees_counties_and_drills_down_to_townships(as_user, cindy, spread):
    client = as_user(cindy)
    response = client.get(reverse("sla_dashboard"))
    board = response.context["board"]
    assert board.level == "county" and board.total_overdue == 3
    assert [(r["region"], r["name"], r["count"]) for r in board.by_region] == [
        (COUNTY, "任城区", 2), (COUNTY_2, "兖州区", 1)]
    (on_time,) = response.context["on_time"]  # the two closed in March, under their county
    assert on_time["name"] == "任城区" and on_time["cells"][-1]["total"] == 2
    html = response.content.decode()
    drill_down = f'{reverse("sla_dashboard")}?region={COUNTY}'
    assert f'href="{drill_down}"' in html and f'{reverse("sla_breaches")}?region={COUNTY}' in html
    assert "各县（市、区）超期" in html and "济阳街道" not in html

    # A county's own dashboard, by township, as its county supervisor sees it.
    response = client.get(drill_down)
    board = response.context["board"]
    assert board.level == "township" and board.total_overdue == 2
    assert {r["region"]: r["count"] for r in board.by_region} == {TOWNSHIP_A: 1, TOWNSHIP_B: 1}
    assert response.context["place"].code == COUNTY
    html = response.content.decode()
    assert "济阳街道" in html and "鼓楼街道" not in html and f'{reverse("sla_breaches")}?region={TOWNSHIP_A}' in html
    other = client.get(reverse("sla_dashboard"), {"region": COUNTY_2}).context["board"]
    assert [(r["region"], r["count"]) for r in other.by_region] == [(TOWNSHIP_C, 1)]


def test_city_export_is_by_county(as_user, cindy, spread):
    response = as_user(cindy).get(reverse("sla_dashboard_export"))
    by_county = sheet_rows(response, "按县（市、区）")
    assert by_county[1:] == [("任城区", COUNTY, 1 + 1), ("兖州区", COUNTY_2, 1)]
    drilled = sheet_rows(as_user(cindy).get(reverse("sla_dashboard_export"), {"region": COUNTY}), "按乡镇")
    assert sorted(drilled[1:]) == [("南苑街道", TOWNSHIP_B, 1), ("济阳街道", TOWNSHIP_A, 1)]


def test_a_county_supervisor_keeps_the_township_breakdown_and_cannot_drill_outside(as_user, sam, spread):
    client = as_user(sam)
    assert client.get(reverse("sla_dashboard")).context["board"].level == "township"
    assert client.get(reverse("sla_dashboard"), {"region": COUNTY_2}).status_code == 404
    assert client.get(reverse("sla_dashboard"), {"region": "nonsense"}).status_code == 404
    assert client.get(reverse("sla_dashboard_export"), {"region": COUNTY_2}).status_code == 404
    narrowed = client.get(reverse("sla_dashboard"), {"region": TOWNSHIP_A}).context["board"]
    assert [(r["region"], r["count"]) for r in narrowed.by_region] == [(TOWNSHIP_A, 1)]


def test_outsider_gets_404_on_pausing_and_nothing_changes(as_user, otto, spread):
    client = as_user(otto)
    before = AuditEvent.objects.count()
    deadline = spread["a"]
    assert client.post(reverse("deadline_pause", args=[deadline.pk]), {"reason": "x"}).status_code == 404
    assert client.post(reverse("deadline_resume", args=[deadline.pk])).status_code == 404
    assert client.get(reverse("deadline_pause", args=[deadline.pk])).status_code == 404
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.OPEN
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("who", ["alice", "fiona", "carol"])
@pytest.mark.parametrize("page", ["sla_dashboard", "sla_dashboard_export", "sla_breaches", "sla_breaches_export",
                                  "sla_paused"])
def test_wrong_roles_get_403(as_user, spread, request, who, page):
    assert as_user(request.getfixturevalue(who)).get(reverse(page)).status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client, spread):
    for name in ("sla_dashboard", "sla_breaches", "sla_breaches_export"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_menu_entry_follows_the_permission(as_user, sam, alice):
    assert reverse("sla_dashboard") in as_user(sam).get(reverse("home")).content.decode()
    assert reverse("sla_dashboard") not in as_user(alice).get(reverse("home")).content.decode()


# --- Dashboard -------------------------------------------------------------------------------------

def test_dashboard_tables_and_chart(as_user, sam, spread):
    response = as_user(sam).get(reverse("sla_dashboard"))
    context = response.context
    assert [(a["key"], a["count"]) for a in context["ages"]] == [("lt1d", 0), ("1to3d", 0), ("3to7d", 1),
                                                                 ("gt7d", 1)]
    # Township A closed two in March, one on time.
    (row,) = context["on_time"]
    assert row["name"] == "济阳街道" and len(row["cells"]) == 6 == len(context["months"])
    march = row["cells"][-1]
    assert (march["on_time"], march["total"], str(march["rate"])) == (1, 2, "50.0")
    assert row["cells"][0] is None
    chart = context["chart"]
    assert len(chart["labels"]) == len(chart["due"]) == len(chart["rate"]) == 12
    html = response.content.decode()
    assert 'id="trend-data"' in html and "vendor/chartjs/chart.umd.min.js" in html
    assert "<canvas" in html and "data-trend-table" in html  # the table is the chart's fallback
    assert ">temporary" not in html and "investigate<" not in html  # step names are readable, not codes


def test_dashboard_export(as_user, sam, spread):
    response = as_user(sam).get(reverse("sla_dashboard_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert len(workbook.sheetnames) == 6
    by_township = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert sorted(by_township[1:]) == [("南苑街道", TOWNSHIP_B, 1), ("济阳街道", TOWNSHIP_A, 1)]
    trend = list(workbook.worksheets[5].iter_rows(values_only=True))
    assert len(trend) == 13
    assert AuditEvent.objects.filter(event="deadlines.dashboard.exported", actor=sam).count() == 1


# --- Drill-down ------------------------------------------------------------------------------------

def test_drill_down_filters(as_user, sam, spread):
    client = as_user(sam)
    url = reverse("sla_breaches")
    assert listed(client.get(url, {"region": TOWNSHIP_A})) == {spread["a"].pk}
    assert listed(client.get(url, {"region": TOWNSHIP_B})) == {spread["b"].pk}
    assert listed(client.get(url, {"step": "temporary.county_approve"})) == {spread["b"].pk}
    assert listed(client.get(url, {"age": "gt7d"})) == {spread["a"].pk}
    assert listed(client.get(url, {"age": "3to7d"})) == {spread["b"].pk}
    assert listed(client.get(url, {"age": "lt1d"})) == set()
    assert listed(client.get(url, {"region": TOWNSHIP_A, "step": "temporary.county_approve"})) == set()


def test_drill_down_rejects_filters_outside_the_scope(as_user, sam, spread):
    client = as_user(sam)
    for params in ({"region": "370812001000"}, {"age": "forever"}, {"step": "no_such_step"}):
        response = client.get(reverse("sla_breaches"), params)
        assert response.status_code == 200 and listed(response) == set(), params
        assert response.context["form"].errors


def test_drill_down_row(as_user, sam, spread):
    sweep(NOW)  # breach and escalations: 10.5 days past due reaches level 2
    html = as_user(sam).get(reverse("sla_breaches"), {"region": TOWNSHIP_A}).content.decode()
    assert "东关社区" in html and "济阳街道" in html                       # village and township
    assert "2026-03-06 00:00" in html                                      # due, local time
    assert "10天12小时" in html or "10 days 12 hours" in html            # overdue by
    assert reverse("household_detail", args=[spread["a"].subject_id]) in html  # the case
    assert reverse("deadline_pause", args=[spread["a"].pk]) in html
    deadline = Deadline.objects.get(pk=spread["a"].pk)
    assert deadline.escalation_level == 2 and deadline.escalated_to == ["sam"]


def test_drill_down_in_english(as_user, sam, spread):
    client = as_user(sam)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("sla_breaches")).content.decode()
    assert "Overdue work" in html
    assert "10 days 12 hours" in html and "Temporary assistance · Home investigation" in html


def test_case_of_work_that_is_not_a_household(alice, calendar):
    from django.utils import translation

    from web.deadline_rows import case_of

    # Workflow tasks are the usual subjects: they have no page of their own, their application has.
    deadline = services.open_deadline(alice, flow="temporary", step="investigate", region_code=VILLAGE_A1,
                                      due_at=at(2026, 3, 6), application_id=77)
    with translation.override("en"):
        case = case_of(Deadline.objects.prefetch_related("subject").get(pk=deadline.pk))
        assert case.text == "Application 77"
        assert case_of(deadline, load_subject=False).text == "Application 77"


def test_breaches_export(as_user, sam, spread):
    response = as_user(sam).get(reverse("sla_breaches_export"), {"region": TOWNSHIP_A})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="deadline-breaches-')
    header, *rows = sheet_rows(response)
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    values = list(rows[0])
    assert VILLAGE_A1 in values and "济阳街道" in values and "东关社区" in values
    assert 252 in values  # overdue hours: 10.5 days
    assert any(getattr(v, "year", None) == 2026 and v.day == 6 and v.hour == 0 for v in values)  # local due time
    assert len(row) == 13
    event = AuditEvent.objects.get(event="deadlines.breaches.exported")
    assert event.actor == sam and event.extra["rows"] == 1 and event.extra["region"] == TOWNSHIP_A


def test_export_with_a_bad_filter_exports_nothing(as_user, sam, spread):
    response = as_user(sam).get(reverse("sla_breaches_export"), {"region": "370812001000"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(event="deadlines.breaches.exported").exists()


# Session, user, permissions (2), home region, filter choices (2), count, rows, subjects,
# escalation names, the user's roles: the same at 3 rows and at 30.
LIST_QUERIES = 12


@pytest.mark.parametrize("rows", [3, 30])
def test_drill_down_costs_the_same_at_3_and_30_rows(as_user, sam, calendar, regions, time_machine,
                                                    django_assert_max_num_queries, rows):
    time_machine.move_to(NOW, tick=False)
    for i in range(rows):
        make(VILLAGE_A1 if i % 2 else VILLAGE_B1, at(2026, 3, 6), assignee=sam)
    sweep(NOW)  # escalated_to filled in, so the names lookup is part of the count
    client = as_user(sam)
    client.get(reverse("sla_breaches"))  # warm-up: content types
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("sla_breaches"))
    assert len(response.context["page"].object_list) == rows
    with django_assert_max_num_queries(LIST_QUERIES):
        assert len(client.get(reverse("sla_paused")).context["page"].object_list) == 0


# The session, the user, their roles; the dashboard's own six (overdue by region and step,
# the open total, on time by month, the trend's tallies, its open work, the region names);
# the county drilled down to.
DASHBOARD_QUERIES = 10


@pytest.mark.parametrize(("who", "params"), [("sam", {}), ("cindy", {}), ("cindy", {"region": COUNTY})])
def test_dashboard_costs_the_same_at_3_and_30_rows(as_user, request, calendar, regions, time_machine,
                                                   django_assert_max_num_queries, who, params):
    time_machine.move_to(NOW, tick=False)
    client = as_user(request.getfixturevalue(who))
    villages = [VILLAGE_A1, VILLAGE_B1, VILLAGE_C1]

    def queries(total: int) -> int:
        while Deadline.objects.count() < total:
            make(villages[Deadline.objects.count() % 3], at(2026, 3, 6),
                 close_at=at(2026, 3, 9) if Deadline.objects.count() % 4 == 0 else None)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("sla_dashboard"), params)
        assert response.context["board"].by_region and response.context["on_time"]
        return len(ctx.captured_queries)

    client.get(reverse("sla_dashboard"), params)
    assert queries(3) == queries(30)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        client.get(reverse("sla_dashboard"), params)


# --- Pause and resume ---------------------------------------------------------------------------

def test_pause_then_resume_through_the_views(as_user, sam, spread):
    client = as_user(sam)
    deadline = spread["b"]
    back = reverse("sla_breaches") + "?step=temporary.county_approve"
    response = client.post(reverse("deadline_pause", args=[deadline.pk]),
                           {"reason": "等待申请人补交住院证明", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.PAUSED and deadline.pause_reason == "等待申请人补交住院证明"
    paused_event = AuditEvent.objects.get(event="deadlines.deadline.paused")
    assert paused_event.actor == sam and paused_event.object_id == str(deadline.pk)
    assert paused_event.reason == "等待申请人补交住院证明"
    # A paused clock is no longer overdue: it leaves the drill-down and shows on the paused list.
    assert deadline.pk not in listed(client.get(reverse("sla_breaches")))
    paused_page = client.get(reverse("sla_paused"))
    assert listed(paused_page) == {deadline.pk}
    assert reverse("deadline_resume", args=[deadline.pk]) in paused_page.content.decode()

    response = client.post(reverse("deadline_resume", args=[deadline.pk]), {"next": reverse("sla_paused")})
    assert response.status_code == 302 and response["Location"] == reverse("sla_paused")
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.OPEN
    assert AuditEvent.objects.filter(event="deadlines.deadline.resumed", actor=sam,
                                     object_id=str(deadline.pk)).count() == 1


def test_pause_needs_a_reason(as_user, sam, spread):
    response = as_user(sam).post(reverse("deadline_pause", args=[spread["a"].pk]), {"reason": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert Deadline.objects.get(pk=spread["a"].pk).status == DeadlineStatus.OPEN


def test_pause_page_works_without_javascript(as_user, hana, spread):
    response = as_user(hana).get(reverse("deadline_pause", args=[spread["a"].pk]))
    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()


def test_pausing_twice_is_a_conflict(as_user, sam, spread):
    client = as_user(sam)
    url = reverse("deadline_pause", args=[spread["a"].pk])
    assert client.post(url, {"reason": "等待材料"}).status_code == 302
    response = client.post(url, {"reason": "再次"})
    assert response.status_code == 409
    assert [str(m) for m in response.context["messages"]]
    assert client.post(reverse("deadline_resume", args=[spread["b"].pk])).status_code == 409


def test_a_caseworker_may_not_pause_someone_elses_deadline(as_user, alice, spread):
    response = as_user(alice).post(reverse("deadline_pause", args=[spread["a"].pk]), {"reason": "等待材料"})
    assert response.status_code == 403
    assert [str(m) for m in response.context["messages"]]
    assert Deadline.objects.get(pk=spread["a"].pk).status == DeadlineStatus.OPEN


def test_the_assignee_may_pause_her_own_deadline(as_user, alice, calendar, regions, time_machine):
    time_machine.move_to(NOW, tick=False)
    deadline = make(VILLAGE_A1, at(2026, 3, 20), assignee=alice)
    response = as_user(alice).post(reverse("deadline_pause", args=[deadline.pk]), {"reason": "等待材料"})
    assert response.status_code == 302
    assert Deadline.objects.get(pk=deadline.pk).status == DeadlineStatus.PAUSED


def test_next_must_stay_on_this_site(as_user, sam, spread):
    response = as_user(sam).post(reverse("deadline_pause", args=[spread["a"].pk]),
                                 {"reason": "等待材料", "next": "https://evil.example/"})
    assert response["Location"] == reverse("sla_breaches")

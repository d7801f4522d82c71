"""The coverage dashboard: per township and month, done in window, missed, overdue now;
the chart data; the Excel export; people not visited in over N days."""

from __future__ import annotations

import datetime
import io
import json
import re
import uuid

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import COUNTY, COUNTY_2, TOWNSHIP_A, TOWNSHIP_B
from visits import coverage, services
from visits.models import Visit

from .conftest import at, plan_of, resident

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def visit_on(user, visit, when, outcome="ok"):
    services.record_visit(user, visit, client_uuid=uuid.uuid4(), visited_at=when, method="in_person",
                          outcome=outcome)


@pytest.fixture
def may(clock, alice, bob):
    """Four weekly people in township A and one in B, followed through May 2026:
    A: one seen every week in time, one seen once late, one never seen, one seen in the
    first week only; B: seen every week. The clock ends on 10 June."""
    people = [resident(alice, born=datetime.date(1935, 1, 1), conditions=["bedridden"], name=n)
              for n in ("甲", "乙", "丙", "丁")]
    people.append(resident(bob, born=datetime.date(1935, 1, 1), conditions=["bedridden"], name="戊",
                           region="370811002001"))
    clock.move_to(at(2026, 4, 27, 8))
    services.recompute_plans()
    for day in range(0, 35, 7):
        now = at(2026, 4, 27, 8) + datetime.timedelta(days=day)
        clock.move_to(now)
        services.roll()
        for person, user in ((people[0], alice), (people[4], bob)):
            week = Visit.objects.get(person=person, window_start__lte=now, window_end__gt=now)
            visit_on(user, week, now)
        if day == 0:
            week = Visit.objects.get(person=people[3], window_start__lte=now, window_end__gt=now)
            visit_on(alice, week, now)
    clock.move_to(at(2026, 6, 10, 10))
    services.roll()
    late = Visit.objects.get(person=people[1], window_start=at(2026, 5, 4))
    visit_on(alice, late, at(2026, 5, 12, 9))  # a week late
    return people


def test_figures_per_township_and_month(may, hana, sam):
    data = coverage.coverage(sam, datetime.date(2026, 5, 1))
    by_code = {row.code: row for row in data.rows}
    a, b = by_code["370811001000"], by_code["370811002000"]
    assert a.name == "济阳街道" and b.name == "南苑街道"
    # May's windows are the weeks closing 4, 11, 18, 25 May and 1 June: 5 per person.
    assert (a.planned, a.done_in_window, a.done_late, a.still_open) == (20, 6, 1, 0)
    assert a.missed == 14 and a.share == pytest.approx(30.0)
    # Overdue now: 丙's five weeks, 丁's last four; 乙's visit on 12 May closed his first week's
    # clock, not the three weeks after it.
    assert a.overdue == 5 + 4 + 3
    assert (b.planned, b.done_in_window, b.missed, b.overdue) == (5, 5, 0, 0)
    assert data.total.planned == 25 and data.unpaired == 5
    # A township head sees only her township.
    assert [row.code for row in coverage.coverage(hana, datetime.date(2026, 5, 1)).rows] == ["370811001000"]


def test_overdue_now_is_the_deadlines_definition(may, sam):
    from deadlines.models import Deadline

    data = coverage.coverage(sam, datetime.date(2026, 5, 1))
    may_visits = Visit.objects.filter(window_end__gt=at(2026, 5, 1), window_end__lte=at(2026, 6, 1))
    overdue = Deadline.objects.overdue().filter(flow="home_visit", step="visit",
                                                subject_id__in=may_visits.values("pk")).count()
    assert data.total.overdue == overdue


def test_the_current_month_does_not_count_open_windows_against_anyone(may, sam):
    june = {row.code: row for row in coverage.coverage(sam, datetime.date(2026, 6, 1)).rows}["370811001000"]
    assert june.still_open > 0 and june.due_so_far == june.planned - june.still_open


def test_the_dashboard_page_and_chart(client, may, sam):
    client.force_login(sam)
    response = client.get(reverse("visit_coverage") + "?month=2026-05")
    assert response.status_code == 200
    html = response.content.decode()
    assert "济阳街道" in html and "南苑街道" in html and "chart.umd.min.js" in html
    chart = json.loads(re.search(r'<script id="coverage-data" type="application/json">(.*?)</script>', html, re.S)[1])
    assert chart["labels"] == ["济阳街道", "南苑街道"] and chart["done"] == [6, 5] and chart["overdue"] == [12, 0]
    assert client.get(reverse("visit_coverage") + "?month=May").status_code == 404


def test_the_excel_export(client, may, sam):
    client.force_login(sam)
    response = client.get(reverse("visit_coverage_export") + "?month=2026-05&days=20")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:5] == ("济阳街道", "370811001000", 20, 6, 14)
    assert rows[3][0] in ("合计", "Total")
    names = [r[0] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True) if r and r[0]]
    assert {"丙", "丁"} <= set(names) and "甲" not in names


def test_people_not_visited_in_over_n_days(client, may, hana):
    people = may
    plans = coverage.not_visited(hana, 20)
    # 乙 since 12 May, 丙 never (planned from 27 April), 丁 since 27 April; 甲 was seen on 25 May.
    assert {p.person_id for p in plans} == {people[1].pk, people[2].pk, people[3].pk}
    assert {p.person_id for p in coverage.not_visited(hana, 40)} == {people[2].pk, people[3].pk}
    assert {p.person_id for p in coverage.not_visited(hana, 50)} == set()
    assert plan_of(people[1]).last_visited_at == at(2026, 5, 12, 9)
    client.force_login(hana)
    html = client.get(reverse("visit_not_visited") + "?days=20").content.decode()
    assert "丙" in html and "丁" in html and "甲" not in html
    assert client.get(reverse("visit_not_visited") + "?days=20").status_code == 200
    assert client.get(reverse("visit_not_visited_export") + "?days=20").status_code == 200


@pytest.mark.parametrize(("who", "query"), [("sam", ""), ("cindy", ""), ("cindy", f"&region={COUNTY}")])
def test_the_dashboard_costs_the_same_queries_for_more_data(client, request, may, alice, who, query):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(request.getfixturevalue(who))

    def cost():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("visit_coverage") + "?month=2026-05" + query)
        assert response.context["data"].rows
        return len(ctx.captured_queries)

    before = cost()
    for i in range(5):
        resident(alice, born=datetime.date(1935, 1, 1), conditions=["bedridden"], name=f"新{i}")
    services.recompute_plans()
    assert cost() == before


def test_the_city_supervisor_sees_counties_and_opens_each_one(client, may, cindy, otto, sam):
    """A city is broken down by county; a county opens its own page, by township, with
    the not-visited count and list of that county only."""
    client.force_login(cindy)
    response = client.get(reverse("visit_coverage") + "?month=2026-05")
    data = response.context["data"]
    assert data.level == "county"
    assert [(row.code, row.name, row.planned, row.overdue) for row in data.rows] == [
        (COUNTY, "任城区", 25, 12)]
    html = response.content.decode()
    drill_down = f"?month=2026-05&amp;region={COUNTY}"
    assert f'class="drill-down" href="{drill_down}"' in html and "县（市、区）" in html

    response = client.get(reverse("visit_coverage"), {"month": "2026-05", "region": COUNTY, "days": 20})
    assert [row.code for row in response.context["data"].rows] == [TOWNSHIP_A, TOWNSHIP_B]
    assert response.context["not_seen"] == coverage.not_visited(sam, 20).count() > 0
    assert f"{reverse('visit_not_visited')}?days=20&amp;region={COUNTY}" in response.content.decode()
    listed = client.get(reverse("visit_not_visited"), {"days": 20, "region": COUNTY}).context["page"]
    assert listed.paginator.count == coverage.not_visited(sam, 20).count()
    # The other county has no visits: its page is empty, and its list too.
    other = client.get(reverse("visit_coverage"), {"month": "2026-05", "region": COUNTY_2, "days": 20}).context
    assert other["data"].rows == [] and other["not_seen"] == 0
    sheet = load_workbook(io.BytesIO(client.get(reverse("visit_coverage_export"),
                                                {"month": "2026-05", "region": COUNTY}).content)).worksheets[0]
    assert [r[1] for r in sheet.iter_rows(min_row=2, max_row=3, values_only=True)] == [TOWNSHIP_A, TOWNSHIP_B]

    # A county supervisor keeps the township breakdown and cannot open another county.
    client.force_login(otto)
    for name in ("visit_coverage", "visit_not_visited", "visit_coverage_export", "visit_not_visited_export"):
        assert client.get(reverse(name), {"region": COUNTY}).status_code == 404, name
    client.force_login(sam)
    assert client.get(reverse("visit_coverage") + "?month=2026-05").context["data"].level == "township"


def test_the_supervisors_home_counts_who_was_not_visited(client, may, sam, cindy, alice):
    for user in (sam, cindy):
        client.force_login(user)
        work = {line.label: line for line in client.get(reverse("home")).context["work"]}
        line = work["超过30天未探访的对象"]
        assert line.count == coverage.not_visited(user, 30).count() > 0 and line.url == reverse("visit_coverage")
    client.force_login(alice)
    assert "超过30天未探访的对象" not in {line.label for line in client.get(reverse("home")).context["work"]}

"""The statistics pages: who sees them, the drill-down, Excel and PDF that say what the page says."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils.translation import pgettext
from openpyxl import load_workbook

from audit.models import AuditEvent
from tests.conftest import CITY, COUNTY, COUNTY_2, TOWNSHIP_A, make_staff
from tests.documents.conftest import pdf_text
from workflows.reporting import refresh
from workflows.reporting.models import MonthlyFigure, Refresh, RefreshStatus

from .conftest import NOVEMBER

pytestmark = pytest.mark.django_db
PAID_IN_NOVEMBER = Decimal("5800.00") + sum(Decimal(600 + 50 * i) for i in range(8))


@pytest.fixture
def computed(city):
    refresh.refresh_month(CITY, NOVEMBER)
    return city


@pytest.fixture
def city_supervisor(regions):
    return make_staff("cs", ["supervisor"], CITY)


def page(client, **params):
    return client.get(reverse("statistics"), params)


def test_the_city_supervisor_sees_counties_and_drills_down_to_townships(computed, city_supervisor, as_user):
    client = as_user(city_supervisor)
    response = page(client, period="2026-11")
    assert response.status_code == 200
    rows = {row.code: row for row in response.context["stats"].rows}
    assert set(rows) == {COUNTY, COUNTY_2}
    assert rows[COUNTY].total.paid == PAID_IN_NOVEMBER
    assert f"region={COUNTY}" in rows[COUNTY].link
    county = page(client, region=COUNTY, period="2026-11")
    assert {row.code for row in county.context["stats"].rows} == {TOWNSHIP_A, "370811002000"}
    township = page(client, region=TOWNSHIP_A, period="2026-11", program="dibao")
    [row] = township.context["stats"].rows
    assert (row.shown.households_covered, row.shown.people_covered) == (9, 18)
    assert "济阳街道" in township.content.decode()


def test_a_county_supervisor_cannot_read_another_county_and_caseworkers_have_no_page(computed, sam, otto, alice,
                                                                                     as_user):
    assert page(as_user(otto), region=COUNTY, period="2026-11").status_code == 404
    assert page(as_user(otto), region=CITY).status_code == 404
    assert page(as_user(alice)).status_code == 403
    # His own county: none of 任城区's money.
    own = page(as_user(otto), period="2026-11")
    assert own.context["stats"].total.paid == 0


def test_the_page_costs_the_same_queries_for_one_month_or_a_year(computed, city_supervisor, as_user,
                                                                  django_assert_max_num_queries):
    client = as_user(city_supervisor)
    page(client, period="2026-11")
    with django_assert_max_num_queries(14):
        page(client, period="2026-11")
    refresh.refresh_month(CITY, NOVEMBER.replace(month=10))
    with django_assert_max_num_queries(14):
        page(client, period="2026")


def test_a_period_that_cannot_be_read_shows_this_month_with_a_message(computed, sam, as_user):
    assert page(as_user(sam), period="\x00").status_code == 400  # NUL bytes are refused before any view
    for bad in ("2026-13", "9999", "2026-Q5", "26-11", "2026-11'--"):
        response = page(as_user(sam), period=bad)
        assert response.status_code == 200
        assert "无法识别" in response.content.decode() or "could not be read" in response.content.decode()


def test_the_excel_export_holds_the_pages_figures(computed, sam, as_user):
    response = as_user(sam).get(reverse("statistics_export"), {"period": "2026-11"})
    assert response.status_code == 200 and response["Cache-Control"].startswith("no-store")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    total = summary[-1]
    header = summary[2]
    paid = total[header.index(pgettext("statistics", "Paid in all (yuan)"))]
    assert Decimal(str(paid)) == PAID_IN_NOVEMBER
    assert AuditEvent.objects.filter(event="reporting.statistics.exported", actor=sam).count() == 1


def test_the_pdf_summary_reads_as_an_official_report(computed, sam, as_user):
    response = as_user(sam).get(reverse("statistics_report"), {"period": "2026-11", "region": COUNTY})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "任城区" in text and "2026" in text
    assert "6,200.00" in text  # the 低保 roster paid: 600.00 + 650.00 + … + 950.00
    assert f"{PAID_IN_NOVEMBER:,.2f}" in text
    assert "济阳街道" in text and "南苑街道" in text


def test_asking_to_compute_again_runs_with_progress(computed, sam, as_user):
    MonthlyFigure.objects.all().delete()
    client = as_user(sam)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("statistics_refresh") + f"?region={COUNTY}&period=2026-11")
    run = Refresh.objects.get()
    assert response.status_code == 302 and f"refresh={run.pk}" in response["Location"]
    assert (run.status, run.months_done, run.months_total) == (RefreshStatus.DONE, 1, 1)
    assert MonthlyFigure.objects.filter(month=NOVEMBER).exists()
    shown = client.get(response["Location"])
    assert shown.context["stats"].total.paid == PAID_IN_NOVEMBER


def test_an_outsider_cannot_ask_to_compute_another_county(computed, otto, as_user):
    response = as_user(otto).post(reverse("statistics_refresh") + f"?region={COUNTY}&period=2026-11")
    assert response.status_code == 404
    assert not Refresh.objects.exists()


def test_the_api_answers_the_same_figures_and_keeps_regions_apart(computed, city_supervisor, otto, alice, as_user):
    response = as_user(city_supervisor).get("/api/v1/statistics/", {"period": "2026-11"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"]["paid"]["total"] == f"{PAID_IN_NOVEMBER:.2f}"
    assert body["programs"]["dibao"]["households_covered"] == 9
    assert {r["code"] for r in body["regions"]} == {COUNTY, COUNTY_2}
    assert as_user(otto).get("/api/v1/statistics/", {"region": COUNTY}).status_code == 404
    assert as_user(otto).get("/api/v1/statistics/", {"period": "2026-13"}).status_code == 400
    assert as_user(alice).get("/api/v1/statistics/").status_code == 403

"""The attack: 169 server errors from bad input, of ten causes. Every one is now a clean
4xx: format suffixes are not routes; ids are digits in the route; a NUL byte anywhere in
the path, the query or a JSON body, and JSON nested deeper than any endpoint reads, are
refused for every endpoint by one middleware (core.middleware.RefuseMalformedInput);
dates beyond the calendar and months before it are refused where they are read.

The NUL bytes and non-finite numbers broke PostgreSQL only (SQLite stores them): this
file runs in both passes."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def web(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def assert_4xx(response):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])


@pytest.mark.parametrize("path", ["/api/v1/tasks.json", "/api/v1/tasks/1/claim.json", "/api/v1/funds/1/ledger.json",
                                  "/api/v1/households.json", "/api/v1/regions.api"])
def test_format_suffixes_are_not_routes(alice, path):
    assert api(alice).get(path).status_code == 404
    assert_4xx(api(alice).post(path, {}, format="json"))


@pytest.mark.parametrize("path", ["/api/v1/tasks/abc/claim/", "/api/v1/tasks/1e3/complete/", "/api/v1/tasks/-1/claim/"])
def test_a_task_id_is_a_number(alice, path):
    assert api(alice).post(path, {}, format="json").status_code == 404


@pytest.mark.parametrize("url", [
    "/api/v1/households/?q=%00", "/api/v1/households/?region=%00", "/api/v1/regions/%00/",
    "/api/v1/regions/?parent=%00", "/api/v1/applications/?status=%00", "/api/v1/applications/?region=%00",
    "/api/v1/tasks/?scope=%00", "/api/v1/visits/?assigned_to=%00", "/api/v1/sla/breaches/?region=%00",
    "/api/v1/households/?q=a%00b",
])
def test_a_nul_byte_in_the_query_or_path_is_400(alice, sam, household, url):
    for user in (alice, sam):
        assert api(user).get(url).status_code == 400


@pytest.mark.parametrize("url", ["/households/?q=%00", "/households/%00/", "/audit/?q=%00", "/tasks/?tab=%00",
                                 "/applications/?status=%00"])
def test_a_nul_byte_in_a_page_address_is_400(sam, alice, url):
    assert web(alice).get(url).status_code == 400


def test_a_nul_byte_in_a_json_body_is_400(alice, household):
    body = {"household": household.pk, "program": "temporary", "kind": "expense", "cause": "火灾\x00",
            "amount_requested": "800.00"}
    assert api(alice).post("/api/v1/applications/", body, format="json").status_code == 400
    assert api(alice).post("/api/v1/applications/", {"x\x00": 1}, format="json").status_code == 400


@pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/api/v1/households/", "/api/v1/applications/",
                                 "/api/v1/tasks/1/complete/", "/api/v1/funds/1/allocations/"])
def test_deeply_nested_json_is_400_everywhere(alice, url):
    deep = "[" * 100000
    assert APIClient(raise_request_exception=False).post(url, deep, content_type="application/json").status_code == 400
    assert api(alice).post(url, deep, content_type="application/json").status_code == 400
    closed = "[" * 1000 + "]" * 1000
    assert api(alice).post(url, closed, content_type="application/json").status_code == 400


def test_deep_json_to_a_page_is_refused_too(alice):
    response = web(alice).post(reverse("household_create"), "[" * 100000, content_type="application/json")
    assert response.status_code == 400


def test_the_token_endpoint_still_answers_ordinary_requests(alice):
    client = APIClient(raise_request_exception=False)
    assert client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
                       ).status_code == 200
    nested = json.dumps({"username": "alice", "password": PASSWORD, "extra": [[[[1]]]]})
    assert client.post("/api/v1/auth/token/", nested, content_type="application/json").status_code == 200


@pytest.mark.parametrize("params", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"},
                                    {"date_from": "0001-01-01", "date_to": "9999-12-31"}])
def test_an_audit_search_beyond_the_calendar_is_refused_on_the_form(sam, params):
    response = web(sam).get("/audit/", params)
    assert response.status_code == 400  # the page, with the field's error, and no rows
    assert response.context["form"].errors and not response.context["page"].object_list


@pytest.mark.parametrize("month", ["0001-01", "0000-01", "9999-12", "2026-13"])
def test_a_statement_month_outside_the_calendar_is_404(fiona, regions, root, month):
    from tests.conftest import TOWNSHIP_A
    from tests.funds.conftest import open_fund

    fund = open_fund(TOWNSHIP_A, "100.00", by=root)
    client = web(fiona)
    for name in ("fund_statement", "fund_statement_pdf", "fund_statement_xlsx"):
        assert client.get(reverse(name, args=[fund.pk, month])).status_code == 404

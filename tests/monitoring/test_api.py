"""Early warnings through the JSON API, as a field app reads and answers them."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from workflows.monitoring.models import EarlyWarning, Rule

from .conftest import medical, scan, stranger_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def warning(poor_couple):
    scan(rule=Rule.MEANS_ELIGIBLE)
    return EarlyWarning.objects.get(household=poor_couple)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_township_lists_its_warnings_and_follows_one_up(alice, warning):
    listed = api(alice).get("/api/v1/warnings/").json()
    row, = listed["results"]
    assert row["id"] == warning.pk and row["rule"] == "means_eligible" and row["overdue"] is False
    assert row["household"] == warning.household_id and "375.00" in row["reason"]
    refused = api(alice).post(f"/api/v1/warnings/{warning.pk}/follow-up/", {"outcome": "case_opened"}, format="json")
    assert refused.status_code == 400 and "application" in refused.json()
    done = api(alice).post(f"/api/v1/warnings/{warning.pk}/follow-up/",
                           {"outcome": "no_action", "note": "已核实，子女赡养"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["done_by"] == "alice"
    again = api(alice).post(f"/api/v1/warnings/{warning.pk}/follow-up/",
                            {"outcome": "no_action", "note": "重复提交"}, format="json")
    assert again.status_code == 409
    assert api(alice).get("/api/v1/warnings/").json()["results"] == []
    assert api(alice).get("/api/v1/warnings/?status=done").json()["results"][0]["id"] == warning.pk
    assert api(alice).get("/api/v1/warnings/?status=later").status_code == 400


def test_a_person_not_registered_is_shown_masked(carol, alice, regions):
    medical(carol, [[stranger_id(2), "马桂兰", "370811001001", "45000.00"]])
    scan(rule=Rule.NOT_REGISTERED)
    row, = api(alice).get("/api/v1/warnings/").json()["results"]
    assert row["not_registered"]["name"] == "马桂兰" and "*" in row["not_registered"]["id_number"]
    assert stranger_id(2) not in str(row)


def test_outsiders_and_other_roles(bob, hana, warning):
    assert api(bob).get(f"/api/v1/warnings/{warning.pk}/").status_code == 404
    assert api(bob).get("/api/v1/warnings/").json()["results"] == []
    assert api(hana).get(f"/api/v1/warnings/{warning.pk}/").status_code == 200
    assert api(hana).post(f"/api/v1/warnings/{warning.pk}/follow-up/", {"outcome": "no_action", "note": "无需处理"},
                          format="json").status_code == 403
    assert EarlyWarning.objects.get(pk=warning.pk).status == "open"

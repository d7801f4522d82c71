"""Applications, tasks and documents over the API, as a field app or partner system would use them."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from assistance.models import Application
from deadlines.calendar_admin import load_year
from tests.conftest import TOWNSHIP_A, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _calendar(db):
    load_year(2026)


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def open_case(user, household, **extra):
    body = {"household": household.pk, "program": "temporary", "kind": "expense", "cause": "住院自付费用",
            "amount_requested": "800.00", **extra}
    response = api(user).post("/api/v1/applications/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def task_of(body, step):
    (task,) = [t for t in body["open_tasks"] if t["step"] == step]
    return task["id"]


def test_create_returns_the_contract_fields(alice, household):
    body = open_case(alice, household)
    assert set(body) >= {"id", "program", "kind", "status", "amount_requested", "amount_approved", "open_tasks"}
    assert body["status"] == "intake" and body["amount_requested"] == "800.00" and body["amount_approved"] is None
    (task,) = body["open_tasks"]
    assert task["step"] == "intake" and task["assigned_to"] == "alice" and task["overdue"] is False
    assert set(task) >= {"id", "application", "flow", "step", "status", "assigned_to", "due_at", "overdue",
                         "escalation_level"}


@pytest.mark.parametrize(("field", "value"), [("amount_requested", "12.345"), ("amount_requested", "-5.00"),
                                              ("amount_requested", "0"), ("amount_requested", "abc"),
                                              ("kind", "sometimes"), ("household", "x")])
def test_bad_input_is_400_naming_the_field(alice, household, field, value):
    body = {"household": household.pk, "program": "temporary", "kind": "expense", "cause": "x",
            "amount_requested": "800.00", field: value}
    response = api(alice).post("/api/v1/applications/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert Application.objects.count() == 0


def test_outsider_cannot_open_a_case_for_another_townships_household(bob, household):
    response = api(bob).post("/api/v1/applications/", {"household": household.pk, "program": "temporary",
                                                       "kind": "expense", "cause": "x", "amount_requested": "8.00"},
                             format="json")
    assert response.status_code == 400 and "household" in response.json()


def test_wrong_role_cannot_open_a_case(hana, fiona, household):
    for user in (hana, fiona):
        response = api(user).post("/api/v1/applications/", {"household": household.pk, "program": "temporary",
                                                            "kind": "expense", "cause": "x",
                                                            "amount_requested": "8.00"}, format="json")
        assert response.status_code == 403


def test_walk_to_a_rejection_over_the_api(alice, amy, hana, household):
    body = open_case(alice, household)
    app_id = body["id"]
    r = api(alice).post(f"/api/v1/tasks/{task_of(body, 'intake')}/complete/", {"complete": True}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "investigation"
    r = api(alice).post(f"/api/v1/tasks/{task_of(r.json(), 'investigate')}/complete/",
                        {"investigators": ["alice", "amy"], "findings": "收入超标", "recommended_amount": "800.00"},
                        format="json")
    assert r.status_code == 200 and r.json()["status"] == "township_review"
    approve_task = task_of(r.json(), "township_approve")
    # Queue: the head sees it unclaimed; the caseworker does not (wrong role).
    assert [t["id"] for t in api(hana).get("/api/v1/tasks/?scope=queue").json()["results"]] == [approve_task]
    assert api(alice).get("/api/v1/tasks/?scope=queue").json()["count"] == 0
    assert api(alice).post(f"/api/v1/tasks/{approve_task}/complete/", {"decision": "reject", "reason": "x"},
                           format="json").status_code == 403
    assert api(hana).post(f"/api/v1/tasks/{approve_task}/claim/").status_code == 200
    assert api(hana).get("/api/v1/tasks/?scope=mine").json()["results"][0]["id"] == approve_task
    missing = api(hana).post(f"/api/v1/tasks/{approve_task}/complete/", {"decision": "approve"}, format="json")
    assert missing.status_code == 400 and "amount_approved" in missing.json()
    r = api(hana).post(f"/api/v1/tasks/{approve_task}/complete/",
                       {"decision": "reject", "reason": "家庭收入高于标准"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    again = api(hana).post(f"/api/v1/tasks/{approve_task}/complete/", {"decision": "reject", "reason": "x"},
                           format="json")
    assert again.status_code == 409
    detail = api(alice).get(f"/api/v1/applications/{app_id}/").json()
    assert [h["to"] for h in detail["history"]] == ["intake", "investigation", "township_review", "rejected"]
    assert detail["history"][-1]["note"] == "家庭收入高于标准"
    assert set(detail) >= {"history", "documents", "payments"}


def test_claim_conflict_and_outsiders(alice, amy, hana, household, regions):
    other_head = make_staff("hong", ["township_head"], TOWNSHIP_A)
    body = open_case(alice, household)
    r = api(alice).post(f"/api/v1/tasks/{task_of(body, 'intake')}/complete/", {"complete": True}, format="json")
    r = api(alice).post(f"/api/v1/tasks/{task_of(r.json(), 'investigate')}/complete/",
                        {"investigators": ["alice", "amy"], "findings": "属实"}, format="json")
    task = task_of(r.json(), "township_approve")
    assert api(hana).post(f"/api/v1/tasks/{task}/claim/").status_code == 200
    assert api(other_head).post(f"/api/v1/tasks/{task}/claim/").status_code == 409
    assert api(other_head).post(f"/api/v1/tasks/{task}/complete/", {"decision": "reject", "reason": "x"},
                                format="json").status_code == 403  # not this task's owner


def test_outsiders_get_404_everywhere(alice, bob, otto, household):
    body = open_case(alice, household)
    task = task_of(body, "intake")
    for user in (bob, otto):
        client = api(user)
        assert client.get(f"/api/v1/applications/{body['id']}/").status_code in (403, 404)
        assert client.post(f"/api/v1/tasks/{task}/claim/").status_code == 404
        assert client.post(f"/api/v1/tasks/{task}/complete/", {"complete": True}, format="json").status_code == 404
    assert api(bob).get(f"/api/v1/applications/{body['id']}/").status_code == 404
    assert api(bob).get("/api/v1/applications/").json()["count"] == 0


def test_task_scopes(alice, sam, fiona, household):
    open_case(alice, household)
    assert api(sam).get("/api/v1/tasks/?scope=all").json()["count"] == 1
    assert api(alice).get("/api/v1/tasks/?scope=all").status_code == 403
    assert api(alice).get("/api/v1/tasks/?scope=bogus").status_code == 400
    assert api(fiona).get("/api/v1/tasks/?scope=mine").json()["count"] == 0


def test_list_query_counts_are_constant(alice, household):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert api(alice).get(url).status_code == 200
        return len(ctx.captured_queries)

    open_case(alice, household)
    few = {url: count(url) for url in ("/api/v1/tasks/?scope=mine", "/api/v1/applications/")}
    for _ in range(12):
        open_case(alice, household, cause_category="other")
    assert {url: count(url) for url in few} == few

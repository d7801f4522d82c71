"""Driving 低保 and 特困 cases over the API, as a field app would: open the case, read its
open tasks from the application, complete each with a JSON body.

The fixtures of tests/enrolment/conftest.py (the calendar, hugo, cora, poor_couple, the
county's standards) are imported by each test module that uses these helpers."""

from __future__ import annotations

import datetime

from django.utils import timezone
from rest_framework.test import APIClient

from registry.synthetic import make_id_number
from tests.conftest import COUNTY_2, VILLAGE_A2, make_staff
from workflows.enrolment.models import PublicNotice

CLEAR = {s: "clear" for s in ("registration", "tax", "social_insurance", "property", "vehicle", "business",
                              "deposit", "securities")}
SELF_CARE = {"eating": True, "dressing": True, "toileting": True, "transferring": False, "walking": False,
             "bathing": False}
INVESTIGATION = {"investigators": ["alice", "amy"], "findings": "两位老人务农，养老金微薄", "family_signed": True}


def api(user, language="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def open_case(user, household_id: int, program: str = "dibao", **extra) -> dict:
    body = {"household": household_id, "program": program, "cause": "年老体弱，收入不足", **extra}
    response = api(user).post("/api/v1/applications/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def application(user, app_id: int) -> dict:
    response = api(user).get(f"/api/v1/applications/{app_id}/")
    assert response.status_code == 200, response.json()
    return response.json()


def task_of(body: dict, step: str) -> int:
    (task,) = [t for t in body["open_tasks"] if t["step"] == step]
    return task["id"]


def steps_of(body: dict) -> list[str]:
    return sorted(t["step"] for t in body["open_tasks"])


def complete(user, app_id: int, step: str, fields: dict, *, reader=None):
    """POST the step's fields to its open task (read from the application by ``reader``,
    default the same user); the response, unchecked."""
    task = task_of(application(reader or user, app_id), step)
    return api(user).post(f"/api/v1/tasks/{task}/complete/", fields, format="json")


def done(user, app_id: int, step: str, fields: dict, *, reader=None) -> dict:
    response = complete(user, app_id, step, fields, reader=reader)
    assert response.status_code == 200, (step, response.json())
    return response.json()


def end_notices(app_id: int) -> None:
    """The notice's seven days pass (its end moved into the past)."""
    PublicNotice.objects.filter(application_id=app_id, ends_at__isnull=False).update(
        ends_at=timezone.now() - datetime.timedelta(minutes=1))


def olga():
    """A county reviewer of county 2 (兖州区): the outsider at county level with the county's rights."""
    return make_staff("olga", ["county_reviewer"], COUNTY_2)


def register_elder(user, *, name="吴长根", born=datetime.date(1952, 6, 9), pension="200.00") -> int:
    """A man living alone in rural village A2, on a small pension: registered and his income
    recorded over the API. Returns the household id."""
    client = api(user)
    response = client.post("/api/v1/households/", {
        "region": VILLAGE_A2, "address": "西关社区后街7号", "registration": "rural",
        "members": [{"name": name, "relation": "head", "id_number": make_id_number("370811", born, 731),
                     "disability_grade": None, "disability_kind": None, "conditions": ["living_alone"]}]},
        format="json")
    assert response.status_code == 201, response.json()
    household = response.json()
    head = household["members"][0]["id"]
    response = client.post(f"/api/v1/households/{household['id']}/incomes/", {
        "member": head, "kind": "pension", "monthly_amount": pension, "start": "2024-01-01"}, format="json")
    assert response.status_code == 201, response.json()
    return household["id"]


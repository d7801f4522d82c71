"""The attack, home-visit part: a visit location of "inf", "1e30" or "NaN", a NUL byte
inside ``findings``, and ``?due_before=2026-02-30`` each gave a server error (PostgreSQL
refuses NUL bytes and NaN; Python's Decimal refuses to compare NaN; an impossible date
raised). Each is now a 400 naming the field, and nothing is recorded."""

from __future__ import annotations

import datetime
import json
import uuid

import pytest
from rest_framework.test import APIClient

from visits.models import VisitRecord

from .conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    client.force_authenticate(user)
    return client


def body(**extra) -> dict:
    return {"client_uuid": str(uuid.uuid4()), "visited_at": (NOW - datetime.timedelta(hours=3)).isoformat(),
            "method": "in_person", "outcome": "ok", "notes": "一切正常", **extra}


@pytest.mark.parametrize("location", [
    {"latitude": "inf", "longitude": "116.59"}, {"latitude": "35.41", "longitude": "-inf"},
    {"latitude": "1e30", "longitude": "116.59"}, {"latitude": "NaN", "longitude": "NaN"},
    {"latitude": "35.41", "longitude": "116.59", "accuracy": "inf"},
    {"latitude": "35.41", "longitude": "116.59", "accuracy": "1e30"},
    {"latitude": "35.41", "longitude": "116.59", "accuracy": "NaN"},
    {"latitude": 1e30, "longitude": 116.59}, {"latitude": 35.41, "longitude": 116.59, "accuracy": 1e30},
])
def test_a_location_that_is_not_on_earth_is_400(visit, alice, location):
    response = api(alice).post(f"/api/v1/visits/{visit.pk}/record/", body(location=location), format="json")
    assert response.status_code == 400 and "location" in response.json(), response.content
    as_form = api(alice).post(f"/api/v1/visits/{visit.pk}/record/",
                              body(**{k: str(v) for k, v in location.items()}), format="multipart")
    assert as_form.status_code == 400, as_form.content
    assert not VisitRecord.objects.exists()


def test_non_finite_numbers_in_a_json_body_are_400(visit, alice):
    text = json.dumps(body(location={"latitude": float("nan"), "longitude": float("inf")}))
    response = api(alice).post(f"/api/v1/visits/{visit.pk}/record/", text, content_type="application/json")
    assert response.status_code == 400
    assert not VisitRecord.objects.exists()


def test_a_nul_byte_in_the_findings_is_400(visit, alice):
    findings = {"health": {"status": "ok", "note": "血压\x00正常"}}
    response = api(alice).post(f"/api/v1/visits/{visit.pk}/record/", body(findings=findings), format="json")
    assert response.status_code == 400
    as_form = api(alice).post(f"/api/v1/visits/{visit.pk}/record/", body(findings=json.dumps(findings)),
                              format="multipart")
    assert as_form.status_code == 400 and "findings" in as_form.json()
    assert not VisitRecord.objects.exists()


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "0000-01-01", "2026-02-30T10:00:00"])
def test_an_impossible_due_date_is_400(visit, alice, value):
    response = api(alice).get("/api/v1/visits/", {"due_before": value})
    assert response.status_code == 400 and "due_before" in response.json()

"""The field app's API (API.md, "Home visits"): the list, and a record endpoint that is safe
to resend over a bad connection."""

from __future__ import annotations

import datetime
import io
import json
import uuid

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from visits import services
from visits.models import Visit, VisitRecord

from .conftest import NOW, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def body(**extra) -> dict:
    return {"client_uuid": str(uuid.uuid4()), "visited_at": (NOW - datetime.timedelta(hours=3)).isoformat(),
            "method": "in_person", "outcome": "ok", "notes": "一切正常",
            "findings": {"health": {"status": "ok", "note": ""}, "money": "低保按时到账"}, **extra}


def post(user, visit, data, **kwargs):
    return api(user).post(f"/api/v1/visits/{visit.pk}/record/", data, format=kwargs.pop("format", "json"), **kwargs)


def test_the_list_has_the_contract_fields(visit, alice, hana):
    services.pair_household(hana, visit.household, alice)
    response = api(alice).get("/api/v1/visits/")
    assert response.status_code == 200
    page = response.json()
    assert set(page) == {"count", "next", "previous", "results"} and page["count"] == 2
    first = page["results"][0]
    assert set(first) >= {"id", "person", "household", "window_start", "window_end", "status", "assigned_to",
                          "escalation_level"}
    assert first["id"] == visit.pk and first["person"] == visit.person_id and first["household"] == visit.household_id
    assert first["window_start"] == "2026-06-08T00:00:00+08:00" and first["window_end"] == "2026-06-15T00:00:00+08:00"
    assert (first["status"], first["assigned_to"], first["escalation_level"]) == ("scheduled", "alice", 0)
    assert first["overdue"] is False and first["tier"] == "high_risk"


def test_filters_due_before_and_status(visit, alice, clock):
    due_this_week = api(alice).get("/api/v1/visits/?due_before=2026-06-15").json()
    assert [v["id"] for v in due_this_week["results"]] == [visit.pk]
    assert api(alice).get("/api/v1/visits/?due_before=2026-06-14").json()["count"] == 0
    assert api(alice).get("/api/v1/visits/?status=done").json()["count"] == 0
    post(alice, visit, body())
    done = api(alice).get("/api/v1/visits/?status=done").json()
    assert [v["id"] for v in done["results"]] == [visit.pk]
    assert api(alice).get("/api/v1/visits/?status=nonsense").status_code == 400
    assert api(alice).get("/api/v1/visits/?due_before=next-week").status_code == 400


def test_overdue_and_escalation_show_in_the_list(visit, alice, hana, clock):
    from deadlines.sweep import sweep

    clock.move_to(at(2026, 6, 15, 9))
    services.mark_missed()
    sweep()
    row = next(v for v in api(alice).get("/api/v1/visits/").json()["results"] if v["id"] == visit.pk)
    assert (row["status"], row["overdue"], row["escalation_level"]) == ("missed", True, 1)


def test_recording_answers_201_with_the_record(visit, alice):
    response = post(alice, visit, body())
    assert response.status_code == 201, response.json()
    record = response.json()
    assert record["visit"] == visit.pk and record["outcome"] == "ok" and record["visit_status"] == "done"
    assert record["recorded_by"] == "alice" and record["findings"]["money"] == {"status": "", "note": "低保按时到账"}
    assert record["visited_at"] == "2026-06-10T07:00:00+08:00"


def test_the_same_uuid_again_returns_the_first_record_and_changes_nothing(visit, alice):
    data = body()
    first = post(alice, visit, data)
    assert first.status_code == 201
    trail = AuditEvent.objects.count()
    again = post(alice, visit, {**data, "outcome": "danger", "notes": "resent with other words"})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert VisitRecord.objects.count() == 1 and AuditEvent.objects.count() == trail


def test_a_uuid_used_for_another_visit_is_a_conflict(planned, visit, alice):
    other = Visit.objects.filter(plan=planned).exclude(pk=visit.pk).get()
    data = body()
    assert post(alice, visit, data).status_code == 201
    clash = post(alice, other, {**data, "visited_at": NOW.isoformat()})
    assert clash.status_code == 409 and "detail" in clash.json()
    assert VisitRecord.objects.count() == 1


def test_a_visit_recorded_by_someone_else_answers_409_with_their_record(visit, alice, amy):
    first = post(alice, visit, body()).json()
    clash = post(amy, visit, body(outcome="needs_help"))
    assert clash.status_code == 409
    assert clash.json()["record"]["id"] == first["id"] and clash.json()["record"]["recorded_by"] == "alice"
    assert VisitRecord.objects.count() == 1


def test_a_future_visited_at_is_refused(visit, alice):
    response = post(alice, visit, body(visited_at=(NOW + datetime.timedelta(hours=2)).isoformat()))
    assert response.status_code == 400 and "visited_at" in response.json()
    assert not VisitRecord.objects.exists()


def test_hours_old_is_fine(visit, alice):
    response = post(alice, visit, body(visited_at="2026-06-09T17:30:00+08:00"))
    assert response.status_code == 201


@pytest.mark.parametrize("bad", [
    {"client_uuid": "not-a-uuid"}, {"method": "telepathy"}, {"outcome": "fine"}, {"visited_at": "yesterday"},
    {"findings": ["health"]}, {"findings": {"garden": "ok"}}, {"location": {"latitude": 200, "longitude": 1}},
])
def test_bad_input_is_400_naming_the_field(visit, alice, bad):
    response = post(alice, visit, body(**bad))
    assert response.status_code == 400
    assert set(response.json()) & {*bad, "location"}
    assert not VisitRecord.objects.exists()


def test_not_home_over_the_api(visit, alice):
    record = post(alice, visit, body(outcome="not_home")).json()
    assert record["visit_status"] == "scheduled" and record["retry_at"] == "2026-06-11T10:00:00+08:00"


def test_danger_over_the_api_carries_the_case_link(visit, alice):
    record = post(alice, visit, body(outcome="danger", notes="老人摔倒")).json()
    assert record["assistance_link"].startswith(f"/applications/new/?household={visit.household_id}&")


def test_a_photo_in_multipart(visit, alice):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 10)).save(buffer, format="JPEG")
    buffer.name = "p.jpg"
    buffer.seek(0)
    data = body(location=json.dumps({"latitude": 35.4147, "longitude": 116.5872, "accuracy": 12}))
    data["findings"] = json.dumps(data["findings"])
    data["photo"] = buffer
    response = post(alice, visit, data, format="multipart")
    assert response.status_code == 201, response.json()
    record = response.json()
    assert record["photo"] == f"/visits/records/{record['id']}/photo/"
    assert record["location"] == {"latitude": "35.414700", "longitude": "116.587200", "accuracy": 12}
    photo = APIClient()
    photo.force_login(alice)
    assert photo.get(record["photo"])["Content-Type"] == "image/jpeg"


def test_an_outsider_gets_404(visit, bob):
    assert api(bob).get(f"/api/v1/visits/{visit.pk}/").status_code == 404
    assert post(bob, visit, body()).status_code == 404
    assert api(bob).get("/api/v1/visits/").json()["count"] == 0
    assert not VisitRecord.objects.exists()


def test_wrong_roles_get_403(visit, carol, sam):
    assert api(carol).get("/api/v1/visits/").status_code == 403
    assert api(carol).get(f"/api/v1/visits/{visit.pk}/").status_code == 403
    assert post(carol, visit, body()).status_code == 403
    assert api(sam).get("/api/v1/visits/").status_code == 200  # supervisors follow visits
    assert post(sam, visit, body()).status_code == 403  # but do not record them


def test_anonymous_gets_401(visit):
    assert APIClient().get("/api/v1/visits/").status_code == 401


def test_the_detail_lists_the_records(visit, alice):
    post(alice, visit, body(outcome="not_home"))
    post(alice, visit, body(visited_at=NOW.isoformat()))
    detail = api(alice).get(f"/api/v1/visits/{visit.pk}/").json()
    assert [r["outcome"] for r in detail["records"]] == ["not_home", "ok"] and detail["status"] == "done"


def test_the_schema_documents_the_endpoints(alice):
    schema = api(alice).get("/api/v1/schema/?format=json").json()
    assert "/api/v1/visits/" in schema["paths"] and "/api/v1/visits/{id}/record/" in schema["paths"]

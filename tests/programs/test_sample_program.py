"""A program defined only under tests/programs/sample/ runs through the whole engine —
the web task page, the API's tasks, claim and complete with their 403/404/409 answers,
deadlines and breaches, the supervisor dashboard — with no file outside its folder
naming it or its steps. This is the proof that a program is one folder."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assistance.models import Application
from audit.models import AuditEvent
from deadlines.calendar_admin import load_year
from deadlines.models import Deadline, DeadlineStatus
from deadlines.sweep import sweep

pytestmark = pytest.mark.django_db

FOLDER = Path(__file__).parent / "sample"


@pytest.fixture(autouse=True)
def _calendar(db):
    load_year(2026)


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def open_sample(user, household) -> dict:
    response = api(user).post("/api/v1/applications/", {"household": household.pk, "program": "sample",
                                                        "cause": "测试用的程序"}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def the_task(application_id: int, step: str) -> int:
    return Deadline.objects.exclude(status=DeadlineStatus.CLOSED).get(application_id=application_id,
                                                                       step=step).subject_id


def complete(user, task_id: int, **fields):
    return api(user).post(f"/api/v1/tasks/{task_id}/complete/", fields, format="json")


def test_the_program_is_only_its_folder():
    """Its code and step names appear in its own folder and in this test, nowhere else in the project."""
    root = FOLDER.parents[2]
    names = ("tests.programs.sample", "sample.register_case", "SampleCase", "Sample program")
    outside = []
    for top in ("src", "workflows", "forms", "templates", "bench"):
        for path in (root / top).rglob("*"):
            if path.suffix in (".py", ".html") and path.is_file():
                text = path.read_text(encoding="utf-8")
                outside += [f"{path}: {name}" for name in names if name in text]
    assert outside == []


def test_a_case_from_opening_to_decision(as_user, alice, amy, hana, household):
    body = open_sample(alice, household)
    case_id = body["id"]
    assert body["program"] == "sample" and body["status"] == "registered"
    assert [t["step"] for t in body["open_tasks"]] == ["register"]
    assert body["open_tasks"][0]["flow"] == "sample" and body["open_tasks"][0]["role"] == "caseworker"

    # Step 1 on the web task page: its label, help and form come from the step table.
    task = the_task(case_id, "register")
    page = as_user(alice).get(reverse("task_detail", args=[task]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Register the sample case" in html and "Say whether the case is complete." in html
    assert 'name="complete"' in html
    response = as_user(alice).post(reverse("task_detail", args=[task]), {"complete": "yes"})
    assert response.status_code == 302
    assert Application.objects.get(pk=case_id).status == "assessing"

    # Step 2 over the API: listed in the township's queue, claimed by one caseworker only.
    queue = api(amy).get("/api/v1/tasks/?scope=queue").json()["results"]
    task = the_task(case_id, "assess")
    assert [(t["id"], t["step"], t["flow"]) for t in queue if t["application"] == case_id] == [
        (task, "assess", "sample")]
    assert api(amy).post(f"/api/v1/tasks/{task}/claim/").status_code == 200
    assert api(alice).post(f"/api/v1/tasks/{task}/claim/").status_code == 409
    assert complete(alice, task, findings="x", amount="10.00").status_code == 403  # amy's task
    bad = complete(amy, task, findings="走访核实", amount="12.345")
    assert bad.status_code == 400 and "amount" in bad.json()
    assert Application.objects.get(pk=case_id).status == "assessing"  # nothing changed
    done = complete(amy, task, findings="走访核实", amount="600.00")
    assert done.status_code == 200 and done.json()["status"] == "deciding"
    assert complete(amy, task, findings="again", amount="1.00").status_code == 409  # already done

    # Step 3: the township head's, listed in the approval queue because it decides.
    task = the_task(case_id, "decide")
    queue = as_user(hana).get(reverse("approval_queue"))
    assert "Decide the sample case" in queue.content.decode()
    assert complete(alice, task, grant=True).status_code == 403  # a caseworker's role may not decide
    decided = complete(hana, task, grant=True, reason="符合条件")
    assert decided.status_code == 200, decided.json()
    assert decided.json()["status"] == "granted" and decided.json()["open_tasks"] == []
    assert decided.json()["amount_approved"] == "600.00"

    case = Application.objects.get(pk=case_id)
    assert case.status_label == "Granted"
    assert not Deadline.objects.filter(application_id=case_id).exclude(status=DeadlineStatus.CLOSED).exists()
    events = list(AuditEvent.objects.filter(object_type="assistance.application", object_id=str(case_id))
                  .order_by("id").values_list("event", flat=True))
    assert events[0] == "assistance.application.opened"
    assert {"assistance.application.sample_registered", "assistance.application.sample_assessed",
            "assistance.application.sample_decided"} <= set(events)


def test_outsiders_see_nothing(alice, bob, otto, household):
    body = open_sample(alice, household)
    task = the_task(body["id"], "register")
    for outsider in (bob, otto):
        assert api(outsider).post(f"/api/v1/tasks/{task}/claim/").status_code == 404
        assert complete(outsider, task, complete=True).status_code == 404
        assert api(outsider).get(f"/api/v1/applications/{body['id']}/").status_code == 404
    client = APIClient()
    client.force_login(bob)
    assert client.get(reverse("task_detail", args=[task])).status_code == 404


def test_wrong_role_on_every_step(alice, amy, hana, carol, household):
    body = open_sample(alice, household)
    task = the_task(body["id"], "register")
    assert complete(hana, task, complete=True).status_code == 403
    assert complete(carol, task, complete=True).status_code == 403
    assert complete(alice, task, complete=True).status_code == 200
    task = the_task(body["id"], "assess")
    assert complete(hana, task, findings="x", amount="1.00").status_code == 403
    assert complete(amy, task, findings="x", amount="1.00").status_code == 200
    task = the_task(body["id"], "decide")
    assert complete(amy, task, grant=False, reason="r").status_code == 403
    assert complete(carol, task, grant=False, reason="r").status_code == 403


def test_its_deadlines_breach_and_reach_the_supervisor(as_user, alice, sam, household):
    body = open_sample(alice, household)
    deadline = Deadline.objects.get(application_id=body["id"], step="register")
    assert deadline.flow == "sample" and deadline.role == "caseworker" and deadline.due_at is not None
    # The default policy was seeded from the step table's limit (2 working days).
    assert deadline.policy.duration == 2 and deadline.policy.legal_basis == "test"

    # Let its time run out: due three days ago, then the one sweeper runs.
    past = timezone.now() - datetime.timedelta(days=3)
    Deadline.objects.filter(pk=deadline.pk).update(due_at=past, next_check_at=past)
    report = sweep()
    assert report.count("breach") == 1
    deadline.refresh_from_db()
    assert deadline.breached_at is not None and deadline.escalation_level >= 1

    breaches = api(sam).get("/api/v1/sla/breaches/?step=register").json()["results"]
    assert [(b["step"], b["application"]) for b in breaches] == [("register", body["id"])]
    board = as_user(sam).get(reverse("sla_dashboard")).content.decode()
    assert "Sample program · Register the sample case" in board
    listed = as_user(sam).get(reverse("sla_breaches"), {"step": "sample.register"}).content.decode()
    row = listed[listed.index("<tbody"):]
    assert "Sample program · Register the sample case" in row
    assert f'href="{reverse("task_detail", args=[deadline.subject_id])}"' in row and f"{body['id']}" in row

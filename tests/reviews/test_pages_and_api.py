"""Ongoing cases in the browser and over the API: the review's tasks on the engine's
task page (caseworker, then township head), the case page's schedule and forms, the
notices' PDFs, the township's list and its export, and the two endpoints — each with an
outsider (another township: 404) and a wrong role (county finance: 403)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from workflows.enrolment.models import BenefitChange
from workflows.reviews import services
from workflows.reviews.models import BenefitNotice, ChangeReport, Review

from .conftest import do, earns, members, open_review_task, reload, today

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_review_tasks_on_the_task_page(client, alice, hana, bob, fiona, enrolled):
    case = enrolled
    earns(alice, case, "李桂英", "200.00")
    client.force_login(alice)
    response = client.post(f"/applications/{case.pk}/changes/",
                           {"kind": "income", "note": "李桂英做保洁", "occurred_on": today().isoformat()})
    assert response.status_code == 302
    task = open_review_task(case)
    page = client.get(f"/tasks/{task.subject_id}/")
    assert page.status_code == 200
    assert 'name="investigators"' in page.content.decode()
    response = client.post(f"/tasks/{task.subject_id}/", {"investigators": ["alice", "amy"],
                                                         "findings": "入户核实：李桂英做保洁，月收入200元"})
    assert response.status_code == 302, response.content.decode()[:2000]

    decide = open_review_task(case)
    assert decide.step == "review_decide"
    client.force_login(bob)
    assert client.get(f"/tasks/{decide.subject_id}/").status_code == 404  # another township
    client.force_login(fiona)
    assert client.get(f"/tasks/{decide.subject_id}/").status_code == 403  # not her step
    client.force_login(alice)
    assert client.post(f"/tasks/{decide.subject_id}/", {"decision": "continue"}).status_code == 403
    client.force_login(hana)
    page = client.get(f"/tasks/{decide.subject_id}/")
    assert page.status_code == 200 and "790.00" in page.content.decode()
    refused = client.post(f"/tasks/{decide.subject_id}/", {"decision": "adjust", "new_amount": "800.00",
                                                           "reasons": "收入增加"})
    assert refused.status_code == 400
    done = client.post(f"/tasks/{decide.subject_id}/", {"decision": "adjust", "new_amount": "790.00",
                                                        "reasons": "李桂英有保洁收入"})
    assert done.status_code == 302
    assert BenefitChange.objects.get(application=case, kind="adjust").monthly_amount == Decimal("790.00")

    page = client.get(f"/applications/{case.pk}/").content.decode()
    assert 'id="payment-schedule"' in page and "790.00" in page and 'id="benefit-notices"' in page
    notice = BenefitNotice.objects.get(application=case)
    pdf = client.get(f"/benefit-notices/{notice.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF")
    client.force_login(bob)
    assert client.get(f"/benefit-notices/{notice.pk}/pdf/").status_code == 404


def test_case_page_forms_and_who_may_use_them(client, alice, bob, fiona, enrolled):
    case = enrolled
    client.force_login(alice)
    page = client.get(f"/applications/{case.pk}/").content.decode()
    assert 'id="report-change"' in page and 'id="report-refusal"' in page
    husband = members(case)["孙守田"]
    response = client.post(f"/applications/{case.pk}/work-refusals/",
                           {"member": husband.pk, "offered": "镇保洁公司保洁员", "on": today().isoformat()})
    assert response.status_code == 302
    bad = client.post(f"/applications/{case.pk}/changes/", {"kind": "death", "occurred_on": today().isoformat()})
    assert bad.status_code == 400  # a death names the member
    client.force_login(bob)
    assert client.post(f"/applications/{case.pk}/changes/", {"kind": "other", "note": "x",
                                                              "occurred_on": today().isoformat()}).status_code == 404
    client.force_login(fiona)
    assert client.post(f"/applications/{case.pk}/changes/", {"kind": "other", "note": "x",
                                                              "occurred_on": today().isoformat()}).status_code == 403
    assert not ChangeReport.objects.exists()


def test_township_changes_page_and_export(client, alice, hana, bob, fiona, enrolled):
    case = enrolled
    services.report_change(alice, case.pk, kind="other", note="迁出", occurred_on=today())
    do(alice, case, "review_investigate", investigators=["alice", "amy"], findings="全家迁出")
    do(hana, case, "review_decide", decision="stop", reasons="全家户籍迁出本县")
    client.force_login(hana)
    page = client.get("/township-changes/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'id="review-{Review.objects.get().pk}"' in body
    stop = BenefitChange.objects.get(application=case, kind="stop")
    assert f'id="change-{stop.pk}"' in body
    filtered = client.get("/township-changes/", {"kind": "death"}).content.decode()
    assert 'id="review-' not in filtered
    export = client.get("/township-changes/export.xlsx", {"program": "dibao"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(bob)
    assert f'id="change-{stop.pk}"' not in client.get("/township-changes/").content.decode()
    client.force_login(fiona)
    assert client.get("/township-changes/").status_code == 403


def test_api_changes(alice, bob, fiona, hana, enrolled):
    case = enrolled
    wife = members(case)["李桂英"]
    url = f"/api/v1/applications/{case.pk}/changes/"
    body = {"kind": "death", "member": wife.pk, "note": "因病去世", "occurred_on": today().isoformat()}
    assert api(bob).post(url, body, format="json").status_code == 404
    assert api(fiona).post(url, body, format="json").status_code == 403
    assert api(alice).post(url, {**body, "occurred_on": "tomorrow"}, format="json").status_code == 400
    response = api(alice).post(url, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["review_kind"] == "death" and data["review_due_by"] == services.months_after(today(), 3).isoformat()
    # Decided to stop: the case is no longer paid, a change is refused.
    do(alice, case, "review_investigate", investigators=["alice", "amy"], findings="其妻去世")
    do(hana, case, "review_decide", decision="stop", reasons="户主已入住敬老院集中供养")
    assert reload(case).status == "stopped"
    assert api(alice).post(url, {"kind": "other", "note": "x", "occurred_on": today().isoformat()},
                           format="json").status_code == 409


def test_api_work_refusals(alice, bob, fiona, enrolled):
    case = enrolled
    husband = members(case)["孙守田"]
    url = f"/api/v1/applications/{case.pk}/work-refusals/"
    body = {"member": husband.pk, "offered": "村公益性岗位", "on": today().isoformat()}
    assert api(bob).post(url, body, format="json").status_code == 404
    assert api(fiona).post(url, body, format="json").status_code == 403
    answers = [api(alice).post(url, body, format="json") for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert [a.json()["cut"] for a in answers[:2]] == [None, None]
    assert answers[2].json()["cut"]["monthly_amount"] == "495.00"

"""低保 and 特困 over the API only (API.md, "Steps of the 低保 and 特困 flows" and "Version 1
additions"): a whole case of each program, from the application to the approval, through
its public notice, an objection, the re-investigation and a second notice.

Standards: 任城区 (370811) 870.00 a month rural from 2026 (tests/means/conftest.py); 特困's
standard is 1.30 × that, 1,131.00.
"""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import pytest
from django.utils import timezone

from assistance.models import Application
from audit.models import AuditEvent
from tests.conftest import COUNTY
from tests.enrolment.conftest import _calendar  # noqa: F401 - the working-day calendar, for every test here
from workflows.enrolment.models import NoticeKind, PublicNotice

from .enrolment_helpers import (
    CLEAR,
    INVESTIGATION,
    SELF_CARE,
    api,
    application,
    complete,
    done,
    end_notices,
    open_case,
    register_elder,
    steps_of,
)

pytestmark = pytest.mark.django_db

STAND_IN_TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture
def notice_template(settings):
    """The posted list's template, or a stand-in after it where it is not there (the
    template belongs to the documents; these tests are about serving the PDF)."""
    engines = [dict(engine) for engine in settings.TEMPLATES]
    engines[0]["DIRS"] = [*engines[0]["DIRS"], STAND_IN_TEMPLATES]
    settings.TEMPLATES = engines


def next_month_start(today: datetime.date) -> str:
    return (today.replace(day=28) + datetime.timedelta(days=5)).replace(day=1).isoformat()


def test_a_dibao_case_from_application_to_approval(alice, amy, hana, cora, carol, poor_couple):
    case = open_case(alice, poor_couple.pk)
    app_id = case["id"]
    assert (case["program"], case["status"], steps_of(case)) == ("dibao", "intake", ["intake"])
    assert case["amount_requested"] is None

    body = done(alice, app_id, "intake", {"complete": True})
    assert body["status"] == "investigation" and steps_of(body) == ["investigate"]
    limit = body["enrolment"]["time_limit"]  # the whole case's 30 working days run
    assert limit["extended"] is False and limit["closed_at"] is None and limit["overdue"] is False

    body = done(amy, app_id, "investigate", INVESTIGATION)
    assert body["status"] == "verification" and body["enrolment"]["family_signed"] is True

    # 核对: a vehicle found in the records, said in the note; shown on the case.
    results = {**CLEAR, "vehicle": "found"}
    body = done(cora, app_id, "verify", {"results": results, "note": "名下有一辆2009年的农用三轮车"}, reader=alice)
    verification = body["enrolment"]["verification"]
    assert body["status"] == "township_review"
    assert verification["results"] == results and verification["found"] == ["vehicle"]
    assert (verification["verified_by"], verification["note"]) == ("cora", "名下有一辆2009年的农用三轮车")

    # First review: recommended at the means test's gap, (870.00 − 375.00) × 2 = 990.00; the list is posted.
    body = done(hana, app_id, "township_review", {"decision": "recommend", "reason": "三轮车价值低，符合条件"})
    assert body["status"] == "notice" and steps_of(body) == ["county_confirm"]
    enrolment = body["enrolment"]
    assert enrolment["first_review"]["recommended_amount"] == "990.00" and enrolment["household_size"] == 2
    assert enrolment["first_review"]["by"] == "hana"
    (notice,) = enrolment["notices"]
    assert (notice["kind"], notice["round"], notice["running"]) == ("first_review", 1, True)
    assert enrolment["means"]["monthly_amount"] == "990.00" and enrolment["means"]["lines"]

    # While the notice runs, confirmation is refused.
    refused = complete(carol, app_id, "county_confirm", {"decision": "approve", "amount_approved": "990.00"},
                       reader=alice)
    assert refused.status_code == 409 and "public notice" in refused.json()["detail"]
    assert Application.objects.get(pk=app_id).status == "notice"

    listed = api(alice).get("/api/v1/notices/?program=dibao").json()
    assert listed["count"] == 1 and set(listed) == {"count", "next", "previous", "results"}
    posted = listed["results"][0]
    assert posted["entries"] == [{"name": "孙*田", "household_size": 2, "amount": "990.00"}]
    assert (posted["region"], posted["program"], posted["kind"]) == ("370811001002", "dibao", "first_review")
    assert posted["document"].endswith(f"/api/v1/notices/{posted['id']}/document/")

    # An objection during the notice: the notice is withdrawn, the case re-investigated.
    response = api(alice).post(f"/api/v1/applications/{app_id}/objections/",
                               {"text": "邻居反映其子女在外务工收入较高", "raised_by": "村民"}, format="json")
    assert response.status_code == 201, response.json()
    objection = response.json()
    assert (objection["application"], objection["notice"], objection["raised_by"]) == (app_id, posted["id"], "村民")
    assert objection["recorded_by"] == "alice" and objection["outcome"] == ""
    body = application(alice, app_id)
    assert body["status"] == "reinvestigation" and steps_of(body) == ["reinvestigate"]
    assert body["enrolment"]["notices"][0]["running"] is False
    assert body["enrolment"]["notices"][0]["withdrawn_at"] is not None
    # No notice runs now: a second objection has nothing to object to.
    again = api(hana).post(f"/api/v1/applications/{app_id}/objections/", {"text": "再次反映"}, format="json")
    assert again.status_code == 409

    body = done(amy, app_id, "reinvestigate", {"findings": "子女收入不稳定，异议不成立", "outcome": "dismissed"})
    assert body["status"] == "township_review"
    (answered,) = body["enrolment"]["objections"]
    assert (answered["outcome"], answered["findings"]) == ("dismissed", "子女收入不稳定，异议不成立")

    body = done(hana, app_id, "township_review", {"decision": "recommend", "reason": "异议不成立，维持原意见"})
    assert body["status"] == "notice"
    assert [(n["round"], n["running"]) for n in body["enrolment"]["notices"]] == [(1, False), (2, True)]

    end_notices(app_id)
    body = done(carol, app_id, "county_confirm",
                {"decision": "approve", "amount_approved": "990.00", "reason": "符合低保条件"}, reader=alice)
    assert (body["status"], body["amount_approved"], body["open_tasks"]) == ("approved", "990.00", [])
    enrolment = body["enrolment"]
    assert enrolment["paid_from"] == next_month_start(timezone.localdate())
    assert enrolment["household_size"] == 2 and enrolment["means"]["eligible"] is True
    assert enrolment["time_limit"]["closed_at"] is not None  # the whole-case clock stopped with the decision
    assert [h["to"] for h in body["history"]] == ["intake", "investigation", "verification", "township_review",
                                                  "notice", "reinvestigation", "township_review", "notice",
                                                  "approved"]

    # Both first-review rounds and the published approval, names masked, nothing else of the family.
    response = api(alice).get("/api/v1/notices/?program=dibao")
    notices = response.json()["results"]
    assert [(n["kind"], n["round"]) for n in notices] == [("approved", 1), ("first_review", 2), ("first_review", 1)]
    assert all(n["entries"] == [{"name": "孙*田", "household_size": 2, "amount": "990.00"}] for n in notices)
    text = response.content.decode()
    household = poor_couple
    for member in household.members.all():
        assert member.id_number not in text and member.name not in text
    assert household.address not in text


def test_a_tekun_case_from_application_to_approval_and_its_spot_check(alice, amy, hana, cora, carol, sam,
                                                                        standards):
    household_id = register_elder(alice)
    case = open_case(alice, household_id, program="tekun")
    app_id = case["id"]
    done(alice, app_id, "intake", {"complete": True})

    # The investigation must say, for each of the six activities, whether he does it unaided.
    missing = complete(amy, app_id, "investigate", INVESTIGATION)
    assert missing.status_code == 400 and "self_care" in missing.json()
    partial = complete(amy, app_id, "investigate", {**INVESTIGATION, "self_care": {"eating": True}})
    assert partial.status_code == 400 and "self_care" in partial.json()
    assert Application.objects.get(pk=app_id).status == "investigation"

    body = done(amy, app_id, "investigate", {**INVESTIGATION, "self_care": SELF_CARE})
    enrolment = body["enrolment"]
    assert body["status"] == "verification"
    # Three of six not done unaided: partly dependent. Aged 73 (60 or over): unable to work.
    assert (enrolment["self_care"], enrolment["self_care_grade"]) == (SELF_CARE, "partly_dependent")
    assert enrolment["unable_to_work"] is True and "60" in enrolment["unable_reason"]

    done(cora, app_id, "verify", {"results": CLEAR, "note": ""}, reader=alice)
    # (1,131.00 − 200.00 pension) × 1 = 931.00
    body = done(hana, app_id, "township_review", {"decision": "recommend"})
    assert body["status"] == "notice" and body["enrolment"]["first_review"]["recommended_amount"] == "931.00"

    response = api(hana).post(f"/api/v1/applications/{app_id}/objections/", {"text": "其侄子每月给生活费"},
                              format="json")
    assert response.status_code == 201 and response.json()["raised_by"] == ""
    done(amy, app_id, "reinvestigate", {"findings": "侄子偶尔探望，无固定赡养", "outcome": "dismissed"})
    done(hana, app_id, "township_review", {"decision": "recommend"})
    refused = complete(carol, app_id, "county_confirm", {"decision": "approve", "amount_approved": "931.00"},
                       reader=alice)
    assert refused.status_code == 409
    end_notices(app_id)
    body = done(carol, app_id, "county_confirm", {"decision": "approve", "amount_approved": "931.00"},
                reader=alice)
    assert (body["status"], body["amount_approved"]) == ("approved", "931.00")
    assert body["enrolment"]["paid_from"] == next_month_start(timezone.localdate())

    notices = api(alice).get("/api/v1/notices/?program=tekun").json()["results"]
    assert [(n["kind"], n["entries"]) for n in notices] == [
        ("approved", [{"name": "吴*根", "household_size": 1, "amount": "931.00"}]),
        ("first_review", [{"name": "吴*根", "household_size": 1, "amount": "931.00"}]),
        ("first_review", [{"name": "吴*根", "household_size": 1, "amount": "931.00"}])]
    assert api(alice).get("/api/v1/notices/?program=dibao").json()["count"] == 0

    # The county draws its spot checks for the month: at least 30 % of one case is that case.
    period = timezone.localdate().strftime("%Y-%m")
    response = api(carol).post("/api/v1/spot-checks/", {"county": COUNTY, "period": period}, format="json")
    assert response.status_code == 201, response.json()
    (drawn,) = response.json()
    assert (drawn["application"], drawn["county"], drawn["period"], drawn["drawn_by"]) == (app_id, COUNTY, period,
                                                                                           "carol")
    # Drawing again draws nothing new and answers the same list.
    again = api(carol).post("/api/v1/spot-checks/", {"county": COUNTY, "period": period}, format="json")
    assert again.status_code == 201 and [s["id"] for s in again.json()] == [drawn["id"]]
    for user in (carol, sam):
        listed = api(user).get(f"/api/v1/spot-checks/?county={COUNTY}&period={period}").json()
        assert [s["application"] for s in listed["results"]] == [app_id]
    assert api(carol).get(f"/api/v1/spot-checks/?period={period[:4]}-01x").status_code == 400


def test_the_notice_document_is_the_posted_pdf_rendered_once_and_audited(alice, amy, hana, cora, sam, poor_couple,
                                                                         notice_template):
    app_id = open_case(alice, poor_couple.pk)["id"]
    done(alice, app_id, "intake", {"complete": True})
    done(amy, app_id, "investigate", INVESTIGATION)
    done(cora, app_id, "verify", {"results": CLEAR}, reader=alice)
    done(hana, app_id, "township_review", {"decision": "recommend"})
    notice = PublicNotice.objects.get(application_id=app_id)
    url = api(alice).get("/api/v1/notices/").json()["results"][0]["document"]
    assert notice.sha256 == ""  # the worker has not rendered it yet: the download renders it

    response = api(alice).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response) if response.streaming else response.content
    assert content.startswith(b"%PDF")
    digest = hashlib.sha256(content).hexdigest()
    assert response["ETag"] == f'"{digest}"'
    assert PublicNotice.objects.get(pk=notice.pk).sha256 == digest
    assert "inline" in response["Content-Disposition"]

    # The same bytes for the next reader, who is recorded too; a revalidation sends nothing.
    second = api(sam).get(url + "?download=1")
    assert second.status_code == 200 and hashlib.sha256(second.content).hexdigest() == digest
    assert "attachment" in second["Content-Disposition"]
    assert api(alice).get(url, HTTP_IF_NONE_MATCH=f'"{digest}"').status_code == 304
    downloads = AuditEvent.objects.filter(event="enrolment.notice.downloaded", object_id=str(notice.pk))
    assert sorted(downloads.values_list("actor_username", flat=True)) == ["alice", "sam"]
    assert {e.extra["sha256"] for e in downloads} == {digest}
    assert AuditEvent.objects.filter(event="enrolment.notice.rendered", object_id=str(notice.pk)).count() == 1

    one = api(alice).get(f"/api/v1/notices/{notice.pk}/").json()
    assert (one["sha256"], one["kind"]) == (digest, NoticeKind.FIRST_REVIEW)

"""低保/特困 over the API: the fields each step refuses (400, nothing changes), the states
that refuse a request (409), and who may not (403 a wrong role, 404 outside the caller's
region) on every step and every enrolment endpoint.

bob: caseworker of township B; otto: supervisor of county 2; olga: county reviewer of
county 2; fiona: county finance; sam: supervisor of the county (reads, never acts).
"""

from __future__ import annotations

import datetime

import pytest

from assistance.models import Application
from audit.models import AuditEvent
from tests.conftest import COUNTY, COUNTY_2, VILLAGE_A1, VILLAGE_A2
from tests.enrolment.conftest import _calendar  # noqa: F401 - the working-day calendar, for every test here
from tests.means.conftest import family, income, person
from workflows.enrolment.models import EnrolmentRule, Objection, PublicNotice, SpotCheck

from .enrolment_helpers import (
    CLEAR,
    INVESTIGATION,
    SELF_CARE,
    api,
    application,
    complete,
    done,
    end_notices,
    olga,
    open_case,
    register_elder,
    steps_of,
    task_of,
)

pytestmark = pytest.mark.django_db


def status(app_id: int) -> str:
    return Application.objects.get(pk=app_id).status


@pytest.fixture
def in_review(alice, amy, cora, poor_couple) -> int:
    """A 低保 case investigated and verified, waiting for the township's first review."""
    app_id = open_case(alice, poor_couple.pk)["id"]
    done(alice, app_id, "intake", {"complete": True})
    done(amy, app_id, "investigate", INVESTIGATION)
    done(cora, app_id, "verify", {"results": CLEAR}, reader=alice)
    return app_id


@pytest.fixture
def in_notice(in_review, hana) -> int:
    """The same case recommended: its first-review list is posted and runs for 7 days."""
    done(hana, in_review, "township_review", {"decision": "recommend"})
    return in_review


# --- opening a case ----------------------------------------------------------------------------------

def test_opening_checks_the_programs_own_fields(alice, poor_couple, household):
    url = "/api/v1/applications/"
    base = {"household": poor_couple.pk, "program": "dibao", "cause": "年老体弱"}
    cases = [
        ({"kind": "urgent"}, "kind"),  # temporary assistance's, not 低保's
        ({"cause_category": "illness"}, "cause_category"),
        ({"covered_member": household.members.first().pk}, "covered_member"),  # not of this household
        # The couple qualifies as a whole: a qualifying household is covered whole, never in part.
        ({"covered_member": poor_couple.members.first().pk}, "covered_member"),
        ({"covered_member": "someone"}, "covered_member"),
        ({"program": "dibao-plus"}, "program"),
        ({"cause": ""}, "cause"),
    ]
    for change, field in cases:
        response = api(alice).post(url, {**base, **change}, format="json")
        assert response.status_code == 400 and field in response.json(), (change, response.json())
    assert Application.objects.count() == 0
    # An empty field of another program is no field at all.
    body = open_case(alice, poor_couple.pk, kind="", covered_member=None, related_to_staff=False)
    assert body["status"] == "intake" and body["related_to_staff"] is False
    assert application(alice, body["id"])["enrolment"]["covered_member"] is None


def test_individual_coverage_is_opened_for_the_member(alice, standards):
    """A near-dibao household (per capita 1,000.00 against 870.00, under 1.5 ×) whose wife has a
    grade-1 physical disability: she alone may be covered (单人保)."""
    household, people = family(alice, [person("钱永福", "1970-03-12", "head"),
                                       person("赵秀兰", "1972-08-30", "spouse", female=True,
                                              disability_kind="physical", disability_grade=1)],
                               village=VILLAGE_A2, registration="rural", address="西关社区9号")
    income(alice, household, people["钱永福"], "wage", "2000.00", "2025-01-01")
    wife = people["赵秀兰"]
    body = open_case(alice, household.pk, covered_member=wife.pk)
    assert body["details"]["covered_member_id"] == wife.pk  # the existing generic details, unchanged
    assert application(alice, body["id"])["enrolment"]["covered_member"] == {"id": wife.pk, "name": "赵秀兰"}


def test_opening_outsider_and_wrong_role(bob, fiona, hana, poor_couple):
    body = {"household": poor_couple.pk, "program": "tekun", "cause": "年老体弱"}
    response = api(bob).post("/api/v1/applications/", body, format="json")
    assert response.status_code == 400 and "household" in response.json()  # no such household in his region
    for user in (fiona, hana):
        assert api(user).post("/api/v1/applications/", body, format="json").status_code == 403
    assert Application.objects.count() == 0


# --- the steps' fields --------------------------------------------------------------------------------

def test_intake_and_investigation_refuse_bad_fields(alice, amy, poor_couple):
    app_id = open_case(alice, poor_couple.pk)["id"]
    for fields, field in [({}, "complete"), ({"complete": "perhaps"}, "complete"),
                          ({"complete": False}, "missing"), ({"complete": False, "missing": [1, 2]}, "missing")]:
        response = complete(alice, app_id, "intake", fields)
        assert response.status_code == 400 and field in response.json(), (fields, response.json())
    assert status(app_id) == "intake"
    done(alice, app_id, "intake", {"complete": True})
    for fields, field in [({**INVESTIGATION, "investigators": ["amy"]}, "investigators"),
                          ({**INVESTIGATION, "investigators": ["amy", "bob"]}, "investigators"),
                          ({**INVESTIGATION, "findings": ""}, "findings"),
                          ({**INVESTIGATION, "family_signed": False}, "family_signed")]:
        response = complete(amy, app_id, "investigate", fields)
        assert response.status_code == 400 and field in response.json(), (fields, response.json())
    assert status(app_id) == "investigation"
    assert not Application.objects.get(pk=app_id).investigators.exists()


def test_a_tekun_investigation_needs_all_six_activities(alice, amy, standards):
    app_id = open_case(alice, register_elder(alice), program="tekun")["id"]
    done(alice, app_id, "intake", {"complete": True})
    for care in (None, "yes", [], {}, {**SELF_CARE, "bathing": None}, {**SELF_CARE, "walking": "no"},
                 {k: v for k, v in SELF_CARE.items() if k != "eating"}):
        fields = {**INVESTIGATION, **({} if care is None else {"self_care": care})}
        response = complete(amy, app_id, "investigate", fields)
        assert response.status_code == 400 and list(response.json()) == ["self_care"], (care, response.json())
    assert status(app_id) == "investigation"
    # Nobody is graded from a partial answer.
    assert Application.objects.get(pk=app_id).tekun.self_care_grade == ""


def test_verification_needs_a_result_per_source(alice, amy, cora, poor_couple):
    app_id = open_case(alice, poor_couple.pk)["id"]
    done(alice, app_id, "intake", {"complete": True})
    done(amy, app_id, "investigate", INVESTIGATION)
    partial = {k: v for k, v in CLEAR.items() if k not in ("tax", "deposit")}
    response = complete(cora, app_id, "verify", {"results": partial}, reader=alice)
    assert response.status_code == 400
    assert sorted(response.json()["results"]) == ["deposit", "tax"]
    for fields, field in [({"results": {**CLEAR, "tax": "maybe"}}, "results"), ({"results": "clear"}, "results"),
                          ({}, "results"), ({"results": {**CLEAR, "property": "found"}}, "note")]:
        response = complete(cora, app_id, "verify", fields, reader=alice)
        assert response.status_code == 400 and field in response.json(), (fields, response.json())
    assert status(app_id) == "verification"
    assert application(alice, app_id)["enrolment"]["verification"]["results"] == {}


def test_review_and_confirmation_refuse_bad_fields(in_review, alice, amy, hana, carol):
    app_id = in_review
    for fields, field in [({"decision": "maybe"}, "decision"), ({"decision": "reject"}, "reason"),
                          ({"decision": "recommend", "amount": "12.345"}, "amount"),
                          ({"decision": "recommend", "amount": "-1.00"}, "amount"),
                          # More than the means test gives, (870.00 − 375.00) × 2 = 990.00.
                          ({"decision": "recommend", "amount": "990.01"}, "amount")]:
        response = complete(hana, app_id, "township_review", fields)
        assert response.status_code == 400 and field in response.json(), (fields, response.json())
    assert status(app_id) == "township_review" and not PublicNotice.objects.exists()

    done(hana, app_id, "township_review", {"decision": "recommend", "amount": "900.00"})
    end_notices(app_id)
    for fields, field in [({"decision": "approve"}, "amount_approved"),
                          ({"decision": "approve", "amount_approved": "990.01"}, "amount_approved"),
                          ({"decision": "reject"}, "reason"), ({"decision": "refer"}, "decision")]:
        response = complete(carol, app_id, "county_confirm", fields, reader=alice)
        assert response.status_code == 400 and field in response.json(), (fields, response.json())
    assert status(app_id) == "notice"


def test_reinvestigation_refuses_bad_fields(in_notice, alice, amy):
    api(alice).post(f"/api/v1/applications/{in_notice}/objections/", {"text": "有人反映"}, format="json")
    for fields, field in [({"findings": "", "outcome": "upheld"}, "findings"),
                          ({"findings": "核实", "outcome": "unsure"}, "outcome")]:
        response = complete(amy, in_notice, "reinvestigate", fields)
        assert response.status_code == 400 and field in response.json(), (fields, response.json())
    assert status(in_notice) == "reinvestigation"
    assert Objection.objects.get().answered_at is None


def test_a_done_step_is_409(alice, poor_couple):
    body = open_case(alice, poor_couple.pk)
    task = task_of(body, "intake")
    assert api(alice).post(f"/api/v1/tasks/{task}/complete/", {"complete": True}, format="json").status_code == 200
    again = api(alice).post(f"/api/v1/tasks/{task}/complete/", {"complete": True}, format="json")
    assert again.status_code == 409


# --- who may do each step ----------------------------------------------------------------------------

def test_every_step_refuses_the_wrong_role_and_hides_from_outsiders(alice, amy, hana, carol, cora, bob, otto,
                                                                      fiona, sam, poor_couple):
    """A valid body each time: the refusal is the role's or the region's, never the fields'."""
    app_id = open_case(alice, poor_couple.pk)["id"]
    walk = [
        ("intake", {"complete": True}, alice, [hana, carol, fiona, sam]),
        ("investigate", INVESTIGATION, amy, [hana, carol, fiona, sam]),
        ("verify", {"results": CLEAR}, cora, [alice, hana, fiona, sam]),
        ("township_review", {"decision": "recommend"}, hana, [alice, carol, fiona, sam]),
    ]
    for step, fields, doer, wrong in walk:
        task = task_of(application(alice, app_id), step)
        for user in (bob, otto):
            assert api(user).post(f"/api/v1/tasks/{task}/complete/", fields, format="json").status_code == 404
        for user in wrong:
            response = api(user).post(f"/api/v1/tasks/{task}/complete/", fields, format="json")
            assert response.status_code == 403, (step, user.username, response.json())
        # Role first: a wrong role sending nothing is told about the role, not the fields.
        assert api(wrong[0]).post(f"/api/v1/tasks/{task}/complete/", {}, format="json").status_code == 403
        done(doer, app_id, step, fields, reader=alice)
    end_notices(app_id)
    task = task_of(application(alice, app_id), "county_confirm")
    fields = {"decision": "approve", "amount_approved": "990.00"}
    for user in (bob, otto):
        assert api(user).post(f"/api/v1/tasks/{task}/complete/", fields, format="json").status_code == 404
    for user in (alice, hana, fiona, sam):
        assert api(user).post(f"/api/v1/tasks/{task}/complete/", fields, format="json").status_code == 403
    # Separation of duties: cora verified, which does not bar her; carol is free to confirm.
    assert api(carol).post(f"/api/v1/tasks/{task}/complete/", fields, format="json").status_code == 200
    assert status(app_id) == "approved"


def test_delegated_confirmation_in_a_county_without_a_notice(alice, amy, hana, hugo, cora, carol, bob,
                                                               poor_couple):
    """Jining's 2020 practice: no first-review notice, and the township confirms (20 working days)."""
    EnrolmentRule.objects.create(program="dibao", scope="370811", effective_from=datetime.date(2025, 1, 1),
                                 keeps_notice=False, delegated=True)
    app_id = open_case(alice, poor_couple.pk)["id"]
    body = done(alice, app_id, "intake", {"complete": True})
    assert body["enrolment"]["delegated"] is True and body["enrolment"]["time_limit"]["closed_at"] is None
    done(amy, app_id, "investigate", INVESTIGATION)
    done(cora, app_id, "verify", {"results": CLEAR}, reader=alice)
    body = done(hana, app_id, "township_review", {"decision": "recommend"})
    assert (body["status"], steps_of(body), body["enrolment"]["notices"]) == ("confirmation", ["township_confirm"],
                                                                              [])
    # Nothing is posted, so there is nothing to object to.
    response = api(alice).post(f"/api/v1/applications/{app_id}/objections/", {"text": "x"}, format="json")
    assert response.status_code == 409
    fields = {"decision": "approve", "amount_approved": "990.00"}
    assert complete(carol, app_id, "township_confirm", fields, reader=alice).status_code == 403
    assert complete(bob, app_id, "township_confirm", fields, reader=alice).status_code == 404
    body = done(hugo, app_id, "township_confirm", {**fields, "reason": "符合条件"})
    assert (body["status"], body["amount_approved"]) == ("approved", "990.00")
    # The approval is still published.
    assert [n["kind"] for n in body["enrolment"]["notices"]] == ["approved"]


def test_a_staff_relative_is_investigated_by_the_county(alice, carol, cora, amy, poor_couple):
    app_id = open_case(alice, poor_couple.pk, related_to_staff=True)["id"]
    body = done(alice, app_id, "intake", {"complete": True})
    assert steps_of(body) == ["county_investigate"]
    fields = {**INVESTIGATION, "investigators": ["carol", "cora"]}
    assert complete(amy, app_id, "county_investigate", fields, reader=alice).status_code == 403
    township_team = complete(carol, app_id, "county_investigate", INVESTIGATION, reader=alice)
    assert township_team.status_code == 400 and "investigators" in township_team.json()
    body = done(carol, app_id, "county_investigate", fields, reader=alice)
    assert body["status"] == "verification" and body["related_to_staff"] is True


# --- objections ---------------------------------------------------------------------------------------

def test_objections_outsiders_wrong_roles_and_bad_fields(in_notice, alice, bob, otto, fiona, sam, carol):
    url = f"/api/v1/applications/{in_notice}/objections/"
    objection = {"text": "其子女在外务工收入较高", "raised_by": "村民"}
    for user in (bob,):
        assert api(user).post(url, objection, format="json").status_code == 404
        assert api(user).get(url).status_code == 404
    assert api(otto).get(url).status_code == 404
    for user in (otto, fiona, sam, carol):
        assert api(user).post(url, objection, format="json").status_code == 403, user.username
    for fields, field in [({"text": ""}, "text"), ({"raised_by": "x"}, "text"),
                          ({"text": "x", "raised_by": "村" * 101}, "raised_by")]:
        response = api(alice).post(url, fields, format="json")
        assert response.status_code == 400 and field in response.json()
    assert not Objection.objects.exists() and status(in_notice) == "notice"
    assert api(alice).post(url, objection, format="json").status_code == 201
    listed = api(sam).get(url).json()
    assert [o["text"] for o in listed["results"]] == ["其子女在外务工收入较高"]


def test_an_objection_needs_a_running_notice(in_review, alice, household):
    url = f"/api/v1/applications/{in_review}/objections/"
    assert api(alice).post(url, {"text": "x"}, format="json").status_code == 409
    # Another program's case has no notice at all.
    temporary = api(alice).post("/api/v1/applications/", {
        "household": household.pk, "program": "temporary", "kind": "expense", "cause": "住院",
        "amount_requested": "800.00"}, format="json").json()
    assert api(alice).post(f"/api/v1/applications/{temporary['id']}/objections/", {"text": "x"},
                           format="json").status_code == 409
    assert not Objection.objects.exists()


def test_an_objection_after_the_notice_ended_is_409(in_notice, alice):
    end_notices(in_notice)
    response = api(alice).post(f"/api/v1/applications/{in_notice}/objections/", {"text": "x"}, format="json")
    assert response.status_code == 409 and status(in_notice) == "notice"


# --- extending the whole-case limit --------------------------------------------------------------------

def test_extend_to_45_working_days(alice, carol, bob, otto, fiona, sam, hana, poor_couple, standards):
    app_id = open_case(alice, poor_couple.pk)["id"]
    url = f"/api/v1/applications/{app_id}/extend/"
    due = done(alice, app_id, "intake", {"complete": True})["enrolment"]["time_limit"]["due_at"]
    reason = {"reason": "申请人外出就医，入户调查需延期"}
    for user in (alice, hana, bob, fiona, sam, otto):
        assert api(user).post(url, reason, format="json").status_code == 403, user.username
    assert api(olga()).post(url, reason, format="json").status_code == 404
    for fields in ({}, {"reason": ""}, {"reason": "   "}):
        assert api(carol).post(url, fields, format="json").status_code == 400
    response = api(carol).post(url, reason, format="json")
    assert response.status_code == 200, response.json()
    enrolment = response.json()["enrolment"]
    assert (enrolment["extension"]["reason"], enrolment["extension"]["by"]) == (reason["reason"], "carol")
    assert enrolment["time_limit"]["extended"] is True and enrolment["time_limit"]["due_at"] > due
    assert AuditEvent.objects.filter(event="assistance.application.extended", object_id=str(app_id)).count() == 1
    # Once only.
    assert api(carol).post(url, reason, format="json").status_code == 409
    # 特困 has no whole-case limit; temporary assistance has no extension.
    tekun = open_case(alice, register_elder(alice), program="tekun")["id"]
    assert api(carol).post(f"/api/v1/applications/{tekun}/extend/", reason, format="json").status_code == 409


def test_extend_a_temporary_case_is_409(alice, carol, household):
    temporary = api(alice).post("/api/v1/applications/", {
        "household": household.pk, "program": "temporary", "kind": "expense", "cause": "住院",
        "amount_requested": "800.00"}, format="json").json()
    response = api(carol).post(f"/api/v1/applications/{temporary['id']}/extend/", {"reason": "x"}, format="json")
    assert response.status_code == 409


# --- posted lists ---------------------------------------------------------------------------------------

def test_notices_are_scoped_to_the_callers_region(in_notice, alice, bob, otto, fiona, sam, carol, hana):
    (notice,) = PublicNotice.objects.all()
    for user in (alice, hana, carol, sam):
        assert api(user).get("/api/v1/notices/").json()["count"] == 1, user.username
    for user in (bob, otto):
        assert api(user).get("/api/v1/notices/").json()["count"] == 0
        assert api(user).get(f"/api/v1/notices/?region={VILLAGE_A2}").json()["count"] == 0
        assert api(user).get(f"/api/v1/notices/{notice.pk}/").status_code == 404
        assert api(user).get(f"/api/v1/notices/{notice.pk}/document/").status_code == 404
    for path in ("", f"{notice.pk}/", f"{notice.pk}/document/"):
        assert api(fiona).get(f"/api/v1/notices/{path}").status_code == 403
    assert not AuditEvent.objects.filter(event="enrolment.notice.downloaded").exists()
    assert PublicNotice.objects.get().sha256 == ""  # nothing was rendered for a refused caller
    for query, count in [(f"region={VILLAGE_A2}", 1), (f"region={VILLAGE_A1}", 0), (f"region={COUNTY}", 1),
                         (f"region={COUNTY_2}", 0), ("program=tekun", 0), ("kind=approved", 0),
                         ("kind=first_review", 1)]:
        assert api(sam).get(f"/api/v1/notices/?{query}").json()["count"] == count, query
    assert api(alice).get("/api/v1/notices/abc/").status_code == 404


# --- 特困's spot checks ---------------------------------------------------------------------------------

def test_spot_checks_roles_regions_and_fields(in_notice, alice, hana, bob, otto, fiona, sam, carol):
    body = {"county": COUNTY, "period": "2026-12"}
    for user in (alice, hana, bob, otto, fiona, sam):
        assert api(user).post("/api/v1/spot-checks/", body, format="json").status_code == 403, user.username
    # Another county's reviewer may not draw this county's checks.
    response = api(olga()).post("/api/v1/spot-checks/", body, format="json")
    assert response.status_code == 400 and "county" in response.json()
    for fields, field in [({"county": "3708", "period": "2026-12"}, "county"),
                          ({"county": "370811001000", "period": "2026-12"}, "county"),  # a township
                          ({"county": COUNTY, "period": "2026-13"}, "period"),
                          ({"county": COUNTY, "period": "2026-1"}, "period"),
                          ({"county": COUNTY}, "period"), ({"period": "2026-12"}, "county")]:
        response = api(carol).post("/api/v1/spot-checks/", fields, format="json")
        assert response.status_code == 400 and field in response.json(), (fields, response.json())
    assert not SpotCheck.objects.exists()
    # Nothing approved that month: nothing drawn.
    response = api(carol).post("/api/v1/spot-checks/", {"county": COUNTY, "period": "2026-01"}, format="json")
    assert response.status_code == 201 and response.json() == []

    SpotCheck.objects.create(application_id=in_notice, county_code=COUNTY, period="2026-12", drawn_by=carol)
    for user in (alice, hana, bob, fiona):
        assert api(user).get("/api/v1/spot-checks/").status_code == 403
    assert api(otto).get("/api/v1/spot-checks/").json()["count"] == 0
    assert api(otto).get(f"/api/v1/spot-checks/?county={COUNTY}").json()["count"] == 0
    assert api(sam).get("/api/v1/spot-checks/").json()["count"] == 1
    assert api(carol).get(f"/api/v1/spot-checks/?county={COUNTY_2}").json()["count"] == 0
    assert api(carol).get("/api/v1/spot-checks/?period=2026-11").json()["count"] == 0

"""No path enrols anyone without intake, investigation and confirmation — in the status
machine, on the model, in the admin, through the API and from the shell — and the
separation of duties: who took a case in or visited it does not decide it."""

from __future__ import annotations

import pytest
from django.contrib import admin
from rest_framework.test import APIClient

from assistance.models import Application
from core import programs
from core.errors import Conflict, InvalidInput, NotPermitted
from workflows import engine
from workflows.dibao.models import DibaoCase, DibaoDetails
from workflows.enrolment.models import EnrolmentCase, Objection, PublicNotice, SpotCheck, Status
from workflows.tekun.models import TekunCase, TekunDetails

from .conftest import (
    CLEAR,
    PROGRAMS,
    county_rule,
    do,
    end_notice,
    investigation,
    open_case,
    open_steps,
    open_task,
    reload,
    walk_to_confirmation,
    walk_to_review,
)

# --- the status machine ------------------------------------------------------------------------------

DECLARED = {
    Status.INTAKE: {("accept", Status.INVESTIGATION), ("mark_incomplete", Status.INCOMPLETE)},
    Status.INCOMPLETE: {("documents_received", Status.INTAKE)},
    Status.INVESTIGATION: {("investigated", Status.VERIFICATION)},
    Status.VERIFICATION: {("verified", Status.TOWNSHIP_REVIEW)},
    Status.TOWNSHIP_REVIEW: {("recommend_with_notice", Status.NOTICE), ("recommend", Status.CONFIRMATION),
                             ("reject", Status.REJECTED)},
    Status.NOTICE: {("objected", Status.REINVESTIGATION), ("confirm", Status.APPROVED), ("reject", Status.REJECTED)},
    Status.REINVESTIGATION: {("reinvestigated", Status.TOWNSHIP_REVIEW)},
    Status.CONFIRMATION: {("confirm", Status.APPROVED), ("reject", Status.REJECTED)},
    # An enrolled case leaves approval only through its reviews and changes of circumstance.
    Status.APPROVED: {("begin_gradual_exit", Status.GRADUAL_EXIT), ("stop", Status.STOPPED)},
    Status.GRADUAL_EXIT: {("resume", Status.APPROVED), ("stop", Status.STOPPED)},
    Status.STOPPED: set(),
    Status.REJECTED: set(),
}


@pytest.mark.parametrize("model", [EnrolmentCase, DibaoCase, TekunCase])
@pytest.mark.parametrize("status", Status.values)
def test_from_every_status_only_the_declared_transitions(model, status):
    case = model(status=status)
    available = {(t.name, t.target) for t in case.get_available_status_transitions()}
    assert available == DECLARED[status]


def test_no_path_to_approval_skips_intake_investigation_review_or_confirmation():
    """Every way from a new case to ``approved`` in the declared graph passes through the
    investigation and the township review, and ends with ``confirm``."""
    def reachable(start, without):
        seen, todo = {start}, [start]
        while todo:
            for _name, target in DECLARED[todo.pop()]:
                if target not in seen and target != without:
                    seen.add(target)
                    todo.append(target)
        return seen

    assert Status.APPROVED in reachable(Status.INTAKE, without=None)
    for gate in (Status.INVESTIGATION, Status.VERIFICATION, Status.TOWNSHIP_REVIEW):
        assert Status.APPROVED not in reachable(Status.INTAKE, without=gate)
    # Into approval: confirmation, or back from a gradual exit, which only an approved case enters.
    assert {(source, name) for source, edges in DECLARED.items() for name, target in edges
            if target == Status.APPROVED} == {(Status.NOTICE, "confirm"), (Status.CONFIRMATION, "confirm"),
                                              (Status.GRADUAL_EXIT, "resume")}
    assert {target for target in Status.values if (target, Status.GRADUAL_EXIT) in {
        (s, t) for s, edges in DECLARED.items() for _n, t in edges}} == {Status.APPROVED}
    assert {name for edges in DECLARED.values() for name, target in edges if target == Status.INVESTIGATION} == {
        "accept"}  # intake's


@pytest.mark.django_db
@pytest.mark.parametrize("program", PROGRAMS)
def test_the_status_is_never_assigned(program, alice, poor_couple):
    case = open_case(alice, poor_couple, program)
    for loaded in (reload(case), EnrolmentCase.objects.get(pk=case.pk)):
        with pytest.raises(AttributeError):
            loaded.status = Status.APPROVED
    assert reload(case).status == Status.INTAKE


def test_the_admin_offers_no_way_to_change_a_case():
    registered = set(admin.site._registry)
    for model in (Application, EnrolmentCase, DibaoCase, TekunCase, DibaoDetails, TekunDetails, PublicNotice,
                  Objection, SpotCheck):
        assert model not in registered, model
    # viewflow's own pages list processes and tasks with their status read-only, and add none.
    from viewflow.workflow.models import Process, Task
    for model in (Process, Task):
        model_admin = admin.site._registry.get(model)
        if model_admin is not None:
            assert "status" in model_admin.readonly_fields and model_admin.actions is None
            assert model_admin.has_add_permission(None) is False


# --- the API and the shell -----------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("program", PROGRAMS)
def test_the_api_completes_only_the_open_step(program, alice, amy, hana, carol, poor_couple):
    case = open_case(alice, poor_couple, program)
    intake_task = open_task(case, "intake").subject_id
    assert api(alice).post(f"/api/v1/tasks/{intake_task}/complete/", {"complete": True},
                           format="json").status_code == 200
    assert open_steps(case) == ["investigate"]
    investigate_task = open_task(case, "investigate").subject_id

    # The done intake cannot be completed again; a decision's fields are not intake's.
    assert api(alice).post(f"/api/v1/tasks/{intake_task}/complete/", {"complete": True},
                           format="json").status_code == 409
    assert api(alice).post(f"/api/v1/tasks/{intake_task}/complete/", {"decision": "approve"},
                           format="json").status_code == 400
    # Neither the county's reviewer nor the township head may do the investigation, even with its fields.
    for other_role in (carol, hana):
        assert api(other_role).post(f"/api/v1/tasks/{investigate_task}/complete/", investigation(program),
                                    format="json").status_code == 403
    # The caseworker's investigation task takes an investigation's fields only.
    response = api(amy).post(f"/api/v1/tasks/{investigate_task}/complete/", {"decision": "approve"},
                             format="json")
    assert response.status_code == 400
    assert api(carol).post("/api/v1/tasks/999999/complete/", {"decision": "approve"},
                           format="json").status_code == 404
    case = reload(case)
    assert (case.status, case.amount_approved, open_steps(case)) == ("investigation", None, ["investigate"])


@pytest.mark.parametrize("program", PROGRAMS)
def test_the_shell_cannot_run_a_later_step_on_an_earlier_task(program, alice, amy, poor_couple):
    """From the shell anyone may hand engine.complete any service: the status machine still
    refuses a review or a confirmation of a case under investigation."""
    case = open_case(alice, poor_couple, program)
    do(alice, case, "intake", complete=True)
    task = open_task(case, "investigate").subject_id
    steps = programs.program(program).steps
    for step, fields in (("township_review", {"decision": "recommend"}),
                         ("township_review", {"decision": "reject", "reason": "跳过调查"}),
                         ("county_confirm", {"decision": "approve"}),
                         ("county_confirm", {"decision": "reject", "reason": "跳过调查"})):
        # 409 from the status machine (特困's recommendation is refused even before it, 400:
        # nobody has yet found the applicant unable to work).
        with pytest.raises((Conflict, InvalidInput)):
            engine.complete(amy, task, steps[step].service, **fields)
    case = reload(case)
    assert (case.status, case.decided_by, open_steps(case)) == ("investigation", None, ["investigate"])


@pytest.mark.parametrize("program", PROGRAMS)
def test_an_approved_case_takes_no_further_step(program, alice, amy, hana, cora, carol, poor_couple):
    case = open_case(alice, poor_couple, program)
    walk_to_confirmation(case, program, alice, amy, cora, hana)
    task = open_task(case, "county_confirm").subject_id
    do(carol, case, "county_confirm", decision="approve")
    with pytest.raises(Conflict):
        engine.complete(carol, task, programs.step(program, "county_confirm").service, decision="reject",
                        reason="撤销")
    assert reload(case).status == "approved"


# --- separation of duties ----------------------------------------------------------------------------

@pytest.mark.parametrize("program", PROGRAMS)
def test_who_investigated_does_not_review(program, alice, henry, amy, cora, hana, poor_couple):
    case = open_case(alice, poor_couple, program)
    do(alice, case, "intake", complete=True)
    do(henry, case, "investigate", **investigation(program, team=("henry", "amy")))
    do(cora, case, "verify", results=CLEAR)
    with pytest.raises(NotPermitted):
        do(henry, case, "township_review", decision="recommend")
    do(hana, case, "township_review", decision="recommend")
    assert reload(case).status == "notice"


@pytest.mark.parametrize("program", PROGRAMS)
def test_who_was_named_on_the_team_does_not_review(program, alice, henry, amy, cora, hana, poor_couple):
    """henry signed the visit form but amy recorded it: being on the team is enough."""
    case = open_case(alice, poor_couple, program)
    do(alice, case, "intake", complete=True)
    do(amy, case, "investigate", **investigation(program, team=("amy", "henry")))
    do(cora, case, "verify", results=CLEAR)
    with pytest.raises(NotPermitted):
        do(henry, case, "township_review", decision="recommend")


@pytest.mark.parametrize("program", PROGRAMS)
def test_who_took_the_case_in_does_not_decide_it(program, henry, alice, amy, cora, hana, poor_couple):
    case = open_case(henry, poor_couple, program)
    do(henry, case, "intake", complete=True)
    walk = investigation(program)
    do(amy, case, "investigate", **walk)
    do(cora, case, "verify", results=CLEAR)
    with pytest.raises(NotPermitted):
        do(henry, case, "township_review", decision="reject", reason="不符合")
    assert reload(case).status == "township_review"


@pytest.mark.parametrize("program", PROGRAMS)
def test_who_reinvestigated_an_objection_does_not_review_again(program, alice, amy, henry, hana, cora,
                                                               poor_couple):
    from workflows.enrolment.services import raise_objection

    case = open_case(alice, poor_couple, program)
    walk_to_review(case, alice, amy, cora, program)
    do(hana, case, "township_review", decision="recommend")
    raise_objection(alice, case.pk, text="有人反映其有退休金未申报")
    do(henry, case, "reinvestigate", findings="经查无退休金，异议不成立", outcome="dismissed")
    with pytest.raises(NotPermitted):
        do(henry, case, "township_review", decision="recommend")
    do(hana, case, "township_review", decision="recommend")  # who reviewed before may review again
    assert reload(case).status == "notice"


@pytest.mark.parametrize("program", PROGRAMS)
def test_the_verifier_may_confirm(program, alice, amy, hana, cora, poor_couple):
    """Data verification is a check of records, not a visit (the step does not separate)."""
    case = open_case(alice, poor_couple, program)
    walk_to_confirmation(case, program, alice, amy, cora, hana)
    assert reload(case).__getattribute__(program).verified_by == cora
    do(cora, case, "county_confirm", decision="approve")
    assert reload(case).decided_by == cora


@pytest.mark.parametrize("program", PROGRAMS)
def test_the_reviewer_may_also_confirm_where_the_township_confirms(program, alice, amy, hana, cora, poor_couple):
    """Separation is between who gathers the facts and who decides: two decisions of the
    township (its opinion, then the delegated confirmation) may be one head's."""
    county_rule(program, delegated=True)
    case = open_case(alice, poor_couple, program)
    walk_to_review(case, alice, amy, cora, program)
    do(hana, case, "township_review", decision="recommend")
    end_notice(case)
    do(hana, case, "township_confirm", decision="approve")
    case = reload(case)
    assert (case.status, case.decided_by, case.decision_level) == ("approved", hana, "township")


@pytest.mark.parametrize("program", PROGRAMS)
def test_outsiders_do_no_step(program, alice, amy, bob, hana, cora, carol, otto, poor_couple):
    """A caseworker of another township, a supervisor of another county: 404 on every step."""
    from django.http import Http404

    case = open_case(alice, poor_couple, program)
    for outsider in (bob, otto):
        with pytest.raises(Http404):
            do(outsider, case, "intake", complete=True)
    do(alice, case, "intake", complete=True)
    with pytest.raises(Http404):
        do(bob, case, "investigate", **investigation(program, team=("bob", "alice")))
    assert reload(case).status == "investigation"

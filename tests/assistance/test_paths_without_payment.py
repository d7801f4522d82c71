"""Paths through the temporary-assistance flow that end before any money moves."""

from __future__ import annotations

import pytest
from viewflow.workflow.models import Task

from assistance.models import Application
from audit.models import AuditEvent
from core.errors import InvalidInput, NotPermitted
from tests.assistance.conftest import do, new_case, open_steps
from workflows.temporary.models import Status

pytestmark = pytest.mark.django_db


def test_opening_a_case_creates_an_intake_task_for_the_caseworker(alice, household):
    application = new_case(alice, household)
    assert application.status == Status.INTAKE and open_steps(application) == ["intake"]
    task = Task.objects.get(flow_task_type="HUMAN", process__artifact_object_id=application.pk)
    assert task.owner == alice
    assert AuditEvent.objects.filter(event="assistance.application.opened", object_id=str(application.pk)).exists()


def test_township_rejection_ends_the_case_with_reasons(alice, amy, hana, household):
    application = new_case(alice, household)
    do(alice, application, "intake", complete=True)
    do(alice, application, "investigate", investigators=["alice", "amy"], findings="家庭收入高于当地标准")
    assert open_steps(application) == ["township_approve"]
    do(hana, application, "township_approve", decision="reject", reason="家庭人均收入高于上年度当地人均可支配收入")
    application = Application.objects.get(pk=application.pk)  # protected FSM field: no refresh_from_db
    assert application.status == Status.REJECTED and application.decision_level == "township"
    assert open_steps(application) == []
    assert Task.objects.get(process__artifact_object_id=application.pk, flow_task_type="END").status == "DONE"


def test_referral_and_county_rejection(alice, amy, hana, carol, household):
    application = new_case(alice, household, amount_requested="5000.00")
    do(alice, application, "intake", complete=True)
    do(alice, application, "investigate", investigators=["alice", "amy"], findings="大病支出", recommended_amount="5000.00")
    do(hana, application, "township_approve", decision="refer", reason="超过乡镇审批额度")
    assert open_steps(application) == ["county_approve"]
    do(carol, application, "county_approve", decision="reject", reason="已获得医疗救助全额报销")
    application = Application.objects.get(pk=application.pk)  # protected FSM field: no refresh_from_db
    assert application.status == Status.REJECTED and application.decision_level == "county"


def test_incomplete_intake_tells_once_then_continues(alice, amy, household):
    application = new_case(alice, household)
    do(alice, application, "intake", complete=False, missing=["医院诊断证明", "费用清单"])
    application = Application.objects.get(pk=application.pk)  # protected FSM field: no refresh_from_db
    assert application.status == Status.INCOMPLETE and application.missing_documents == ["医院诊断证明", "费用清单"]
    assert open_steps(application) == ["receive_documents"]
    do(alice, application, "receive_documents")
    assert open_steps(application) == ["intake"]
    with pytest.raises(InvalidInput) as info:
        do(alice, application, "intake", complete=False, missing=["户口本"])
    assert "complete" in info.value.errors  # told only once
    do(alice, application, "intake", complete=True)
    assert open_steps(application) == ["investigate"]


def test_not_local_is_referred_to_the_relief_station(alice, household):
    application = new_case(alice, household)
    do(alice, application, "intake", complete=True, local=False)
    application = Application.objects.get(pk=application.pk)  # protected FSM field: no refresh_from_db
    assert application.status == Status.REFERRED_OUT and open_steps(application) == []


def test_investigation_needs_two_distinct_staff_of_the_region(alice, bob, household):
    application = new_case(alice, household)
    do(alice, application, "intake", complete=True)
    for team in (["alice"], ["alice", "alice"], ["alice", "bob"], ["alice", "nobody"]):
        with pytest.raises(InvalidInput):
            do(alice, application, "investigate", investigators=team, findings="x")
    assert Application.objects.get(pk=application.pk).status == Status.INVESTIGATION


def test_investigator_or_intake_caseworker_cannot_approve(alice, amy, hana, household, regions):
    from tests.conftest import make_staff

    head_who_investigated = make_staff("hu", ["township_head", "caseworker"], "370811001000")
    application = new_case(alice, household)
    do(alice, application, "intake", complete=True)
    do(alice, application, "investigate", investigators=["amy", "hu"], findings="属实")
    with pytest.raises(NotPermitted):
        do(head_who_investigated, application, "township_approve", decision="approve", amount_approved="800.00")
    assert Application.objects.get(pk=application.pk).status == Status.TOWNSHIP_REVIEW


def test_township_cannot_approve_above_its_limit(alice, amy, hana, household):
    application = new_case(alice, household, amount_requested="3500.00")
    do(alice, application, "intake", complete=True)
    do(alice, application, "investigate", investigators=["alice", "amy"], findings="属实")
    with pytest.raises(InvalidInput) as info:
        do(hana, application, "township_approve", decision="approve", amount_approved="3000.01")
    assert "amount_approved" in info.value.errors
    assert Application.objects.get(pk=application.pk).status == Status.TOWNSHIP_REVIEW


def test_repeat_application_needs_a_new_cause(alice, household):
    new_case(alice, household, cause_category="major_illness", amount_requested="3000.00")
    with pytest.raises(InvalidInput) as info:
        new_case(alice, household, cause_category="major_illness", amount_requested="3000.00")
    assert "new_cause" in info.value.errors
    repeat = new_case(alice, household, cause_category="major_illness", amount_requested="3000.00",
                      new_cause="确诊新的重大疾病（肾衰竭）")
    assert repeat.temporary.repeat_of is not None


def test_status_cannot_be_set_directly(alice, household):
    from django_fsm import TransitionNotAllowed  # noqa: F401 - documents the guard being tested

    application = new_case(alice, household)
    with pytest.raises(AttributeError):
        application.status = Status.APPROVED  # protected FSM field
    with pytest.raises(Exception):  # noqa: B017 - django-fsm raises TransitionNotAllowed
        application.pay_rest()


@pytest.mark.parametrize(("scope", "valid"), [("", True), ("37", True), ("3708", True), ("370811", True),
                                              ("3", False), ("37081", False), ("37a8", False)])
def test_a_rule_scope_must_be_a_region_prefix(scope, valid):
    import datetime

    from django.core.exceptions import ValidationError

    from workflows.temporary.models import AssistanceRule

    rule = AssistanceRule(scope=scope, effective_from=datetime.date(2026, 1, 1), township_limit="3000.00")
    if valid:
        rule.full_clean()
    else:
        with pytest.raises(ValidationError):
            rule.full_clean()

"""The attack: one person investigated and approved the same case. The separation check
looked at the investigators a form *named*, not at who completed the task: a user holding
both the caseworker and the township head role completed ``investigate`` naming two
colleagues, then ``township_approve``, and the case was approved; the same user approved
and then paid a case; the superuser investigated and approved. Now the check reads who
completed each finished task of the case (assistance.services.check_separation)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from assistance import services
from core.errors import InvalidInput, NotPermitted
from funds import services as funds
from regions.models import Region
from staff.roles import Role
from tests.assistance.conftest import do, new_case, open_steps, open_task
from tests.conftest import TOWNSHIP_A, make_staff
from workflows.temporary.models import Status, TemporaryCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def dual(regions):
    """Caseworker and township head of township A at once."""
    return make_staff("dual", [Role.CASEWORKER, Role.TOWNSHIP_HEAD], TOWNSHIP_A)


@pytest.fixture
def fund(root, fiona):
    fund = funds.open_fund(root, Region.objects.get(code=TOWNSHIP_A), low_water_mark="500.00",
                           target_balance="10000.00")
    funds.allocate(fiona, fund, "10000.00", "任财拨〔2026〕1号")
    return fund


def status(application) -> str:
    return TemporaryCase.objects.get(pk=application.pk).status


def taken_in(alice, household):
    application = new_case(alice, household, amount_requested="1200.00")
    do(alice, application, "intake", complete=True)
    return application


def test_who_investigated_may_not_approve_whoever_they_named(alice, amy, dual, household):
    application = taken_in(alice, household)
    do(dual, application, "investigate", investigators=["alice", "amy"], findings="入户核实属实")
    with pytest.raises(NotPermitted):
        do(dual, application, "township_approve", decision="approve", amount_approved="1200.00", reason="同意")
    assert status(application) == Status.TOWNSHIP_REVIEW
    assert open_steps(application) == ["township_approve"]


def test_the_superuser_is_no_exception(alice, amy, root, household):
    application = taken_in(alice, household)
    do(root, application, "investigate", investigators=["alice", "amy"], findings="入户核实属实")
    with pytest.raises(NotPermitted):
        do(root, application, "township_approve", decision="approve", amount_approved="1200.00", reason="同意")
    assert status(application) == Status.TOWNSHIP_REVIEW


def test_who_approved_may_not_pay(alice, amy, dual, household, fund):
    application = taken_in(alice, household)
    do(alice, application, "investigate", investigators=["alice", "amy"], findings="入户核实属实")
    do(dual, application, "township_approve", decision="approve", amount_approved="1200.00", reason="同意")
    with pytest.raises(NotPermitted):
        do(dual, application, "disburse")
    assert status(application) == Status.APPROVED
    # Someone who did not decide pays it.
    do(alice, application, "disburse")
    assert status(application) == Status.PAID


def test_who_paid_first_may_not_pay_the_rest(alice, amy, dual, hana, household, fund):
    """An urgent payment decides the case for now: whoever made it does not pay the rest."""
    application = new_case(alice, household, kind="urgent", amount_requested="2000.00")
    do(alice, application, "intake", complete=True)
    do(dual, application, "pay_first", amount="500.00")
    do(alice, application, "complete_paperwork", investigators=["alice", "amy"], findings="补充调查属实")
    do(hana, application, "township_approve", decision="approve", amount_approved="2000.00", reason="同意")
    with pytest.raises(NotPermitted):
        do(dual, application, "disburse")
    do(amy, application, "disburse")
    assert status(application) == Status.PAID


def test_the_refusal_is_a_403_over_the_api(alice, amy, dual, household):
    application = taken_in(alice, household)
    do(dual, application, "investigate", investigators=["alice", "amy"], findings="入户核实属实")
    client = APIClient()
    client.force_authenticate(dual)
    task = open_task(application, "township_approve")
    response = client.post(f"/api/v1/tasks/{task.subject_id}/complete/",
                           {"decision": "approve", "amount_approved": "1200.00", "reason": "同意"}, format="json")
    assert response.status_code == 403, response.json()
    assert status(application) == Status.TOWNSHIP_REVIEW


def test_the_api_cannot_name_county_finance_and_a_supervisor_as_investigators(alice, fiona, sam, household):
    """The step form, shared by the page and the API, offers the township's caseworkers and
    heads only; the service accepts no one else either."""
    application = taken_in(alice, household)
    client = APIClient()
    client.force_authenticate(alice)
    task = open_task(application, "investigate")
    response = client.post(f"/api/v1/tasks/{task.subject_id}/complete/",
                           {"investigators": ["fiona", "sam"], "findings": "入户核实属实"}, format="json")
    assert response.status_code == 400 and "investigators" in response.json()
    assert status(application) == Status.INVESTIGATION
    with pytest.raises(InvalidInput):
        services.investigation_team("investigators", ["fiona", "sam"], application)

"""Replenishment: requested automatically under the low-water mark or when a payment
cannot be covered, or by the township head; decided by county finance as a workflow
task with a deadline; approval allocates the money."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from core.errors import Conflict, InvalidInput, NotPermitted
from deadlines.models import Deadline, DeadlineStatus
from funds import services
from funds.models import EntryKind, ReplenishmentRequest, RequestOrigin, RequestStatus, ReserveFund
from tests.conftest import TOWNSHIP_A
from workflows import engine
from workflows.replenishment.flows import ReplenishmentFlow

from .conftest import open_fund

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _messages_in_english():
    # The assertions read the English source of the services' messages (Chinese is the default).
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def low_fund(regions, root, replenish_policy):
    """1,000 yuan; county finance is asked when it falls under 400; standard amount 1,000."""
    return open_fund(TOWNSHIP_A, "1000.00", low_water_mark="400.00", target_balance="1000.00")


def replenish_task(replenishment) -> Task:
    return Task.objects.get(flow_task=ReplenishmentFlow.replenish, process__artifact_object_id=replenishment.pk)


def pay(actor, approved, amount, capture):
    application, instalment = approved(amount)
    with capture(execute=True):
        return services.disburse(actor, application=application, instalment=instalment)


def test_a_payment_under_the_low_water_mark_asks_county_finance(alice, low_fund, approved,
                                                                django_capture_on_commit_callbacks):
    pay(alice, approved, "500.00", django_capture_on_commit_callbacks)
    assert not ReplenishmentRequest.objects.exists()  # 500 left: not under 400
    pay(alice, approved, "200.00", django_capture_on_commit_callbacks)
    replenishment = ReplenishmentRequest.objects.get()
    assert replenishment.origin == RequestOrigin.LOW_WATER and replenishment.status == RequestStatus.OPEN
    assert replenishment.amount == Decimal("700.00")  # back up to the standard amount
    assert replenishment.balance_at_request == Decimal("300.00") and replenishment.requested_by is None

    task = replenish_task(replenishment)
    assert task.status == STATUS.NEW and task.owner_permission == "funds.approve_replenishment"
    deadline = Deadline.objects.get(subject_id=task.pk, subject_type__model="task")
    assert (deadline.flow, deadline.step, deadline.role, deadline.region_code) == (
        "reserve_fund", "replenish", "county_finance", TOWNSHIP_A)
    assert deadline.status == DeadlineStatus.OPEN and deadline.due_at > deadline.started_at

    pay(alice, approved, "100.00", django_capture_on_commit_callbacks)
    assert ReplenishmentRequest.objects.count() == 1  # at most one open at a time


def test_a_payment_the_fund_cannot_cover_asks_for_what_it_needs(alice, low_fund, approved,
                                                                django_capture_on_commit_callbacks):
    application, instalment = approved("1500.00")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.InsufficientFunds):
        services.disburse(alice, application=application, instalment=instalment)
    replenishment = ReplenishmentRequest.objects.get()
    assert replenishment.origin == RequestOrigin.SHORTFALL
    assert replenishment.amount == Decimal("500.00")  # 1,500 needed, 1,000 held
    assert "1,500.00" in replenishment.reason


def test_county_finance_approves_and_the_money_arrives(alice, fiona, low_fund, approved,
                                                      django_capture_on_commit_callbacks):
    pay(alice, approved, "700.00", django_capture_on_commit_callbacks)
    replenishment = ReplenishmentRequest.objects.get()
    task = replenish_task(replenishment)

    result = engine.complete(fiona, task.pk, services.decide_replenishment, decision="approve", amount="",
                             reference="county voucher 88", reason="")

    replenishment.refresh_from_db()
    assert result.pk == replenishment.pk and replenishment.status == RequestStatus.APPROVED
    assert replenishment.decided_by == fiona and replenishment.allocation.kind == EntryKind.ALLOCATION
    assert replenishment.allocation.amount == Decimal("700.00")
    assert replenishment.allocation.reference == "county voucher 88"
    assert ReserveFund.objects.get(pk=low_fund.pk).balance == Decimal("1000.00")
    task.refresh_from_db()
    assert task.status == STATUS.DONE and task.process.status == "DONE"
    assert Deadline.objects.get(subject_id=task.pk, subject_type__model="task").status == DeadlineStatus.CLOSED
    with pytest.raises(Conflict):  # the task is done
        engine.complete(fiona, task.pk, services.decide_replenishment, decision="approve")


def test_county_finance_may_allocate_another_amount(alice, fiona, low_fund, approved,
                                                    django_capture_on_commit_callbacks):
    pay(alice, approved, "700.00", django_capture_on_commit_callbacks)
    task = replenish_task(ReplenishmentRequest.objects.get())
    with pytest.raises(InvalidInput) as refused:  # an approval names the county's payment voucher
        engine.complete(fiona, task.pk, services.decide_replenishment, decision="approve", amount="450.00")
    assert "reference" in refused.value.errors
    engine.complete(fiona, task.pk, services.decide_replenishment, decision="approve", amount="450.00",
                    reference="任财拨〔2026〕7号")
    assert ReserveFund.objects.get(pk=low_fund.pk).balance == Decimal("750.00")


def test_rejection_needs_reasons_and_allocates_nothing(alice, fiona, low_fund, approved,
                                                       django_capture_on_commit_callbacks):
    pay(alice, approved, "700.00", django_capture_on_commit_callbacks)
    replenishment = ReplenishmentRequest.objects.get()
    task = replenish_task(replenishment)
    with pytest.raises(InvalidInput) as exc:
        engine.complete(fiona, task.pk, services.decide_replenishment, decision="reject", reason=" ")
    assert "reason" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        engine.complete(fiona, task.pk, services.decide_replenishment, decision="maybe")
    assert "decision" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        engine.complete(fiona, task.pk, services.decide_replenishment, decision="approve", amount="-1")
    assert "amount" in exc.value.errors
    engine.complete(fiona, task.pk, services.decide_replenishment, decision="reject", reason="spend less")
    replenishment.refresh_from_db()
    assert replenishment.status == RequestStatus.REJECTED and replenishment.allocation is None
    assert ReserveFund.objects.get(pk=low_fund.pk).balance == Decimal("300.00")
    # A later payment may ask again: the last request is closed.
    pay(alice, approved, "10.00", django_capture_on_commit_callbacks)
    assert ReplenishmentRequest.objects.filter(status=RequestStatus.OPEN).count() == 1


def test_wrong_role_and_outsiders_cannot_decide(alice, hana, fred, otto, low_fund, approved,
                                                django_capture_on_commit_callbacks):
    pay(alice, approved, "700.00", django_capture_on_commit_callbacks)
    task = replenish_task(ReplenishmentRequest.objects.get())
    with pytest.raises(NotPermitted):
        engine.complete(hana, task.pk, services.decide_replenishment, decision="approve")
    for outsider in (fred, otto):
        with pytest.raises(Http404):
            engine.complete(outsider, task.pk, services.decide_replenishment, decision="approve")
    assert ReserveFund.objects.get(pk=low_fund.pk).balance == Decimal("300.00")


def test_the_township_head_requests_replenishment(hana, fiona, bob, low_fund, django_capture_on_commit_callbacks):
    replenishment = services.request_replenishment(hana, low_fund, amount="800.00", reason="flood season")
    assert replenishment.origin == RequestOrigin.TOWNSHIP and replenishment.requested_by == hana
    assert replenishment_task_exists(replenishment)
    with pytest.raises(Conflict):
        services.request_replenishment(hana, low_fund, amount="100.00", reason="again")
    with pytest.raises(NotPermitted):
        services.request_replenishment(bob, low_fund, amount="100.00", reason="not mine")
    with pytest.raises(NotPermitted):
        services.request_replenishment(fiona, low_fund, amount="100.00", reason="not a township head")
    engine.complete(fiona, replenish_task(replenishment).pk, services.decide_replenishment, decision="approve",
                    reference="任财拨〔2026〕8号")
    assert ReserveFund.objects.get(pk=low_fund.pk).balance == Decimal("1800.00")


def replenishment_task_exists(replenishment) -> bool:
    return Task.objects.filter(flow_task=ReplenishmentFlow.replenish,
                               process__artifact_object_id=replenishment.pk).exists()


def test_a_township_head_request_needs_a_reason_and_an_amount_when_full(hana, low_fund):
    with pytest.raises(InvalidInput) as exc:
        services.request_replenishment(hana, low_fund, amount="100.00", reason="")
    assert "reason" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        services.request_replenishment(hana, low_fund, reason="more")  # already at the standard amount
    assert "amount" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        services.request_replenishment(hana, low_fund, amount="12.345", reason="more")
    assert "amount" in exc.value.errors
    assert not ReplenishmentRequest.objects.exists()


def test_the_checks_run_again_when_the_task_runs_late(low_fund):
    # The fund was topped up before the queued task ran: nothing to ask for.
    assert services.ensure_replenishment(low_fund.pk) is None
    assert services.ensure_replenishment(low_fund.pk, origin=RequestOrigin.SHORTFALL,
                                         needed=Decimal("10.00")) is None
    assert not ReplenishmentRequest.objects.exists()


def test_raising_the_low_water_mark_above_the_balance_asks(fiona, low_fund, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.set_limits(fiona, low_fund, low_water_mark="1200.00", target_balance="1500.00")
    assert ReplenishmentRequest.objects.get().amount == Decimal("500.00")


def test_the_step_fields_for_the_task_api(alice, fiona, low_fund, approved, django_capture_on_commit_callbacks):
    """The replenish step's one form (its step table's) checks the API's JSON as it checks the page."""
    from rest_framework.test import APIClient

    pay(alice, approved, "700.00", django_capture_on_commit_callbacks)
    task = replenish_task(ReplenishmentRequest.objects.get())
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(fiona)
    url = f"/api/v1/tasks/{task.pk}/complete/"
    for bad, field in (({"decision": "maybe"}, "decision"), ({"decision": "approve", "amount": "1.005"}, "amount"),
                       ({"decision": "approve", "amount": 0}, "amount")):
        response = client.post(url, bad, format="json")
        assert response.status_code == 400 and field in response.json(), (bad, response.json())
    assert ReplenishmentRequest.objects.get().status == "open"  # nothing changed
    response = client.post(url, {"decision": "approve", "amount": "", "reference": "v 1"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "approved" and body["amount"] == "700.00"
    assert body["allocation"]["kind"] == "allocation" and body["allocation"]["amount"] == "700.00"


def test_a_failing_replenishment_never_fails_the_payment(alice, low_fund, approved, caplog,
                                                         django_capture_on_commit_callbacks):
    from deadlines.models import SlaPolicy

    SlaPolicy.objects.filter(flow="reserve_fund").delete()  # a configuration gap: the task will fail
    entry = pay(alice, approved, "700.00", django_capture_on_commit_callbacks)
    assert entry.balance_after == Decimal("300.00")
    assert ReserveFund.objects.get(pk=low_fund.pk).balance == Decimal("300.00")
    assert not ReplenishmentRequest.objects.exists()
    assert "funds.request_replenishment" in caplog.text  # the failure is logged, naming the task


def test_approving_a_replenishment_on_its_page_needs_the_voucher_number(as_user, alice, fiona, low_fund, approved,
                                                                       django_capture_on_commit_callbacks):
    pay(alice, approved, "700.00", django_capture_on_commit_callbacks)
    replenishment = ReplenishmentRequest.objects.get()
    url = reverse("fund_replenishment", args=[replenishment.pk])
    client = as_user(fiona)
    refused = client.post(url, {"decision": "approve", "amount": ""})
    assert refused.status_code == 400 and refused.context["form"].errors["reference"]
    assert ReplenishmentRequest.objects.get().status == "open"
    assert client.post(url, {"decision": "approve", "amount": "", "reference": "任财拨〔2026〕9号"}).status_code == 302
    assert ReplenishmentRequest.objects.get().allocation.reference == "任财拨〔2026〕9号"

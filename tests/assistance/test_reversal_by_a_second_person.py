"""The attack: a caseworker reversed a payment with no approval (money back into the
fund, the case paid again, on one person's word). Now a reversal is county finance's
(funds.adjust), never by whoever made the payout, and the case it reopens can be paid
again through its flow: when no ``disburse`` task is open, the reversal makes one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import NotPermitted
from funds import services as funds
from funds.models import EntryKind, LedgerEntry, ReserveFund
from regions.models import Region
from staff.roles import Role
from tests.assistance.conftest import do, new_case, open_steps
from tests.conftest import TOWNSHIP_A, make_staff
from workflows.temporary.models import Status, TemporaryCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(root, fiona):
    fund = funds.open_fund(root, Region.objects.get(code=TOWNSHIP_A), low_water_mark="500.00",
                           target_balance="10000.00")
    funds.allocate(fiona, fund, "10000.00", "任财拨〔2026〕1号")
    return fund


def paid_case(alice, hana, household):
    application = new_case(alice, household, amount_requested="1200.00")
    do(alice, application, "intake", complete=True)
    do(alice, application, "investigate", investigators=["alice", "amy"], findings="入户核实属实")
    do(hana, application, "township_approve", decision="approve", amount_approved="1200.00", reason="同意")
    do(alice, application, "disburse")
    return application


def payout(application) -> LedgerEntry:
    return LedgerEntry.objects.filter(application_id=application.pk, kind=EntryKind.DISBURSEMENT).latest("pk")


def case(application) -> TemporaryCase:
    return TemporaryCase.objects.get(pk=application.pk)


def test_a_caseworker_cannot_reverse_a_payment(alice, amy, hana, household, fund, as_user):
    application = paid_case(alice, hana, household)
    entry = payout(application)
    assert not funds.may_reverse(alice)
    with pytest.raises(NotPermitted):
        funds.reverse(alice, entry, "银行退票")
    response = as_user(alice).post(reverse("fund_entry_reverse", args=[fund.pk, entry.pk]), {"reason": "银行退票"})
    assert response.status_code == 403
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).exists()
    assert case(application).status == Status.PAID and case(application).amount_paid == Decimal("1200.00")
    # The fund page offers the caseworker no reverse button either.
    page = as_user(alice).get(reverse("fund_detail", args=[fund.pk])).content.decode()
    assert reverse("fund_entry_reverse", args=[fund.pk, entry.pk]) not in page


def test_whoever_made_the_payout_cannot_reverse_it_even_with_the_finance_role(regions, alice, amy, hana,
                                                                              household, fund):
    both = make_staff("both", [Role.CASEWORKER, Role.COUNTY_FINANCE], TOWNSHIP_A)
    application = new_case(alice, household, amount_requested="1200.00")
    do(alice, application, "intake", complete=True)
    do(alice, application, "investigate", investigators=["alice", "amy"], findings="入户核实属实")
    do(hana, application, "township_approve", decision="approve", amount_approved="1200.00", reason="同意")
    do(both, application, "disburse")
    with pytest.raises(NotPermitted):
        funds.reverse(both, payout(application), "银行退票")


def test_a_paid_case_reversed_by_county_finance_is_paid_again(alice, amy, hana, fiona, household, fund):
    application = paid_case(alice, hana, household)
    assert open_steps(application) == ["file_with_county"]
    funds.reverse(fiona, payout(application), "银行退票")
    assert case(application).status == Status.PAYING
    # Nothing to file while money is owed: the case has a paying task again.
    assert open_steps(application) == ["disburse"]
    do(alice, application, "disburse")
    assert case(application).status == Status.PAID and case(application).amount_paid == Decimal("1200.00")
    do(alice, application, "file_with_county")
    assert case(application).status == Status.FILED and open_steps(application) == []
    assert ReserveFund.objects.get(pk=fund.pk).balance == Decimal("8800.00")


def test_a_filed_case_reversed_gets_a_paying_task_and_is_filed_again(alice, amy, hana, fiona, household, fund):
    application = paid_case(alice, hana, household)
    do(alice, application, "file_with_county")
    assert open_steps(application) == []
    funds.reverse(fiona, payout(application), "银行退票")
    assert case(application).status == Status.PAYING and open_steps(application) == ["disburse"]
    do(alice, application, "disburse")
    do(alice, application, "file_with_county")
    assert case(application).status == Status.FILED and case(application).amount_paid == Decimal("1200.00")
    assert open_steps(application) == []

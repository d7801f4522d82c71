"""Payments waiting for a reserve fund: when money comes in, the people holding the
paying tasks are told which waiting payments the new balance covers, oldest first."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistance.models import Instalment
from deadlines.models import Deadline
from funds import services as funds
from funds.waiting import announce_money, covered
from notifications.models import Notification
from regions.models import Region
from tests.assistance.conftest import do, open_steps
from tests.assistance.test_paths_with_payment import investigated
from tests.conftest import TOWNSHIP_A

pytestmark = pytest.mark.django_db


def approve_case(alice, hana, household, amount: str, cause: str):
    application = investigated(alice, household, amount_requested=amount, cause=cause)
    do(hana, application, "township_approve", decision="approve", amount_approved=amount, reason="同意")
    return application


@pytest.fixture
def small_fund(root, fiona):
    fund = funds.open_fund(root, Region.objects.get(code=TOWNSHIP_A), target_balance="5000.00")
    funds.allocate(fiona, fund, "100.00", "少量预拨")
    return fund


def told(user):
    return list(Notification.objects.filter(recipient=user, event="funds.fund.money_arrived").order_by("pk"))


def test_money_in_tells_the_payer_of_each_waiting_payment_it_covers(
        alice, amy, bob, hana, fiona, household, small_fund, django_capture_on_commit_callbacks):
    first = approve_case(alice, hana, household, "1200.00", "因病致困")
    second = approve_case(alice, hana, household, "800.00", "火灾受损")
    for application in (first, second):
        assert do(alice, application, "disburse").message  # waits: the fund holds 100.00
    assert [i.status for i in Instalment.objects.order_by("application_id")] == ["waiting_funds"] * 2

    with django_capture_on_commit_callbacks(execute=True):
        funds.allocate(fiona, small_fund, "1500.00", "补充")  # 1,600.00: the first, not both
    (note,) = told(alice)
    task = Deadline.objects.get(application_id=first.pk, step="disburse")
    assert note.link == f"/tasks/{task.subject_id}/"
    assert str(first.pk) in note.title and "1,200.00" in note.title and "1,600.00" in note.body
    # Alice took the payment when she tried it: she is told, not every caseworker of the township.
    assert task.assignee == alice and told(amy) == [] and told(bob) == []

    do(alice, first, "disburse")  # paid: 400.00 left, still short of 800.00
    assert open_steps(first) == ["file_with_county"]
    with django_capture_on_commit_callbacks(execute=True):
        funds.allocate(fiona, small_fund, "500.00", "再补充")
    first_note, second_note = told(alice)
    assert str(second.pk) in second_note.title and "800.00" in second_note.title and "900.00" in second_note.body


def test_money_out_or_nothing_waiting_tells_no_one(alice, hana, fiona, household, small_fund,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        funds.allocate(fiona, small_fund, "900.00", "补充")  # nothing waits
        funds.adjust(fiona, small_fund, "-50.00", "更正")
    assert Notification.objects.filter(event="funds.fund.money_arrived").count() == 0
    assert announce_money(small_fund.pk) == 0


def test_a_claimed_paying_task_tells_only_its_assignee(alice, amy, hana, fiona, household, small_fund,
                                                      django_capture_on_commit_callbacks):
    application = approve_case(alice, hana, household, "1200.00", "因病致困")
    do(alice, application, "disburse")
    Deadline.objects.filter(application_id=application.pk, step="disburse").update(assignee=amy)
    with django_capture_on_commit_callbacks(execute=True):
        funds.adjust(fiona, small_fund, "2000.00", "上级补拨到账")
    assert [n.recipient.username for n in Notification.objects.filter(event="funds.fund.money_arrived")] == ["amy"]


@pytest.mark.parametrize(("amounts", "balance", "expected"), [
    (["1200.00", "800.00"], "1600.00", ["1200.00"]),
    (["1200.00", "300.00"], "1600.00", ["1200.00", "300.00"]),
    (["2000.00", "300.00"], "1600.00", ["300.00"]),  # the one too big waits; the smaller is paid
    ([], "1600.00", []),
])
def test_covered_counts_each_against_what_the_ones_before_take(amounts, balance, expected):
    class Row:
        def __init__(self, amount):
            self.amount = Decimal(amount)

    assert [str(r.amount) for r in covered([Row(a) for a in amounts], Decimal(balance))] == expected

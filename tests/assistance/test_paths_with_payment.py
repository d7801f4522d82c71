"""Paths through the temporary-assistance flow that move money, end to end."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from assistance.models import Application, Instalment, InstalmentSource
from deadlines.models import Deadline, DeadlineFiring
from deadlines.sweep import sweep
from funds import services as funds
from funds.models import LedgerEntry, ReserveFund
from regions.models import Region
from tests.assistance.conftest import do, new_case, open_steps
from tests.conftest import TOWNSHIP_A
from workflows.temporary.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(root, fiona):
    fund = funds.open_fund(root, Region.objects.get(code=TOWNSHIP_A), low_water_mark="500.00",
                           target_balance="10000.00")
    funds.allocate(fiona, fund, "10000.00", "任财拨〔2026〕1号")
    return fund


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


def investigated(alice, household, **overrides):
    application = new_case(alice, household, **overrides)
    do(alice, application, "intake", complete=True)
    do(alice, application, "investigate", investigators=["alice", "amy"], findings="入户核实属实")
    return application


def test_small_case_approved_paid_from_the_fund_and_filed(alice, amy, hana, carol, household, fund):
    application = investigated(alice, household, amount_requested="1200.00")
    do(hana, application, "township_approve", decision="approve", amount_approved="1200.00", reason="符合条件")
    assert open_steps(application) == ["disburse"]
    do(alice, application, "disburse")
    assert fresh(application).status == Status.PAID and open_steps(application) == ["file_with_county"]
    do(alice, application, "file_with_county")
    application = fresh(application)
    assert application.status == Status.FILED and application.amount_paid == Decimal("1200.00")
    assert ReserveFund.objects.get(pk=fund.pk).balance == Decimal("8800.00")
    (entry,) = LedgerEntry.objects.filter(application_id=application.pk)
    assert entry.kind == "disbursement" and entry.amount == Decimal("1200.00")
    assert open_steps(application) == []


def test_above_the_limit_goes_to_the_county_and_is_paid_by_county_transfer(alice, amy, hana, carol, household, fund,
                                                                          as_user):
    application = investigated(alice, household, amount_requested="6000.00")
    do(hana, application, "township_approve", decision="refer", reason="超过乡镇审批额度")
    do(carol, application, "county_approve", decision="approve", amount_approved="6000.00", reason="县级审批同意")
    do(alice, application, "disburse")
    application = fresh(application)
    assert application.status == Status.PAID and application.decision_level == "county"
    assert Instalment.objects.get(application=application).source == InstalmentSource.COUNTY_TRANSFER
    assert ReserveFund.objects.get(pk=fund.pk).balance == Decimal("10000.00")  # the county paid, not the fund
    # The case page names the source in words, not by its code.
    html = as_user(alice).get(application.get_absolute_url()).content.decode()
    assert "县级拨付" in html and "county_transfer" not in html


def test_a_township_payment_is_shown_as_paid_from_the_reserve_fund(alice, amy, hana, household, fund, as_user):
    application = investigated(alice, household, amount_requested="1200.00")
    do(hana, application, "township_approve", decision="approve", amount_approved="1200.00", reason="同意")
    do(alice, application, "disburse")
    assert Instalment.objects.get(application=application).source == InstalmentSource.RESERVE_FUND
    html = as_user(alice).get(application.get_absolute_url()).content.decode()
    assert "备用金" in html and "reserve_fund" not in html


def test_rows_written_as_county_become_county_transfers(alice, household):
    import importlib

    from django.apps import apps
    from django.utils import translation

    from tests.funds.conftest import make_application

    migration = importlib.import_module("assistance.migrations.0006_instalment_source_choices")
    _application, instalment = make_application(household, status="paid", by=alice)
    Instalment.objects.filter(pk=instalment.pk).update(source="county", status="paid")
    migration.county_is_county_transfer(apps, None)
    instalment.refresh_from_db()
    assert instalment.source == InstalmentSource.COUNTY_TRANSFER
    with translation.override("zh-hans"):
        assert instalment.get_source_display() == "县级拨付"


def test_urgent_case_paid_first_then_paperwork_then_the_rest(alice, amy, hana, household, fund):
    application = new_case(alice, household, kind="urgent", cause_category="other", amount_requested="2000.00")
    do(alice, application, "intake", complete=True)
    assert open_steps(application) == ["pay_first"]
    pay_first = Deadline.objects.get(application_id=application.pk, step="pay_first")
    assert pay_first.due_at - pay_first.started_at == datetime.timedelta(hours=24)
    do(hana, application, "pay_first", amount="1000.00", note="火灾当日先行救助")
    assert fresh(application).status == Status.PAPERWORK and open_steps(application) == ["complete_paperwork"]
    do(alice, application, "complete_paperwork", investigators=["alice", "amy"], findings="补齐火灾证明")
    do(hana, application, "township_approve", decision="approve", amount_approved="2000.00", reason="同意")
    do(alice, application, "disburse")
    application = fresh(application)
    assert application.status == Status.PAID and application.amount_paid == Decimal("2000.00")
    assert list(Instalment.objects.filter(application=application).values_list("number", "amount")) == [
        (0, Decimal("1000.00")), (1, Decimal("1000.00"))]


def test_paperwork_overdue_is_escalated(alice, amy, hana, household, fund, time_machine):
    application = new_case(alice, household, kind="urgent", cause_category="other", amount_requested="800.00")
    do(alice, application, "intake", complete=True)
    do(hana, application, "pay_first", amount="800.00")
    paperwork = Deadline.objects.get(application_id=application.pk, step="complete_paperwork")
    sweep(paperwork.due_at + datetime.timedelta(hours=1))
    paperwork.refresh_from_db()
    assert paperwork.escalation_level == 1 and "hana" in paperwork.escalated_to
    assert DeadlineFiring.objects.filter(deadline=paperwork, kind="breach").exists()


def test_an_instalment_plan_is_paid_in_two_parts(alice, amy, hana, household, fund):
    application = investigated(alice, household, amount_requested="2400.00")
    do(hana, application, "township_approve", decision="approve", amount_approved="2400.00",
       instalments=["1200.00", "1200.00"], reason="分两次发放")
    do(alice, application, "disburse")
    assert fresh(application).status == Status.PAYING and open_steps(application) == ["disburse"]
    do(alice, application, "disburse")
    application = fresh(application)
    assert application.status == Status.PAID and application.amount_paid == Decimal("2400.00")
    assert LedgerEntry.objects.filter(application_id=application.pk, kind="disbursement").count() == 2


def test_a_payment_the_fund_cannot_cover_waits_and_nothing_is_lost(alice, amy, hana, fiona, household, root):
    small = funds.open_fund(root, Region.objects.get(code=TOWNSHIP_A), low_water_mark="100.00",
                            target_balance="1000.00")
    funds.allocate(fiona, small, "500.00", "少量预拨")
    application = investigated(alice, household, amount_requested="1200.00")
    do(hana, application, "township_approve", decision="approve", amount_approved="1200.00", reason="同意")
    result = do(alice, application, "disburse")
    assert result.message  # KeepOpen: the task stays, saying why
    assert open_steps(application) == ["disburse"]
    assert Instalment.objects.get(application=application).status == "waiting_funds"
    assert ReserveFund.objects.get(pk=small.pk).balance == Decimal("500.00")
    funds.allocate(fiona, small, "1000.00", "补充")
    do(alice, application, "disburse")
    assert fresh(application).status == Status.PAID


# --- a payment that comes back ------------------------------------------------------------------

def payout(application, number=1) -> LedgerEntry:
    return LedgerEntry.objects.filter(application_id=application.pk, instalment_number=number,
                                      kind="disbursement").latest("pk")


def test_a_reversed_payment_takes_a_paid_case_back_to_being_paid(alice, amy, hana, fiona, household, fund):
    from audit.models import AuditEvent

    application = investigated(alice, household, amount_requested="1200.00")
    do(hana, application, "township_approve", decision="approve", amount_approved="1200.00", reason="同意")
    do(alice, application, "disburse")
    assert fresh(application).status == Status.PAID

    funds.reverse(fiona, payout(application), "银行账户已销户")

    application = fresh(application)
    assert application.status == Status.PAYING and application.amount_paid == Decimal("0.00")
    instalment = Instalment.objects.get(application=application)
    assert instalment.status == "planned" and instalment.paid_at is None and instalment.paid_by is None
    assert instalment.source == "" and "银行账户已销户" in instalment.note
    assert ReserveFund.objects.get(pk=fund.pk).balance == Decimal("10000.00")
    event = AuditEvent.objects.get(event="assistance.application.payment_reversed", object_id=str(application.pk))
    assert event.before["status"] == Status.PAID and event.after["status"] == Status.PAYING
    assert event.actor == fiona and event.reason == "银行账户已销户"
    # Nothing to file while the money is owed: the filing task gave way to a paying task.
    assert open_steps(application) == ["disburse"]


def test_a_reversed_instalment_is_paid_again_before_the_next(alice, amy, hana, fiona, household, fund):
    application = investigated(alice, household, amount_requested="2400.00")
    do(hana, application, "township_approve", decision="approve", amount_approved="2400.00",
       instalments=["1200.00", "1200.00"], reason="分两次发放")
    do(alice, application, "disburse")
    first = payout(application, 1)
    funds.reverse(fiona, first, "收款账户有误")
    application = fresh(application)
    assert application.status == Status.PAYING and application.amount_paid == Decimal("0.00")
    do(alice, application, "disburse")  # the reversed instalment first, under a new key
    again = payout(application, 1)
    assert again.pk != first.pk and fresh(application).amount_paid == Decimal("1200.00")
    do(alice, application, "disburse")
    application = fresh(application)
    assert application.status == Status.PAID and application.amount_paid == Decimal("2400.00")
    assert ReserveFund.objects.get(pk=fund.pk).balance == Decimal("7600.00")


def test_a_filed_case_whose_payment_is_reversed_no_longer_reads_filed(alice, amy, hana, fiona, household, fund):
    application = investigated(alice, household, amount_requested="1200.00")
    do(hana, application, "township_approve", decision="approve", amount_approved="1200.00", reason="同意")
    do(alice, application, "disburse")
    do(alice, application, "file_with_county")
    funds.reverse(fiona, payout(application), "银行退票")
    application = fresh(application)
    assert application.status == Status.PAYING and application.amount_paid == Decimal("0.00")


def test_an_urgent_payment_is_reversed_after_the_decision_and_paid_again(alice, amy, hana, fiona, household, fund):
    from core.errors import Conflict

    application = new_case(alice, household, kind="urgent", cause_category="other", amount_requested="2000.00")
    do(alice, application, "intake", complete=True)
    do(hana, application, "pay_first", amount="1000.00", note="火灾当日先行救助")
    urgent = payout(application, 0)
    # Before the decision the approval will count it as paid: reversing it now would
    # have it paid twice, so it is refused and nothing is written.
    with pytest.raises(Conflict):
        funds.reverse(fiona, urgent, "现金未领取")
    assert not LedgerEntry.objects.filter(reverses=urgent).exists()
    assert fresh(application).amount_paid == Decimal("1000.00")
    assert ReserveFund.objects.get(pk=fund.pk).balance == Decimal("9000.00")

    do(alice, application, "complete_paperwork", investigators=["alice", "amy"], findings="补齐火灾证明")
    do(hana, application, "township_approve", decision="approve", amount_approved="2000.00", reason="同意")
    funds.reverse(fiona, urgent, "现金未领取")
    application = fresh(application)
    assert application.status == Status.APPROVED and application.amount_paid == Decimal("0.00")
    do(alice, application, "disburse")  # the urgent payment again
    do(alice, application, "disburse")  # then the approval's instalment
    application = fresh(application)
    assert application.status == Status.PAID and application.amount_paid == Decimal("2000.00")
    assert list(Instalment.objects.filter(application=application).values_list("number", "status")) == [
        (0, "paid"), (1, "paid")]
    assert ReserveFund.objects.get(pk=fund.pk).balance == Decimal("8000.00")

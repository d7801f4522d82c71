"""The fund's services one by one: disbursement (the contract with assistance),
allocation, reversal, adjustment, and what each refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from audit.models import AuditEvent
from core.errors import Conflict, InvalidInput, NotPermitted
from funds import services
from funds.models import EntryKind, LedgerEntry, ReserveFund
from funds.statements import check_fund
from tests.conftest import TOWNSHIP_A, VILLAGE_B1

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _messages_in_english():
    # The assertions read the English source of the services' messages (Chinese is the default).
    from django.utils import translation

    with translation.override("en"):
        yield


def balance(fund) -> Decimal:
    return ReserveFund.objects.get(pk=fund.pk).balance


def test_disburse_pays_an_approved_instalment(alice, fund_a, approved):
    application, instalment = approved("300.00")
    entry = services.disburse(alice, application=application, instalment=instalment)
    assert entry.kind == EntryKind.DISBURSEMENT and entry.direction == -1
    assert entry.amount == Decimal("300.00") and entry.balance_after == Decimal("700.00")
    assert entry.application_id == application.pk and entry.instalment_number == 1
    assert entry.idempotency_key == f"application:{application.pk}:instalment:1"
    assert entry.actor == alice and entry.fund_id == fund_a.pk
    assert balance(fund_a) == Decimal("700.00")
    assert AuditEvent.objects.filter(event="funds.ledger.disbursed", object_id=str(fund_a.pk)).count() == 1
    assert check_fund(fund_a).ok


def test_the_same_disbursement_twice_pays_once(alice, fund_a, approved):
    application, instalment = approved("300.00")
    first = services.disburse(alice, application=application, instalment=instalment)
    with transaction.atomic():  # as the caller does: inside its own transaction
        second = services.disburse(alice, application=application, instalment=instalment)
    assert second.pk == first.pk
    assert LedgerEntry.objects.filter(kind=EntryKind.DISBURSEMENT).count() == 1
    assert balance(fund_a) == Decimal("700.00")


def test_pay_first_instalment_zero_of_an_urgent_case(hana, fund_a, approved):
    application, instalment = approved("200.00", status="urgent_payment", number=0)
    entry = services.disburse(hana, application=application, instalment=instalment)
    assert entry.instalment_number == 0 and balance(fund_a) == Decimal("800.00")


@pytest.mark.parametrize("status", ["intake", "investigation", "township_review", "county_review", "rejected",
                                    "paid", "filed"])
def test_an_unapproved_application_is_not_paid(alice, fund_a, approved, status):
    application, instalment = approved("100.00", status=status)
    with pytest.raises(Conflict) as exc:
        services.disburse(alice, application=application, instalment=instalment)
    assert "not approved" in exc.value.message
    assert not LedgerEntry.objects.filter(kind=EntryKind.DISBURSEMENT).exists()
    assert balance(fund_a) == Decimal("1000.00")


def test_urgent_payment_pays_only_instalment_zero(alice, fund_a, approved):
    application, instalment = approved("100.00", status="urgent_payment", number=1)
    with pytest.raises(Conflict):
        services.disburse(alice, application=application, instalment=instalment)


def test_only_temporary_assistance_is_paid_from_the_fund(alice, fund_a, approved):
    application, instalment = approved("100.00", program="dibao")
    with pytest.raises(Conflict, match="temporary assistance only"):
        services.disburse(alice, application=application, instalment=instalment)


def test_an_instalment_of_another_application_is_refused(alice, fund_a, approved):
    application, _instalment = approved("100.00")
    _other, instalment = approved("100.00")
    with pytest.raises(InvalidInput) as exc:
        services.disburse(alice, application=application, instalment=instalment)
    assert "instalment" in exc.value.errors


def test_insufficient_funds_is_refused_with_balance_and_amount(alice, fund_a, approved):
    application, instalment = approved("1000.01")
    with pytest.raises(services.InsufficientFunds) as exc:
        services.disburse(alice, application=application, instalment=instalment)
    assert isinstance(exc.value, Conflict)
    assert "1,000.00" in exc.value.message and "1,000.01" in exc.value.message
    assert exc.value.shortfall == Decimal("0.01")
    assert balance(fund_a) == Decimal("1000.00")
    assert not LedgerEntry.objects.filter(kind=EntryKind.DISBURSEMENT).exists()


def test_paying_the_whole_balance_leaves_exactly_zero(alice, fund_a, approved):
    application, instalment = approved("1000.00")
    entry = services.disburse(alice, application=application, instalment=instalment)
    assert entry.balance_after == Decimal("0.00") and balance(fund_a) == Decimal("0.00")


def test_a_township_without_a_fund(alice, regions, root, approved):
    application, instalment = approved("10.00")
    with pytest.raises(Conflict, match="no reserve fund"):
        services.disburse(alice, application=application, instalment=instalment)


def test_an_outsider_cannot_pay_from_the_fund(bob, fund_a, approved):
    application, instalment = approved("10.00")
    with pytest.raises(NotPermitted):
        services.disburse(bob, application=application, instalment=instalment)
    assert balance(fund_a) == Decimal("1000.00")


def test_the_fund_is_the_applications_township(alice, fund_a, fund_b, household, approved):
    application, instalment = approved("50.00", region=VILLAGE_B1)
    entry = services.disburse(None, application=application, instalment=instalment)
    assert entry.fund_id == fund_b.pk and balance(fund_a) == Decimal("1000.00")


# --- allocation ---------------------------------------------------------------------------------

def test_county_finance_allocates(fiona, fund_a):
    entry = services.allocate(fiona, fund_a, "250.50", " voucher 2026-17 ")
    assert entry.kind == EntryKind.ALLOCATION and entry.amount == Decimal("250.50")
    assert entry.reference == "voucher 2026-17" and entry.balance_after == Decimal("1250.50")
    assert balance(fund_a) == Decimal("1250.50")
    assert AuditEvent.objects.filter(event="funds.ledger.allocated", actor=fiona).count() == 1


@pytest.mark.parametrize("amount", ["0", "0.00", "-5", "1.001", "abc", "", None, "NaN", "Infinity", "1e400",
                                    "1000000000000.00", True])
def test_bad_allocation_amounts_write_nothing(fiona, fund_a, amount):
    before = LedgerEntry.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.allocate(fiona, fund_a, amount, "voucher")
    assert list(exc.value.errors) == ["amount"]
    assert LedgerEntry.objects.count() == before and balance(fund_a) == Decimal("1000.00")


def test_an_allocation_needs_a_reference(fiona, fund_a):
    with pytest.raises(InvalidInput) as exc:
        services.allocate(fiona, fund_a, "10.00", "  ")
    assert list(exc.value.errors) == ["reference"]


@pytest.mark.parametrize("user", ["alice", "hana", "carol", "sam"])
def test_only_county_finance_allocates(request, fund_a, user):
    actor = request.getfixturevalue(user)
    with pytest.raises(NotPermitted):
        services.allocate(actor, fund_a, "10.00", "voucher")
    assert balance(fund_a) == Decimal("1000.00")


def test_county_finance_of_another_county_cannot_allocate(fred, fund_a):
    with pytest.raises(NotPermitted):
        services.allocate(fred, fund_a, "10.00", "voucher")


def test_an_allocation_with_a_key_happens_once(fiona, fund_a):
    first = services.allocate(fiona, fund_a, "10.00", "voucher", idempotency_key="allocation:x")
    second = services.allocate(fiona, fund_a, "10.00", "voucher", idempotency_key="allocation:x")
    assert first.pk == second.pk and balance(fund_a) == Decimal("1010.00")


# --- reversal -----------------------------------------------------------------------------------

def test_a_failed_payout_is_reversed_once(alice, fiona, fund_a, approved):
    application, instalment = approved("300.00")
    payout = services.disburse(alice, application=application, instalment=instalment)
    reversal = services.reverse(fiona, payout, "bank account closed")
    assert reversal.kind == EntryKind.REVERSAL and reversal.reverses_id == payout.pk
    assert reversal.amount == Decimal("300.00") and reversal.balance_after == Decimal("1000.00")
    assert reversal.application_id == application.pk and reversal.reason == "bank account closed"
    again = services.reverse(fiona, payout, "clicked twice")
    assert again.pk == reversal.pk
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 1
    assert balance(fund_a) == Decimal("1000.00")


def test_after_a_reversal_the_instalment_can_be_paid_again_once(alice, fiona, fund_a, approved):
    application, instalment = approved("300.00")
    payout = services.disburse(alice, application=application, instalment=instalment)
    services.reverse(fiona, payout, "bank account closed")
    repaid = services.disburse(alice, application=application, instalment=instalment)
    assert repaid.pk != payout.pk
    assert services.disburse(alice, application=application, instalment=instalment).pk == repaid.pk
    assert balance(fund_a) == Decimal("700.00")
    assert check_fund(fund_a).ok


def test_only_a_disbursement_can_be_reversed(fiona, fund_a):
    allocation = fund_a.entries.get()
    with pytest.raises(Conflict):
        services.reverse(fiona, allocation, "wrong")


def test_a_reversal_needs_a_reason_and_the_right_role(alice, hana, bob, fiona, fred, fund_a, approved):
    application, instalment = approved("100.00")
    payout = services.disburse(alice, application=application, instalment=instalment)
    with pytest.raises(InvalidInput):
        services.reverse(fiona, payout, " ")
    with pytest.raises(NotPermitted):
        services.reverse(hana, payout, "no role")
    with pytest.raises(NotPermitted):
        services.reverse(bob, payout, "other township")
    with pytest.raises(NotPermitted):  # whoever pays out does not take payouts back alone
        services.reverse(alice, payout, "bank account closed")
    with pytest.raises(NotPermitted):
        services.reverse(fred, payout, "another county")
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).exists()


# --- adjustment ---------------------------------------------------------------------------------

def test_county_finance_adjusts_with_a_reason(fiona, fund_a):
    down = services.adjust(fiona, fund_a, "-0.50", "bank charge")
    assert down.direction == -1 and down.amount == Decimal("0.50") and down.balance_after == Decimal("999.50")
    up = services.adjust(fiona, fund_a, "1.50", "interest")
    assert up.direction == 1 and balance(fund_a) == Decimal("1001.00")


def test_an_adjustment_never_makes_the_balance_negative(fiona, fund_a):
    with pytest.raises(Conflict, match="never be negative"):
        services.adjust(fiona, fund_a, "-1000.01", "too much")
    assert balance(fund_a) == Decimal("1000.00")


@pytest.mark.parametrize(("amount", "reason", "field"), [("0", "x", "amount"), ("1.234", "x", "amount"),
                                                         ("x", "x", "amount"), ("5", "", "reason")])
def test_bad_adjustments_write_nothing(fiona, fund_a, amount, reason, field):
    with pytest.raises(InvalidInput) as exc:
        services.adjust(fiona, fund_a, amount, reason)
    assert field in exc.value.errors
    assert fund_a.entries.count() == 1


def test_only_county_finance_adjusts(hana, fund_a):
    with pytest.raises(NotPermitted):
        services.adjust(hana, fund_a, "5", "no")


# --- the ledger is append-only and the balance is guarded by the database ------------------------

def test_entries_cannot_be_changed_or_deleted_through_the_orm(fund_a):
    from funds.models import AppendOnlyError

    entry = fund_a.entries.get()
    entry.amount = Decimal("1.00")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()


def test_the_database_refuses_to_update_an_entry(fund_a):
    from django.db import DatabaseError, connection

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE funds_ledgerentry SET amount = 1")
    assert fund_a.entries.get().amount == Decimal("1000.00")


@pytest.mark.postgres
def test_postgres_refuses_to_delete_an_entry(fund_a):
    from django.db import DatabaseError, connection

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM funds_ledgerentry")
    assert fund_a.entries.count() == 1


def test_the_database_refuses_a_negative_balance(fund_a):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        ReserveFund.objects.filter(pk=fund_a.pk).update(balance=Decimal("-0.01"))


def test_the_database_refuses_a_second_payment_with_the_same_key(alice, fund_a, approved):
    from django.db import IntegrityError
    from django.utils import timezone

    application, instalment = approved("10.00")
    entry = services.disburse(alice, application=application, instalment=instalment)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(fund=fund_a, kind=EntryKind.DISBURSEMENT, direction=-1, amount=Decimal("10.00"),
                                   balance_after=Decimal("980.00"), at=timezone.now(), month=entry.month,
                                   application=application, instalment_number=1,
                                   idempotency_key=entry.idempotency_key)


@pytest.mark.parametrize("amount", ["0.00", "-1.00"])
def test_the_database_refuses_entries_without_a_positive_amount(fund_a, amount):
    from django.db import IntegrityError
    from django.utils import timezone

    from funds.models import month_of

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(fund=fund_a, kind=EntryKind.ALLOCATION, direction=1, amount=Decimal(amount),
                                   balance_after=Decimal("1000.00"), at=timezone.now(), month=month_of(timezone.now()))


def test_one_fund_per_township(root, fund_a):
    from regions.models import Region

    with pytest.raises(Conflict):
        services.open_fund(root, Region.objects.get(code=TOWNSHIP_A))


def test_a_fund_belongs_to_a_township(root, regions):
    from tests.conftest import COUNTY

    with pytest.raises(InvalidInput):
        services.open_fund(root, regions[COUNTY])


def test_limits(fiona, hana, fund_a):
    services.set_limits(fiona, fund_a, low_water_mark="200.00", target_balance="1500.00")
    fund = ReserveFund.objects.get(pk=fund_a.pk)
    assert (fund.low_water_mark, fund.target_balance) == (Decimal("200.00"), Decimal("1500.00"))
    with pytest.raises(InvalidInput) as exc:
        services.set_limits(fiona, fund_a, low_water_mark="300.00", target_balance="100.00")
    assert "target_balance" in exc.value.errors
    with pytest.raises(NotPermitted):
        services.set_limits(hana, fund_a, low_water_mark="1", target_balance="2")

"""Concurrent payments against one fund, each thread on its own database connection
(PostgreSQL: SQLite serializes writers and proves nothing about row locks)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum

from funds import services
from funds.models import EntryKind, LedgerEntry, ReserveFund
from funds.statements import check_fund
from tests.conftest import TOWNSHIP_A

from .conftest import make_application, open_fund

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_concurrently(calls):
    """Start every call at the same moment, each in its own thread and connection.
    Returns (results, errors) in call order."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except Exception as exc:  # collected and asserted by the test
            errors[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def test_fifty_concurrent_payments_at_a_fund_that_covers_ten(alice, household, replenish_policy):
    from funds.models import ReplenishmentRequest

    assert connection.vendor == "postgresql"
    fund = open_fund(TOWNSHIP_A, "1000.00")
    pairs = [make_application(household, amount="100.00", by=alice) for _ in range(50)]

    def pay(application, instalment):
        return lambda: services.disburse(alice, application=application, instalment=instalment)

    results, errors = run_concurrently([pay(a, i) for a, i in pairs])

    paid = [r for r in results if r is not None]
    refused = [e for e in errors if e is not None]
    assert len(paid) == 10
    assert len(refused) == 40 and all(isinstance(e, services.InsufficientFunds) for e in refused), refused[:3]
    fund = ReserveFund.objects.get(pk=fund.pk)
    assert fund.balance == Decimal("0.00")
    ledger = fund.entries.all()
    total = sum((e.amount * e.direction for e in ledger), Decimal("0"))
    assert total == fund.balance == Decimal("0.00")
    assert ledger.filter(kind=EntryKind.DISBURSEMENT).count() == 10
    assert ledger.filter(kind=EntryKind.DISBURSEMENT).aggregate(s=Sum("amount"))["s"] == Decimal("1000.00")
    # Every running balance follows from the one before: the payments were applied one at a time.
    assert sorted(e.balance_after for e in ledger.filter(kind=EntryKind.DISBURSEMENT)) == [
        Decimal(100 * k) for k in range(10)]
    assert check_fund(fund).ok
    # The refused payments asked county finance for money, once.
    assert ReplenishmentRequest.objects.filter(fund=fund, status="open").count() == 1


def test_the_same_payment_five_times_at_once_is_one_entry(alice, household):
    fund = open_fund(TOWNSHIP_A, "1000.00")
    application, instalment = make_application(household, amount="300.00", by=alice)

    results, errors = run_concurrently(
        [lambda: services.disburse(alice, application=application, instalment=instalment)] * 5)

    assert errors == [None] * 5
    assert len({entry.pk for entry in results}) == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.DISBURSEMENT).count() == 1
    fund = ReserveFund.objects.get(pk=fund.pk)
    assert fund.balance == Decimal("700.00") and check_fund(fund).ok


def test_concurrent_reversals_of_one_payout_restore_it_once(alice, fiona, household):
    fund = open_fund(TOWNSHIP_A, "1000.00")
    application, instalment = make_application(household, amount="300.00", by=alice)
    payout = services.disburse(alice, application=application, instalment=instalment)

    results, errors = run_concurrently([lambda: services.reverse(fiona, payout, "bank refused")] * 5)

    assert errors == [None] * 5 and len({entry.pk for entry in results}) == 1
    fund = ReserveFund.objects.get(pk=fund.pk)
    assert fund.balance == Decimal("1000.00") and check_fund(fund).ok


def test_concurrent_reversals_of_a_case_payment_take_it_off_the_case_once(alice, fiona, household):
    from assistance.models import Application, Instalment
    from audit.models import AuditEvent

    fund = open_fund(TOWNSHIP_A, "1000.00")
    application, instalment = make_application(household, amount="300.00", by=alice)
    payout = services.disburse(alice, application=application, instalment=instalment)
    # As the payment step leaves it (its own transaction pays and marks the case paid).
    Instalment.objects.filter(pk=instalment.pk).update(status="paid")
    Application.objects.filter(pk=application.pk).update(status="paid", amount_paid=Decimal("300.00"))

    results, errors = run_concurrently([lambda: services.reverse(fiona, payout, "bank refused")] * 5)

    assert errors == [None] * 5 and len({entry.pk for entry in results}) == 1
    application = Application.objects.get(pk=application.pk)
    assert application.status == "paying" and application.amount_paid == Decimal("0.00")
    assert Instalment.objects.get(pk=instalment.pk).status == "planned"
    assert AuditEvent.objects.filter(event="assistance.application.payment_reversed").count() == 1
    assert ReserveFund.objects.get(pk=fund.pk).balance == Decimal("1000.00")


def test_payments_under_the_low_water_mark_open_one_replenishment_request(alice, household, replenish_policy):
    from funds.models import ReplenishmentRequest

    fund = open_fund(TOWNSHIP_A, "1000.00", low_water_mark="900.00", target_balance="1000.00")
    pairs = [make_application(household, amount="50.00", by=alice) for _ in range(8)]

    def pay(application, instalment):
        return lambda: services.disburse(alice, application=application, instalment=instalment)

    _results, errors = run_concurrently([pay(a, i) for a, i in pairs])

    assert errors == [None] * 8
    requests = ReplenishmentRequest.objects.filter(fund=fund)
    assert requests.count() == 1 and requests.get().status == "open"

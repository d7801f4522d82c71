"""Property-based tests: over random sequences of allocations, disbursements (some
repeated), reversals (some repeated) and adjustments, the balance always equals the
ledger's sum, never goes negative, and matches a plain model of the rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import Conflict, InvalidInput
from core.money import MAX_AMOUNT, parse_amount
from funds import services
from funds.models import LedgerEntry, ReserveFund
from funds.statements import build_statement, check_fund
from tests.conftest import TOWNSHIP_A

from .conftest import make_application, open_fund

pytestmark = pytest.mark.django_db

cents = st.integers(min_value=1, max_value=200_000).map(lambda c: Decimal(c) / 100)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("allocate"), cents),
        st.tuples(st.just("disburse"), cents),
        st.tuples(st.just("repeat"), st.integers(min_value=0, max_value=50)),
        st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=50)),
        st.tuples(st.just("adjust"), st.integers(min_value=-100_000, max_value=100_000).filter(bool)
                  .map(lambda c: Decimal(c) / 100)),
    ),
    max_size=25,
)


class Rollback(Exception):
    pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(opening=st.integers(min_value=0, max_value=500_000).map(lambda c: Decimal(c) / 100), ops=operations)
def test_the_balance_is_the_ledger_sum_and_never_negative(root, alice, fiona, household, opening, ops):
    try:
        with transaction.atomic():  # each example starts from an empty ledger
            run(root, alice, fiona, household, opening, ops)
            raise Rollback
    except Rollback:
        pass


def run(root, alice, fiona, household, opening, ops):
    fund = open_fund(TOWNSHIP_A, str(opening), by=root)
    expected = opening
    payouts = []  # (application, instalment, entry)
    reversed_ids = set()
    for op, value in ops:
        if op == "allocate":
            services.allocate(fiona, fund, value, "voucher")
            expected += value
        elif op == "disburse":
            application, instalment = make_application(household, amount=str(value), by=alice)
            try:
                entry = services.disburse(alice, application=application, instalment=instalment)
            except services.InsufficientFunds:
                assert value > expected
            else:
                assert value <= expected
                expected -= value
                payouts.append((application, instalment, entry))
        elif op == "repeat" and payouts:
            application, instalment, entry = payouts[value % len(payouts)]
            try:
                again = services.disburse(alice, application=application, instalment=instalment)
            except services.InsufficientFunds:
                # Only a reversed payout pays again, so only it can find the fund short.
                assert entry.pk in reversed_ids and entry.amount > expected
            else:
                if entry.pk in reversed_ids:  # a reversed payout may be paid again, once
                    assert again.pk != entry.pk and again.amount == entry.amount
                    expected -= again.amount
                    payouts[value % len(payouts)] = (application, instalment, again)
                else:
                    assert again.pk == entry.pk
        elif op == "reverse" and payouts:
            _application, _instalment, entry = payouts[value % len(payouts)]
            reversal = services.reverse(fiona, entry, "payout failed")
            if entry.pk not in reversed_ids:
                expected += entry.amount
                reversed_ids.add(entry.pk)
            assert reversal.reverses_id == entry.pk
        elif op == "adjust":
            try:
                services.adjust(fiona, fund, value, "correction")
            except Conflict:
                assert expected + value < 0
            else:
                expected += value

        balance = ReserveFund.objects.get(pk=fund.pk).balance
        ledger = sum((e.amount * e.direction for e in LedgerEntry.objects.filter(fund=fund)), Decimal("0"))
        assert balance == ledger == expected
        assert balance >= 0
    check = check_fund(fund)
    assert check.ok, check
    statement = build_statement(fund, LedgerEntry.objects.filter(fund=fund).first().month) if opening else None
    if statement is not None:
        assert statement.balances and statement.closing == expected


@given(st.one_of(st.decimals(allow_nan=True, allow_infinity=True), st.floats(), st.integers(),
                 st.text(max_size=20), st.none(), st.booleans()))
def test_any_input_is_an_amount_or_a_clear_error(value):
    try:
        amount = parse_amount(value)
    except InvalidInput as exc:
        assert list(exc.errors) == ["amount"] and exc.errors["amount"]
    else:
        assert Decimal("0.01") <= amount <= MAX_AMOUNT
        assert amount == amount.quantize(Decimal("0.01"))
        assert amount.as_tuple().exponent == -2


@given(st.integers(min_value=1, max_value=99_999_999_999_999))
def test_every_two_place_amount_reads_back_exactly(c):
    text = f"{c // 100}.{c % 100:02d}"
    assert str(parse_amount(text)) == text

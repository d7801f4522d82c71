"""The attack: money parsing was lax: "1_000", "1E+2", "+5" and ".5" were accepted as
amounts (Python's Decimal reads them all). core.money.parse_amount now accepts an
explicit grammar, which these tests state independently and check with hypothesis:
ASCII digits (full-width ones, point and minus read as them), a minus only where a
signed amount is asked for, no leading zeros, a point only between digits with at most
two after it, and on the pages grouping commas in groups of three."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from core.errors import InvalidInput
from core.money import MAX_AMOUNT, AmountFormField, figures, parse_amount

SPEC = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d{1,2})?", re.ASCII)
SPEC_GROUPED = re.compile(r"-?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d{1,2})?", re.ASCII)
WIDE = str.maketrans("０１２３４５６７８９．－，", "0123456789.-,")
ALPHABET = "0123456789.,-+_eE ０１２３４５６７８９．－，"


class Page(forms.Form):
    amount = AmountFormField()
    change = AmountFormField(signed=True, required=False)


def accepted(text, **options):
    try:
        return parse_amount(text, **options)
    except InvalidInput:
        return None


@pytest.mark.parametrize("text", ["1_000", "1E+2", "1e2", "+5", ".5", "5.", "0800", "1.234", "1.230", "- 5", "5-",
                                  "1 000", "1,200.00", "12,00", "0x10", "٣٠٠", "Infinity", "NaN", "1.2.3"])
def test_what_the_attack_sent_is_refused_by_the_api(text):
    assert accepted(text) is None
    assert accepted(text, signed=True) is None


@pytest.mark.parametrize("text", ["1_000", "1E+2", "+5", ".5", "1,2,3", "1,23", "1,2345.00", ",100", "100,"])
def test_and_by_the_pages(text):
    page = Page(data={"amount": text})
    assert not page.is_valid() and page.errors["amount"]


@pytest.mark.parametrize(("text", "value"), [("800", "800.00"), ("800.5", "800.50"), ("０.５", "0.50"),
                                             ("８００", "800.00"), ("８００．５０", "800.50"), (" 12 ", "12.00")])
def test_plain_amounts_and_full_width_digits_are_read(text, value):
    assert parse_amount(text) == Decimal(value)


@pytest.mark.parametrize(("text", "value"), [("1,200.00", "1200.00"), ("１，２００．５０", "1200.50"),
                                             ("12,345,678", "12345678.00"), ("８００", "800.00")])
def test_the_pages_take_grouping_commas(text, value):
    page = Page(data={"amount": text})
    assert page.is_valid(), page.errors
    assert page.cleaned_data["amount"] == Decimal(value)


@given(st.text(alphabet=ALPHABET, max_size=18), st.booleans(), st.booleans())
def test_exactly_the_grammar_is_accepted(text, signed, grouping):
    normal = text.strip().translate(WIDE)
    matches = bool(SPEC.fullmatch(normal) or (grouping and SPEC_GROUPED.fullmatch(normal)))
    value = Decimal(normal.replace(",", "")) if matches else None
    in_range = value is not None and abs(value) <= MAX_AMOUNT and (value != 0 if signed else value > 0)
    result = accepted(text, signed=signed, grouping=grouping)
    assert (result is not None) == in_range, (text, result)
    if result is not None:
        assert result == value and result.as_tuple().exponent == -2


@given(st.integers(min_value=1, max_value=int(MAX_AMOUNT * 100)))
def test_every_amount_as_the_engine_writes_it_reads_back(cents):
    amount = Decimal(cents) / 100
    assert parse_amount(f"{amount:.2f}") == amount
    assert parse_amount(figures(amount), grouping=True) == amount  # "1,234.50", as pages and sheets show it
    assert parse_amount(f"{amount:.2f}".translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))) == amount


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_json_numbers_are_read_by_their_shortest_text(number):
    result = accepted(number)
    if result is not None:
        assert result == Decimal(repr(number)) and Decimal("0.01") <= result <= MAX_AMOUNT

"""Sums of money, read and written the same way everywhere.

Reading: from whatever a caller sends (a form string, a JSON string or number, a
Decimal) by one parser, so the web, the API and every service give the same answer and
the same message for the same bad input; the API's field (AmountApiField) and the
pages' (AmountFormField) are that parser. Storing: every money column is
``models.DecimalField(**MONEY_FIELD)``, which holds every amount the parser accepts, so
an amount too large is refused as bad input, never by the database. Writing:
"1,234.50", the figures the pages, documents, sheets and messages show."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.errors import InvalidInput

CENT = Decimal("0.01")
# The one money column: NUMERIC(14, 2). Every model field holding yuan uses it.
MONEY_FIELD = {"max_digits": 14, "decimal_places": 2}
# The largest amount that column holds; parse_amount refuses anything above it.
MAX_AMOUNT = Decimal(10) ** (MONEY_FIELD["max_digits"] - MONEY_FIELD["decimal_places"]) - CENT


# The forms an amount may take, explicitly. ASCII digits (full-width ones, and the
# full-width point and minus, as a Chinese keyboard types them, are read as those); a
# minus only where a signed amount is asked for; no plus, no exponent ("1E+2"), no
# underscores ("1_000"), no leading zeros ("0800"); a point only between digits (".5" and
# "5." are refused), followed by at most two of them (fen). Pages also take grouping
# commas, ASCII or full-width, in groups of three ("1,200.00"): people copy figures from a
# page or a sheet. Anything else is refused with the field named.
PLAIN = re.compile(r"(?P<sign>-?)(?P<units>0|[1-9][0-9]*)(?:\.(?P<fen>[0-9]+))?")
GROUPED = re.compile(r"(?P<sign>-?)(?P<units>[1-9][0-9]{0,2}(?:,[0-9]{3})+)(?:\.(?P<fen>[0-9]+))?")
FULL_WIDTH = str.maketrans("０１２３４５６７８９．－，", "0123456789.-,")


def _as_text(value) -> str:
    if isinstance(value, float):
        return repr(value)  # 800.5 stays 800.5; 0.1 + 0.2 shows its many places and is refused
    if isinstance(value, int):
        return str(value)
    return str(value).strip().translate(FULL_WIDTH)


def _decimal_of(value, field: str, *, grouping: bool) -> Decimal:
    """The amount a caller's value spells, by the grammar above (not yet range-checked)."""
    not_an_amount = InvalidInput({field: [_("Enter an amount in yuan, e.g. 800.00.")]})
    if isinstance(value, Decimal):
        # The engine's own values (read from a column): no text to check, only the number.
        if not value.is_finite():
            raise not_an_amount
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2:
            raise InvalidInput({field: [_("Use at most two decimal places (fen).")]})
        return value
    text = _as_text(value)
    match = PLAIN.fullmatch(text) or (GROUPED.fullmatch(text) if grouping else None)
    if match is None:
        raise not_an_amount
    if match["fen"] is not None and len(match["fen"]) > 2:
        raise InvalidInput({field: [_("Use at most two decimal places (fen).")]})
    units = match["units"].replace(",", "")
    return Decimal(f"{match['sign']}{units}.{match['fen'] or '0'}")


def parse_amount(value, field: str = "amount", *, signed: bool = False, allow_zero: bool = False,
                 grouping: bool = False) -> Decimal:
    """A Decimal with two places, or InvalidInput naming ``field``. Positive unless
    ``signed`` (an adjustment, which still refuses zero) or ``allow_zero`` (a limit).
    ``grouping``: grouping commas allowed (the pages' fields)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput({field: [_("Enter an amount.")]})
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise InvalidInput({field: [_("Enter an amount in yuan, e.g. 800.00.")]})
    amount = _decimal_of(value, field, grouping=grouping)
    if signed:
        if amount == 0:
            raise InvalidInput({field: [_("An adjustment cannot be zero.")]})
    elif allow_zero:
        if amount < 0:
            raise InvalidInput({field: [_("The amount cannot be negative.")]})
    elif amount <= 0:
        raise InvalidInput({field: [_("The amount must be more than zero.")]})
    if abs(amount) > MAX_AMOUNT:
        raise InvalidInput({field: [_("The amount is too large: at most %(max)s yuan.") % {
            "max": figures(MAX_AMOUNT)}]})
    return amount.quantize(CENT)


def figures(value) -> str:
    """1234.5 → "1,234.50": the same in every language."""
    return f"{Decimal(value):,.2f}"


# --- the fields that read amounts: one for the API, one for the pages --------------------------

@extend_schema_field({"type": "string", "format": "decimal", "example": "800.00",
                      "pattern": r"^-?\d{1,12}(\.\d{1,2})?$"})
class AmountApiField(serializers.Field):
    """An amount in the API: a string with at most two places ("800.00"; a JSON number is
    read too), positive unless ``signed`` (refuses zero) or ``allow_zero``. Bad input is a
    400 naming the field, with parse_amount's message. Written as "800.00"."""

    def __init__(self, *, signed: bool = False, allow_zero: bool = False, **kwargs):
        self.signed, self.allow_zero = signed, allow_zero
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if data == "" and not self.required:
            return None
        try:
            return parse_amount(data, self.field_name, signed=self.signed, allow_zero=self.allow_zero)
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.errors[self.field_name]) from None

    def to_representation(self, value):
        return f"{value:.2f}"


class AmountFormField(forms.CharField):
    """An amount on a page, read by parse_amount (same options and messages as the API).
    Grouping commas, ASCII or full-width, are allowed in groups of three: people copy
    "1,200.00" from a page or a sheet."""

    def __init__(self, *, signed: bool = False, allow_zero: bool = False, **kwargs):
        self.signed, self.allow_zero = signed, allow_zero
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "class": "money-input"})

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value, "amount", signed=self.signed, allow_zero=self.allow_zero, grouping=True)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.errors["amount"]) from None

"""Sums of money, read and written the same way everywhere.

Reading: from whatever a caller sends (a form string, a JSON string or number, a
Decimal) by one parser, so the web, the API and every service give the same answer and
the same message for the same bad input. Writing: "1,234.50", the figures the pages,
documents, sheets and messages show."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.errors import InvalidInput

CENT = Decimal("0.01")
# NUMERIC(14, 2)
MAX_AMOUNT = Decimal("999999999999.99")


def parse_amount(value, field: str = "amount", *, signed: bool = False, allow_zero: bool = False) -> Decimal:
    """A Decimal with two places, or InvalidInput naming ``field``. Positive unless
    ``signed`` (an adjustment, which still refuses zero) or ``allow_zero`` (a limit)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput({field: [_("Enter an amount.")]})
    if isinstance(value, bool):
        raise InvalidInput({field: [_("Enter an amount in yuan, e.g. 800.00.")]})
    if isinstance(value, float):
        value = repr(value)  # 800.5 stays 800.5; 0.1 + 0.2 shows its many places and is refused
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise InvalidInput({field: [_("Enter an amount in yuan, e.g. 800.00.")]}) from None
    if not amount.is_finite():
        raise InvalidInput({field: [_("Enter an amount in yuan, e.g. 800.00.")]})
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise InvalidInput({field: [_("Use at most two decimal places (fen).")]})
    if signed:
        if amount == 0:
            raise InvalidInput({field: [_("An adjustment cannot be zero.")]})
    elif allow_zero:
        if amount < 0:
            raise InvalidInput({field: [_("The amount cannot be negative.")]})
    elif amount <= 0:
        raise InvalidInput({field: [_("The amount must be more than zero.")]})
    if abs(amount) > MAX_AMOUNT:
        raise InvalidInput({field: [_("The amount is too large.")]})
    return amount.quantize(CENT)


def figures(value) -> str:
    """1234.5 → "1,234.50": the same in every language."""
    return f"{Decimal(value):,.2f}"

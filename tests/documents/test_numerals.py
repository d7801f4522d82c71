from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from documents.numerals import rmb_capitals, yuan_figures

DIGITS = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def parse_capitals(text: str) -> Decimal:
    """The reading a bank clerk would make: capitals back to an amount (the test's own
    parser, written independently of the converter)."""
    if text == "零元整":
        return Decimal("0.00")
    integer_text, _, fraction_text = text.rpartition("元") if "元" in text else ("", "", text)
    total = section = digit = 0
    for ch in integer_text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in SMALL:
            section += digit * SMALL[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        elif ch == "亿":
            total = (total + section + digit) * 100_000_000
            section = digit = 0
        else:
            raise AssertionError(f"unexpected {ch!r} in {text!r}")
    total += section + digit
    cents = 0
    if fraction_text != "整":
        for number, unit in re.findall(r"(.)([角分])", fraction_text.removeprefix("零")):
            cents += DIGITS[number] * (10 if unit == "角" else 1)
    return Decimal(total) + Decimal(cents) / 100


@pytest.mark.parametrize(("amount", "expected"), [
    ("1200", "壹仟贰佰元整"),
    ("1200.00", "壹仟贰佰元整"),
    ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
    ("1005.08", "壹仟零伍元零捌分"),
    ("100000", "壹拾万元整"),
    ("0.50", "伍角"),
    ("0.05", "伍分"),
    ("0.56", "伍角陆分"),
    ("30000.00", "叁万元整"),
    ("10", "壹拾元整"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),  # the People's Bank's own example
    ("1004.56", "壹仟零肆元伍角陆分"),        # idem
    ("107000.53", "壹拾万零柒仟元伍角叁分"),   # idem (one of its two valid forms)
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),     # idem (one of its two valid forms)
    ("10000100", "壹仟万零壹佰元整"),
    ("100000000", "壹亿元整"),
    ("100010000", "壹亿零壹万元整"),
    ("120000000.10", "壹亿贰仟万元壹角"),
    ("99999999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ("0", "零元整"),
])
def test_examples(amount, expected):
    assert rmb_capitals(Decimal(amount)) == expected
    assert rmb_capitals(amount) == expected


@pytest.mark.parametrize("amount", ["-1", "-0.01", "1.234", "0.001", "1e-3", "abc", "NaN", "Infinity",
                                    "1000000000000"])
def test_rejects_what_is_not_an_amount(amount):
    with pytest.raises(ValueError):
        rmb_capitals(Decimal(amount) if amount not in ("abc",) else amount)


def test_rejects_floats():
    with pytest.raises(TypeError):
        rmb_capitals(1200.0)


def test_figures():
    assert yuan_figures(Decimal("1200")) == "¥1,200.00"
    assert yuan_figures(Decimal("1234567.8")) == "¥1,234,567.80"
    assert yuan_figures(Decimal("0.5")) == "¥0.50"
    with pytest.raises(ValueError):
        yuan_figures(Decimal("-1"))
    with pytest.raises(ValueError):
        yuan_figures(Decimal("1.005"))


# Amounts with many zeros are where capitals go wrong: build some digit by digit.
sparse_amounts = st.builds(
    lambda digits: Decimal(int("".join(digits))) / 100,
    st.lists(st.sampled_from("0000000123456789"), min_size=1, max_size=10),
).filter(lambda d: Decimal("0.01") <= d <= Decimal("99999999.99"))
plain_amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)


@given(st.one_of(plain_amounts, sparse_amounts))
@example(Decimal("0.01"))
@example(Decimal("99999999.99"))
@example(Decimal("10000000.01"))
@example(Decimal("10101010.10"))
def test_round_trip(amount):
    text = rmb_capitals(amount)
    assert parse_capitals(text) == amount
    # Well formed: zeros are never doubled nor trailing, 拾 always has its digit,
    # 整 only after 元, and nothing follows 分.
    assert "零零" not in text
    assert not re.search(r"零[元万亿整角]", text)
    assert not re.search(r"(^|[^壹贰叁肆伍陆柒捌玖])拾", text)
    assert text.endswith(("元整", "角", "分"))
    assert not text.startswith("零")
    assert set(text) <= set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整")

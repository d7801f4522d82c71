"""Amounts in Chinese financial capitals (大写金额), as written on vouchers and notices.

Written here rather than taken from PyPI: cn2an (the maintained converter) gets
元角分 right, but its wheel and that of its dependency ``proces`` install stray
top-level ``build``, ``src``, ``example`` and ``scripts`` folders into
site-packages, which is not worth forty lines.

The rules are those of the People's Bank's 《支付结算办法》 (正确填写票据和结算凭证的基本规定):

* 整 after 元 when there are no 角 or 分; none after 分 (and we write none after 角,
  which the rule allows): 1200 → 壹仟贰佰元整, 0.50 → 伍角.
* A zero between non-zero digits is written 零, a run of zeros only once:
  1005.08 → 壹仟零伍元零捌分 (a zero 角 before a non-zero 分 is always written).
* Where the rule lets the 零 be left out or written (a zero 万 or 亿 digit before a
  non-zero 仟, a zero 元 digit before a non-zero 角), we write it in the first case
  and leave it out in the second: 107000.53 → 壹拾万零柒仟元伍角叁分. Both forms are
  valid; the explicit one leaves no gap to alter.
* 拾 always has its digit: 100000 → 壹拾万元整.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from core.money import figures

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
GROUP_UNITS = ("", "万", "亿")
# Below one trillion yuan (9,999 亿): far beyond any amount this engine pays.
LIMIT = Decimal(10) ** 12


def _integer(n: int) -> str:
    if n == 0:
        return DIGITS[0]
    text = str(n)
    length = len(text)
    parts: list[str] = []
    zero_pending = False
    group_has_digit = False
    for i, ch in enumerate(text):
        position = length - 1 - i  # 0 = 元 digit
        digit = int(ch)
        if digit:
            if zero_pending:
                parts.append(DIGITS[0])
            zero_pending = False
            parts.append(DIGITS[digit] + SMALL_UNITS[position % 4])
            group_has_digit = True
        elif parts:
            # Written only if a non-zero digit follows, and then only once.
            zero_pending = True
        if position % 4 == 0:
            if position and group_has_digit:
                parts.append(GROUP_UNITS[position // 4])
            group_has_digit = False
    return "".join(parts)


def _as_decimal(amount) -> Decimal:
    if isinstance(amount, float):
        # A float is already rounded somewhere we cannot see: money arrives as Decimal or str.
        raise TypeError("amount must be a Decimal, int or str, not float")
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValueError(f"not an amount: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    return value


def rmb_capitals(amount) -> str:
    """壹仟贰佰元整 for 1200; ValueError for a negative amount, more than two decimal
    places, or an amount of a trillion yuan or more."""
    value = _as_decimal(amount)
    if value < 0:
        raise ValueError(f"negative amount: {value}")
    cents = value * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"more than two decimal places: {value}")
    if value >= LIMIT:
        raise ValueError(f"amount too large: {value}")
    yuan, rest = divmod(int(cents), 100)
    jiao, fen = divmod(rest, 10)

    if yuan == 0 and rest == 0:
        return "零元整"
    if yuan == 0:
        return (DIGITS[jiao] + "角" if jiao else "") + (DIGITS[fen] + "分" if fen else "")
    text = _integer(yuan) + "元"
    if rest == 0:
        return text + "整"
    if jiao == 0:
        return text + DIGITS[0] + DIGITS[fen] + "分"
    return text + DIGITS[jiao] + "角" + (DIGITS[fen] + "分" if fen else "")


def yuan_figures(amount) -> str:
    """¥1,200.00: the figures printed beside the capitals."""
    value = _as_decimal(amount)
    if value < 0:
        raise ValueError(f"negative amount: {value}")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"more than two decimal places: {value}")
    return f"¥{figures(value)}"


def payment_order(number: int) -> str:
    """Which payment of a case this is, as a form prints it: the urgent payment made before
    the decision (number 0) by its name, the others "第2次"; never "第0次"."""
    return "先行救助" if int(number) == 0 else f"第{int(number)}次"


def sentence(text: str) -> str:
    """``text`` ready to be followed by "。": free text typed with its own full stop (or
    other closing punctuation) would otherwise print "。。"."""
    return (text or "").strip().rstrip("。．.，,；;、！!？? ")

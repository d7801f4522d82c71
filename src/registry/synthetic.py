"""Synthetic but valid resident ID numbers, for the demo city, factories and benchmarks."""

from __future__ import annotations

import datetime

from stdnum.cn import ric


def make_id_number(area: str, birth_date: datetime.date, sequence: int, *, female: bool | None = None) -> str:
    """An 18-character number with a correct check character. ``sequence`` (0–999)
    is adjusted to the gender when given: odd = male, even = female."""
    seq = sequence % 1000
    if female is not None and (seq % 2 == 0) != female:
        seq = (seq + 1) % 1000
    body = f"{area[:6]}{birth_date:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_first_generation_id(area: str, birth_date: datetime.date, sequence: int) -> str:
    """A 15-digit first-generation number (1984–1999 cards): YYMMDD, no check character."""
    return f"{area[:6]}{birth_date:%y%m%d}{sequence % 1000:03d}"

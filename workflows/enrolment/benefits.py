"""An enrolled case's payment schedule (BenefitChange): writing an entry, and reading
what is paid in a month. The one definition of "in payment": the monthly rosters,
the case page and the API read it from here."""

from __future__ import annotations

import datetime
from decimal import Decimal

from regions.codes import Level, code_of

from .models import BenefitChange, BenefitKind


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, n: int) -> datetime.date:
    """The first day of the month ``n`` months after ``month``'s (n may be negative)."""
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def following_month(day: datetime.date) -> datetime.date:
    """Payment starts the month after approval (《最低生活保障审核确认办法》)."""
    return add_months(month_start(day), 1)


def parse_month(value: str) -> datetime.date:
    """"YYYY-MM" → its first day; ValueError on anything else."""
    value = (value or "").strip()
    if len(value) != 7 or value[4] != "-" or not (value[:4] + value[5:]).isdigit():
        raise ValueError(value)
    return datetime.date(int(value[:4]), int(value[5:]), 1)


def record_change(case, *, kind: str, month: datetime.date, amount: Decimal, reason: str = "", source: str = "",
                  actor=None, until_month: datetime.date | None = None,
                  household_size: int | None = None) -> BenefitChange:
    """Append one entry to the case's schedule (the caller holds the case's lock)."""
    if kind == BenefitKind.STOP:
        amount = Decimal("0.00")
    return BenefitChange.objects.create(
        application_id=case.pk, program=case.program, region_code=case.region_code,
        county_code=code_of(case.region_code, Level.COUNTY), month=month_start(month), kind=kind,
        monthly_amount=amount, until_month=month_start(until_month) if until_month else None,
        household_size=household_size, reason=(reason or "").strip(), source=source, created_by=actor)


def in_force(application_id: int, month: datetime.date) -> BenefitChange | None:
    """The schedule entry that governs ``month`` for one case (None before it starts)."""
    return (BenefitChange.objects.filter(application_id=application_id, month__lte=month_start(month))
            .order_by("-month", "-id").first())


def monthly_amount(application_id: int, month: datetime.date) -> Decimal:
    """What the case is paid for ``month``: 0 before it starts, after a stop, or after a gradual exit ends."""
    entry = in_force(application_id, month)
    return entry.monthly_amount if entry is not None and entry.pays_in(month_start(month)) else Decimal("0.00")


def schedule(application_id: int) -> list[BenefitChange]:
    return list(BenefitChange.objects.filter(application_id=application_id)
                .select_related("created_by").order_by("month", "id"))

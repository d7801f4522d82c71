"""Reporting periods: a month ("2026-11"), a quarter ("2026-Q4") or a year ("2026")."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from workflows.enrolment.benefits import add_months

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
FIRST_YEAR = 2000


@dataclass(frozen=True)
class Period:
    kind: str  # "month" | "quarter" | "year"
    first: datetime.date  # the first day of its first month
    count: int  # months

    @property
    def months(self) -> list[datetime.date]:
        return [add_months(self.first, n) for n in range(self.count)]

    @property
    def last(self) -> datetime.date:
        return add_months(self.first, self.count - 1)

    @property
    def end(self) -> datetime.date:
        """The first day after the period."""
        return add_months(self.first, self.count)

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return str(self.first.year)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("%(year)d-%(month)02d") % {"year": self.first.year, "month": self.first.month}
        if self.kind == "quarter":
            return _("%(year)d Q%(quarter)d") % {"year": self.first.year, "quarter": (self.first.month - 1) // 3 + 1}
        return _("Year %(year)d") % {"year": self.first.year}

    def shifted(self, steps: int) -> Period:
        return Period(self.kind, add_months(self.first, steps * self.count), self.count)

    def of_kind(self, kind: str) -> Period:
        """The period of another kind that holds this one's first month."""
        return containing(self.first, kind)


def containing(day: datetime.date, kind: str) -> Period:
    if kind == "year":
        return Period("year", datetime.date(day.year, 1, 1), 12)
    if kind == "quarter":
        return Period("quarter", datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1), 3)
    return Period("month", day.replace(day=1), 1)


def current(kind: str = "month") -> Period:
    return containing(timezone.localdate(), kind)


def parse(value: str | None) -> Period:
    """The period a query string names; ValueError on anything else (the caller answers 400)."""
    value = (value or "").strip()
    if m := _MONTH.match(value):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(value)
        period = Period("month", datetime.date(year, month, 1), 1)
    elif m := _QUARTER.match(value):
        period = Period("quarter", datetime.date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1), 3)
    elif m := _YEAR.match(value):
        period = Period("year", datetime.date(int(m[1]), 1, 1), 12)
    else:
        raise ValueError(value)
    if not FIRST_YEAR <= period.first.year <= timezone.localdate().year + 1:
        raise ValueError(value)
    return period

"""Counting days the way the law counts them.

* The first day is not counted: a period of n days started on day D ends on the
  n-th counted day after D.
* A working day is Monday–Friday unless it is a holiday day-off, plus weekend days
  announced as make-up working days (调休). The announcements live in the database
  (CalendarDay rows per scope), not in code: the State Council publishes them yearly.
* A working-day period always ends on a working day. A calendar-day period (public
  notices) ends on its n-th day, holiday or not, unless the policy asks to move it.
* Hour limits (urgent help within 24 h) are plain elapsed time.
* Deadlines fall due at the end of their last day, Asia/Shanghai.

A computation that touches a year nobody has confirmed is *provisional*: it used
the Monday–Friday rule for that year, and admins are warned to load the year.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

from regions.codes import scope_prefixes

ONE_DAY = datetime.timedelta(days=1)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def start_of_day(day: datetime.date) -> datetime.datetime:
    """The local midnight that begins ``day``."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=local_zone())


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The instant a deadline on ``day`` falls due: the following local midnight."""
    return datetime.datetime.combine(day + ONE_DAY, datetime.time.min, tzinfo=local_zone())


@dataclass
class WorkingCalendar:
    """Working days for one region: national rows, overridden date by date by the
    rows of its province or city. Loads each year's rows once, on first use."""

    region_code: str = ""
    _days: dict[datetime.date, bool] = field(default_factory=dict)  # date -> is working day
    _loaded_years: set[int] = field(default_factory=set)
    _confirmed_years: set[int] = field(default_factory=set)
    touched_unconfirmed: bool = False

    def _load(self, year: int) -> None:
        if year in self._loaded_years:
            return
        from .models import CalendarDay, CalendarYear

        prefixes = scope_prefixes(self.region_code)
        rows = CalendarDay.objects.filter(date__year=year, scope__in=prefixes).values_list("date", "kind", "scope")
        # Most specific scope wins for a date: sort national ("") first, then longer prefixes.
        for day, kind, _scope in sorted(rows, key=lambda r: len(r[2])):
            self._days[day] = kind == "workday"
        if CalendarYear.objects.filter(year=year, scope__in=prefixes).exists():
            self._confirmed_years.add(year)
        self._loaded_years.add(year)

    def is_working_day(self, day: datetime.date) -> bool:
        self._load(day.year)
        if day.year not in self._confirmed_years:
            self.touched_unconfirmed = True
        if day in self._days:
            return self._days[day]
        return day.weekday() < 5

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """The n-th working day after ``start`` (``start`` itself is not counted)."""
        if n < 0:
            raise ValueError("a period cannot be negative")
        day, counted = start, 0
        while counted < n:
            day += ONE_DAY
            if self.is_working_day(day):
                counted += 1
        if n == 0:
            while not self.is_working_day(day):
                day += ONE_DAY
        return day

    def subtract_working_days(self, end: datetime.date, n: int) -> datetime.date:
        day, counted = end, 0
        while counted < n:
            day -= ONE_DAY
            if self.is_working_day(day):
                counted += 1
        return day

    def next_working_day_on_or_after(self, day: datetime.date) -> datetime.date:
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count

"""Loading and confirming holiday years, and warning when next year is missing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import CalendarDay, CalendarYear, DayKind


@dataclass
class LoadReport:
    year: int
    days_off: int = 0
    workdays: int = 0
    disagreements: list[str] = field(default_factory=list)


class YearNotAvailable(Exception):
    pass


def _from_chinesecalendar(year: int) -> tuple[dict[datetime.date, str], dict[datetime.date, str]]:
    import chinese_calendar

    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError as exc:
        raise YearNotAvailable(str(exc)) from None
    days_off = {d: name for d, name in chinese_calendar.holidays.items() if d.year == year}
    workdays = {d: name for d, name in chinese_calendar.workdays.items() if d.year == year and d.weekday() >= 5}
    return days_off, workdays


def _cross_check(year: int, days_off: dict) -> list[str]:
    """Compare weekday days off with the independent `holidays` package."""
    import holidays

    other = holidays.China(years=year)
    ours = {d for d in days_off if d.weekday() < 5}
    theirs = {d for d in other if d.weekday() < 5}
    notes = [f"{d}: day off in chinesecalendar only" for d in sorted(ours - theirs)]
    notes += [f"{d}: day off in holidays only ({other.get(d)})" for d in sorted(theirs - ours)]
    return notes


@transaction.atomic
def load_year(year: int, scope: str = "") -> LoadReport:
    days_off, workdays = _from_chinesecalendar(year)
    report = LoadReport(year=year, disagreements=_cross_check(year, days_off))
    for day, name in days_off.items():
        CalendarDay.objects.update_or_create(scope=scope, date=day, defaults={"kind": DayKind.DAY_OFF, "name": name or ""})
        report.days_off += 1
    for day, name in workdays.items():
        CalendarDay.objects.update_or_create(scope=scope, date=day, defaults={"kind": DayKind.WORKDAY, "name": name or ""})
        report.workdays += 1
    source = "chinesecalendar" + (f"; differs from holidays: {len(report.disagreements)}" if report.disagreements else
                                  "; agrees with holidays")
    CalendarYear.objects.update_or_create(scope=scope, year=year, defaults={"source": source})
    return report


def unconfirmed_years(years: list[int], scope: str = "") -> list[int]:
    have = set(CalendarYear.objects.filter(Q(scope="") | Q(scope=scope), year__in=years).values_list("year", flat=True))
    return [y for y in years if y not in have]


def warn_if_next_year_unconfirmed(today: datetime.date) -> bool:
    """In November and December, tell administrators (once a week) when next year's
    holidays are not loaded: deadlines reaching it are provisional until they are."""
    from django.utils import timezone

    from notifications.models import Notification
    from notifications.services import notify
    from staff.models import User

    if today.month < 11 or not unconfirmed_years([today.year + 1]):
        return False
    event = f"deadlines.calendar.unconfirmed.{today.year + 1}"
    if Notification.objects.filter(event=event, created_at__gte=timezone.now() - datetime.timedelta(days=7)).exists():
        return False
    admins = User.objects.filter(Q(is_superuser=True) | Q(groups__name="admin"), is_active=True).distinct()
    notify(admins, event=event,
           title=_("Holidays for %(year)d are not loaded: deadlines reaching %(year)d are provisional.")
           % {"year": today.year + 1},
           body=_("Enter the State Council's announcement under Deadlines → Calendar days, then confirm the year."),
           link="/admin/deadlines/calendarday/")
    return True

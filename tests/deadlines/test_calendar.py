"""Counting working days across the 2026 holidays and make-up days."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deadlines.calendar import WorkingCalendar
from deadlines.calendar_admin import load_year
from deadlines.models import CalendarDay, CalendarYear, SlaPolicy
from deadlines.policies import compute_due
from tests.conftest import VILLAGE_A1
from tests.deadlines.conftest import at

pytestmark = pytest.mark.django_db
D = datetime.date


def policy(duration, unit, **kw):
    return SlaPolicy(flow="t", step="s", duration=duration, unit=unit, effective_from=D(2020, 1, 1), **kw)


@pytest.mark.parametrize("day", [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20),
                                 D(2026, 10, 10)])
def test_the_2026_make_up_weekend_days_are_working_days(calendar_2026, day):
    assert day.weekday() >= 5
    assert WorkingCalendar().is_working_day(day)


@pytest.mark.parametrize(("start", "n", "last"), [
    (D(2026, 9, 30), 3, D(2026, 10, 10)),   # National Day: Oct 1–7 off; 8, 9 and make-up Saturday 10
    (D(2026, 2, 12), 3, D(2026, 2, 24)),    # Spring Festival: 13, make-up Saturday 14, then 24 after the break
    (D(2026, 1, 3), 1, D(2026, 1, 4)),      # a make-up Sunday right after New Year
    (D(2026, 4, 30), 5, D(2026, 5, 11)),    # Labour Day with make-up Saturday 9 May
    (D(2026, 3, 2), 10, D(2026, 3, 16)),    # an ordinary fortnight
])
def test_working_days_skip_holidays_and_count_make_up_days(calendar_2026, start, n, last):
    assert WorkingCalendar().add_working_days(start, n) == last


def test_first_day_not_counted_and_due_at_end_of_the_last_day(calendar_2026):
    due = compute_due(policy(3, "working_days"), at(2026, 3, 2, 16, 45), VILLAGE_A1)
    assert due.due_at == at(2026, 3, 6)  # Mon + 3 wd = Thursday 5 March, due at the midnight ending it
    assert not due.provisional


def test_working_day_period_never_ends_on_a_day_off(calendar_2026):
    # Started on the Friday before National Day: the 1st working day after is 8 October.
    assert WorkingCalendar().add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    due = compute_due(policy(0, "working_days"), at(2026, 10, 3, 9), VILLAGE_A1)
    assert due.due_at == at(2026, 10, 9)  # a zero-day step started on a holiday is due on the next working day


def test_calendar_day_notice_counts_holidays(calendar_2026):
    # A 7-day public notice from 28 September ends on 5 October, in the holiday, and stays there.
    due = compute_due(policy(7, "calendar_days"), at(2026, 9, 28, 10), VILLAGE_A1)
    assert due.due_at == at(2026, 10, 6)


def test_calendar_day_period_can_be_moved_off_a_holiday(calendar_2026):
    due = compute_due(policy(7, "calendar_days", move_off_day_end=True), at(2026, 9, 24, 10), VILLAGE_A1)
    assert due.due_at == at(2026, 10, 9)  # 1 October is a holiday: moved to Thursday 8 October


def test_24_hour_limit_crosses_midnight_and_holidays(calendar_2026):
    due = compute_due(policy(24, "hours", remind_before=4), at(2026, 9, 30, 22, 30), VILLAGE_A1)
    assert due.due_at == at(2026, 10, 1, 22, 30)
    assert due.remind_at == at(2026, 10, 1, 18, 30)


def test_a_deadline_reaching_an_unloaded_year_is_provisional(calendar_2026):
    due = compute_due(policy(10, "working_days"), at(2026, 12, 28, 9), VILLAGE_A1)
    assert due.provisional
    assert due.due_at == at(2027, 1, 12)  # Monday–Friday rule for 2027 until it is loaded


def test_unsupported_year_reports_instead_of_crashing(calendar_2026, capsys):
    from django.core.management import call_command

    call_command("load_calendar", "--years", "2026-2027")
    out = capsys.readouterr().out
    assert "2027: not in chinesecalendar yet" in out
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_an_admin_edit_changes_later_deadlines(calendar_2026, client, root):
    before = compute_due(policy(3, "working_days"), at(2026, 3, 2, 9), VILLAGE_A1).due_at
    client.force_login(root)
    response = client.post("/admin/deadlines/calendarday/add/",
                           {"date": "2026-03-04", "kind": "day_off", "scope": "37", "name": "地方停工日"})
    assert response.status_code == 302, response.content.decode()[:2000]
    after = compute_due(policy(3, "working_days"), at(2026, 3, 2, 9), VILLAGE_A1).due_at
    assert after - before == datetime.timedelta(days=1)
    # A Shandong row does not touch another province.
    assert compute_due(policy(3, "working_days"), at(2026, 3, 2, 9), "110105001001").due_at == before


def test_a_city_overrides_a_national_make_up_day(calendar_2026):
    CalendarDay.objects.create(date=D(2026, 10, 10), kind="day_off", scope="3708", name="本市调整")
    assert not WorkingCalendar("370811001001").is_working_day(D(2026, 10, 10))
    assert WorkingCalendar("370211001001").is_working_day(D(2026, 10, 10))


def test_loading_a_year_twice_changes_nothing(calendar_2026):
    count = CalendarDay.objects.count()
    load_year(2026)
    assert CalendarDay.objects.count() == count


@settings(max_examples=60, deadline=None)
@given(start=st.dates(D(2025, 1, 1), D(2026, 11, 30)), n=st.integers(1, 25))
def test_working_day_arithmetic_properties(django_db_blocker, start, n):
    with django_db_blocker.unblock():
        if not CalendarYear.objects.filter(year=2026).exists():
            load_year(2025)
            load_year(2026)
        cal = WorkingCalendar()
        end = cal.add_working_days(start, n)
        assert end > start and cal.is_working_day(end)
        assert cal.working_days_between(start, end) == n
        assert cal.subtract_working_days(end, n) <= start

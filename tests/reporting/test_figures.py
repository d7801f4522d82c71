"""The monthly figures: counted by hand, and reconciled to the ledger and the rosters to the fen."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import F, Sum

from funds.models import EntryKind, LedgerEntry
from tests.conftest import CITY, COUNTY
from workflows.reporting import figures, periods, refresh
from workflows.reporting.models import MonthlyFigure
from workflows.rosters.models import LineStatus, RosterLine

from .conftest import NOVEMBER

pytestmark = pytest.mark.django_db


def row(township, program, month=NOVEMBER):
    return MonthlyFigure.objects.get(township_code=township, program=program, month=month)


def test_a_month_counted_by_hand(city):
    refresh.refresh_month(CITY, NOVEMBER)
    temporary = row(city["township_a"], "temporary")
    assert (temporary.received, temporary.approved, temporary.rejected, temporary.open_at_end) == (3, 1, 1, 1)
    assert temporary.decision_days == {"9": 1, "18": 1}
    assert temporary.paid_reserve_fund == Decimal("800.00")  # 300.00 paid and reversed: nothing
    assert (temporary.households_covered, temporary.people_covered) == (1, 2)

    dibao = row(city["township_a"], "dibao")
    assert (dibao.households_covered, dibao.people_covered) == (9, 18)  # the tenth stopped in November
    assert (dibao.new_enrolments, dibao.exits, dibao.gradual_exits) == (0, 1, 0)
    assert dibao.paid_roster == sum(Decimal(600 + 50 * i) for i in range(8))
    assert dibao.received == 0 and dibao.paid_reserve_fund == 0

    county_paid = row(city["township_b"], "temporary")
    assert (county_paid.paid_county, county_paid.approved, county_paid.received) == (Decimal("5000.00"), 1, 1)


def test_the_figures_reconcile_to_the_ledger_and_the_rosters_to_the_fen(city):
    refresh.refresh_month(CITY, NOVEMBER)
    stored = MonthlyFigure.objects.filter(month=NOVEMBER).aggregate(
        fund=Sum("paid_reserve_fund"), roster=Sum("paid_roster"))
    ledger = LedgerEntry.objects.filter(month=NOVEMBER, kind__in=[EntryKind.DISBURSEMENT, EntryKind.REVERSAL])
    out = ledger.filter(kind=EntryKind.DISBURSEMENT).aggregate(s=Sum("amount"))["s"]
    back = ledger.filter(kind=EntryKind.REVERSAL).aggregate(s=Sum("amount"))["s"]
    assert stored["fund"] == out - back
    assert stored["roster"] == RosterLine.objects.filter(month=NOVEMBER, status=LineStatus.PAID).aggregate(
        s=Sum("amount"))["s"]
    # And the fund's own balance tells the same story: what went out is what the figures say was paid.
    fund = city["fund"]
    fund.refresh_from_db()
    allocated = LedgerEntry.objects.filter(fund=fund, kind=EntryKind.ALLOCATION).aggregate(s=Sum(F("amount")))["s"]
    assert allocated - fund.balance == stored["fund"]


def test_a_region_and_period_are_sums_of_the_months(city):
    refresh.refresh_month(CITY, NOVEMBER)
    from regions.models import Region

    stats = figures.statistics(Region.objects.get(code=CITY), periods.parse("2026-11"))
    county = next(r for r in stats.rows if r.code == COUNTY)
    assert county.by_program["temporary"].received == 4
    assert county.by_program["temporary"].paid == Decimal("5800.00")
    assert stats.totals["temporary"].average_days == Decimal("9.7")  # (9 + 18 + 2) / 3
    assert stats.totals["temporary"].p90_days == 18
    assert stats.total.paid == Decimal("5800.00") + sum(Decimal(600 + 50 * i) for i in range(8))
    # The quarter sums its months' flows and shows the stocks of its latest month so far
    # (today, 5 December 2026: December, where the stop still holds).
    refresh.refresh_month(CITY, datetime.date(2026, 12, 1))
    quarter = figures.statistics(Region.objects.get(code=CITY), periods.parse("2026-Q4"))
    assert quarter.totals["dibao"].households_covered == 9
    assert quarter.total.paid == stats.total.paid


def test_computing_again_replaces_the_month_and_never_doubles_it(city):
    first = refresh.refresh_month(CITY, NOVEMBER)
    again = refresh.refresh_month(CITY, NOVEMBER)
    assert first == again == MonthlyFigure.objects.filter(month=NOVEMBER).count()


def test_the_command_and_the_nightly_job_compute_the_recent_months(city):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from workflows.reporting import services

    out = StringIO()
    call_command("refresh_statistics", "--from", "2026-10", "--to", "2026-11", stdout=out)
    assert set(MonthlyFigure.objects.values_list("month", flat=True)) == {NOVEMBER, datetime.date(2026, 10, 1)}
    for bad in (["--from", "2026-13"], ["--from", "2026-12", "--to", "2026-11"], ["--region", "999999999999"]):
        with pytest.raises(CommandError):
            call_command("refresh_statistics", *bad, stdout=out)
    MonthlyFigure.objects.all().delete()
    services.nightly(today=datetime.date(2026, 12, 5))
    assert set(MonthlyFigure.objects.values_list("month", flat=True)) >= {NOVEMBER, datetime.date(2026, 12, 1)}
    assert row(city["township_a"], "dibao").households_covered == 9

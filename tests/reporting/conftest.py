"""A small city whose November 2026 is counted by hand.

任城区 (370811), township A (济阳街道):
- temporary assistance: three cases received in November — one approved on the 10th
  after 9 days and paid 800.00 from the reserve fund, one rejected on the 20th after 18
  days, one still open; a fourth, received in October, paid 300.00 in November and that
  payout reversed by county finance (net 0 from the fund);
- 低保: ten elderly couples in payment since June (600.00 … 1,050.00, two people each);
  one of them stopped from November; the November roster locked and the bank's results
  imported: eight paid, one failed.
Township B (南苑街道): one temporary case paid 5,000.00 by county transfer in November.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.test import TestCase
from django.utils import timezone

from assistance.models import Application, Instalment, InstalmentSource, InstalmentStatus
from funds import services as funds
from registry.models import Household
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1, register_households
from tests.funds.conftest import make_application, open_fund
from tests.rosters.conftest import COUNTY, MONTH, enrolled
from workflows.enrolment.benefits import record_change
from workflows.rosters import services as rosters
from workflows.rosters.models import Roster

NOVEMBER = datetime.date(2026, 11, 1)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: int, month: int = 11, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def dated(case: Application, *, created: datetime.datetime, decided: datetime.datetime | None = None):
    Application.objects.filter(pk=case.pk).update(created_at=created, decided_at=decided)
    return Application.objects.get(pk=case.pk)


def csv_of(rows):
    return ("\n".join(["line,status,bank_reference,reason", *(",".join(map(str, r)) for r in rows)]) + "\n").encode()


@pytest.fixture
def city(regions, alice, hana, fiona, root, bob):
    register_households(alice, 14, village=VILLAGE_A1)
    register_households(bob, 1, village=VILLAGE_B1, start=100)
    homes = list(Household.objects.filter(region_id=VILLAGE_A1).order_by("pk"))
    fund = open_fund(TOWNSHIP_A, "5000.00", by=root)

    with time_machine.travel(at(10, hour=9), tick=False):
        approved, first = make_application(homes[0], amount="800.00", by=alice)
        funds.disburse(hana, application=approved, instalment=first)
        Instalment.objects.filter(pk=first.pk).update(status=InstalmentStatus.PAID, paid_at=timezone.now(),
                                                     source=InstalmentSource.RESERVE_FUND)
    dated(approved, created=at(1), decided=at(10))
    rejected, _ = make_application(homes[1], status="rejected", by=alice)
    dated(rejected, created=at(2), decided=at(20))
    still_open, _ = make_application(homes[2], status="investigation", by=alice)
    dated(still_open, created=at(15))
    with time_machine.travel(at(12), tick=False):
        reversed_case, instalment = make_application(homes[3], amount="300.00", by=alice)
        payout = funds.disburse(hana, application=reversed_case, instalment=instalment)
        funds.reverse(fiona, payout, "收款账户错误")
    dated(reversed_case, created=at(20, month=10), decided=at(25, month=10))

    township_b = Household.objects.filter(region_id=VILLAGE_B1).first()
    transferred, instalment = make_application(township_b, amount="5000.00", region=VILLAGE_B1, by=bob)
    dated(transferred, created=at(3), decided=at(5))
    Instalment.objects.filter(pk=instalment.pk).update(status=InstalmentStatus.PAID, paid_at=at(6),
                                                       source=InstalmentSource.COUNTY_TRANSFER)

    in_payment = [enrolled(h, f"{600 + 50 * i}.00", by=alice) for i, h in enumerate(homes[4:14])]
    for case in in_payment:
        dated(case, created=at(2, month=5), decided=at(20, month=5))
    record_change(in_payment[9], kind="stop", month=NOVEMBER, amount=Decimal("0"), reason="迁出本市", actor=hana)

    with TestCase.captureOnCommitCallbacks(execute=True):
        roster, _ = rosters.request_roster(fiona, county=COUNTY, program="dibao", month=MONTH)
    roster = rosters.lock(fiona, Roster.objects.get(pk=roster.pk))
    lines = list(roster.lines.order_by("pk"))
    results = [(line.pk, "paid", f"BK{line.pk}", "") for line in lines[:8]] + [(lines[8].pk, "failed", "", "账户冻结")]
    report = rosters.import_results(fiona, roster, csv_of(results))
    assert report.paid == 8, report.errors
    return {"fund": fund, "roster": roster, "in_payment": in_payment, "township_a": TOWNSHIP_A,
            "township_b": TOWNSHIP_B}

"""Enrolled cases in payment, shaped like the people these rosters pay: elderly couples
and people living alone in 任城区 (370811), some with an individually covered member.

``enrolled`` writes an approved case and its schedule directly (the enrolment tests walk
the flow itself); the roster reads only the schedule, so this is what it sees either way."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from assistance.models import Application
from registry.models import Household
from tests.conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_C1, make_staff, register_households
from workflows.enrolment.benefits import record_change

COUNTY = "370811000000"
MONTH = datetime.date(2026, 11, 1)


@pytest.fixture
def fred(regions):
    """A second county-finance officer of 任城区."""
    return make_staff("fred", ["county_finance"], COUNTY)


def enrolled(household, amount="990.00", *, program="dibao", paid_from=datetime.date(2026, 6, 1), by=None,
             people=2, account=True) -> Application:
    head = household.members.order_by("pk").first()
    case = Application.objects.create(household=household, applicant=head, region_code=household.region_id,
                                      program=program, cause="年老体弱，收入不足", status="approved",
                                      amount_approved=Decimal(amount), created_by=by)
    record_change(case, kind="start", month=paid_from, amount=Decimal(amount), household_size=people,
                  source="approval", actor=by)
    if account:
        from workflows.rosters.models import BankAccount

        BankAccount.objects.create(application=case, holder=head.name, bank_name="济宁农商银行",
                                   account_number=f"62230915{case.pk:08d}", updated_by=by)
    return case


@pytest.fixture
def households(alice):
    """Twelve elderly couples in 西关社区 (registered through the registry)."""
    register_households(alice, 12, village=VILLAGE_A2)
    return list(Household.objects.filter(region_id=VILLAGE_A2).order_by("pk"))


@pytest.fixture
def in_payment(households, alice):
    """Ten of them enrolled in 低保 from June 2026 at amounts between 600 and 1,050."""
    return [enrolled(h, f"{600 + 50 * i}.00", by=alice) for i, h in enumerate(households[:10])]


__all__ = ["COUNTY", "MONTH", "VILLAGE_A1", "VILLAGE_C1", "enrolled"]

"""Reserve-fund fixtures: a fund per township, approved applications to pay, and
an outsider from county finance next door."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tests.conftest import COUNTY_2, TOWNSHIP_A, TOWNSHIP_B, TOWNSHIP_C, VILLAGE_A1, make_staff


@pytest.fixture
def fred(regions):
    """County finance of the other county (兖州区): the outsider at county level."""
    from staff.roles import Role

    return make_staff("fred", [Role.COUNTY_FINANCE], COUNTY_2)


@pytest.fixture
def replenish_policy(db):
    """The seeded policy may be gone after a transactional test emptied the tables."""
    from deadlines.models import SlaPolicy

    SlaPolicy.objects.get_or_create(flow="reserve_fund", step="replenish", program="", scope="",
                                    effective_from=datetime.date(2021, 1, 1),
                                    defaults={"duration": 3, "unit": "working_days", "remind_before": 1})


def open_fund(code, balance="0.00", *, low_water_mark="0.00", target_balance=None, by=None):
    """A fund with ``balance`` allocated (by a superuser) so the ledger explains it."""
    from funds import services
    from funds.models import ReserveFund
    from regions.models import Region
    from staff.models import User

    admin = by or User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "fundadmin", "fundadmin@example.org", "pw-Test-1234")
    township = Region.objects.get(code=code)
    fund = services.open_fund(admin, township, low_water_mark=low_water_mark,
                              target_balance=target_balance if target_balance is not None else low_water_mark)
    if Decimal(balance) > 0:
        services.allocate(admin, fund, balance, "opening allocation")
    return ReserveFund.objects.select_related("township").get(pk=fund.pk)


@pytest.fixture
def fund_a(regions, root):
    return open_fund(TOWNSHIP_A, "1000.00")


@pytest.fixture
def fund_b(regions, root):
    return open_fund(TOWNSHIP_B, "500.00")


@pytest.fixture
def fund_c(regions, root):
    return open_fund(TOWNSHIP_C, "700.00")


def make_application(household, *, status="approved", amount="100.00", program="temporary", region=VILLAGE_A1,
                     number=1, by=None):
    """An application created at ``status`` (the FSM field is protected: set at create
    time) with one instalment of ``amount``."""
    from assistance.models import Application, Instalment
    from workflows.temporary.models import TemporaryDetails

    application = Application.objects.create(
        household=household, applicant=household.members.order_by("pk").first(), region_code=region,
        program=program, cause="house fire",
        amount_requested=Decimal(amount), amount_approved=Decimal(amount) if status in ("approved", "paying") else None,
        status=status, created_by=by or household.created_by)
    if program == "temporary":
        TemporaryDetails.objects.create(case=application, kind="urgent")
    instalment = Instalment.objects.create(application=application, number=number, amount=Decimal(amount))
    return application, instalment


@pytest.fixture
def approved(household, alice):
    def make(amount="100.00", **kwargs):
        kwargs.setdefault("by", alice)
        return make_application(household, amount=amount, **kwargs)

    return make

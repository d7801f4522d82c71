"""The price subsidy: triggered by the month's CPI, paid once per covered person and month."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import TestCase

from core.errors import Conflict
from tests.conftest import make_staff
from workflows.rosters import services
from workflows.rosters.models import PRICE_SUBSIDY, PriceSubsidyRule, Roster, SubsidyRecipient

from .conftest import COUNTY, MONTH, enrolled

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(regions):
    return make_staff("ada", ["admin"], "370800000000")


@pytest.fixture
def rule(db):
    return PriceSubsidyRule.objects.create(scope="3708", effective_from=datetime.date(2026, 1, 1),
                                           per_person=Decimal("30.00"))


def record(user, cpi, food=None, month=MONTH):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.record_cpi(user, scope="3708", month=month, cpi_yoy=cpi, food_yoy=food)


def test_below_the_trigger_nothing_is_paid(admin_user, rule, in_payment):
    reading, rosters = record(admin_user, "3.4", "5.9")
    assert not reading.triggered and rosters == []
    assert not Roster.objects.filter(program=PRICE_SUBSIDY).exists()


def test_at_the_trigger_each_covered_person_is_paid_once(admin_user, fiona, alice, rule, in_payment, households):
    tekun = enrolled(households[11], "1131.00", program="tekun", people=1, by=alice)
    reading, rosters = record(admin_user, "3.5")
    assert reading.triggered
    roster = Roster.objects.get(program=PRICE_SUBSIDY, county_code=COUNTY, month=MONTH)
    assert [r.pk for r in rosters if r.county_code == COUNTY] == [roster.pk]
    # Ten couples and one tekun household of two: 22 people, 30.00 each.
    assert roster.line_count == 11 and roster.total == Decimal("660.00")
    line = roster.lines.get(application=tekun)
    assert line.amount == Decimal("60.00") and line.recipients.count() == 2
    # Regenerated, it pays nobody twice.
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.regenerate(fiona, roster)
    assert SubsidyRecipient.objects.filter(month=MONTH).count() == 22
    assert Roster.objects.get(pk=roster.pk).total == Decimal("660.00")
    with pytest.raises(Conflict):
        record(admin_user, "3.6")


def test_a_person_covered_twice_in_a_month_is_paid_once(admin_user, alice, rule, households):
    """A household with a 低保 case and a 特困 case (one member covered alone): its people
    are paid the subsidy once, whichever program's line pays them."""
    enrolled(households[0], "990.00", by=alice)
    enrolled(households[0], "1131.00", program="tekun", people=1, by=alice)
    record(admin_user, "4.1")
    roster = Roster.objects.get(program=PRICE_SUBSIDY, county_code=COUNTY)
    people = list(SubsidyRecipient.objects.filter(month=MONTH).values_list("person_id", flat=True))
    assert len(people) == len(set(people)) == 2
    assert roster.total == Decimal("60.00")


def test_the_food_index_alone_triggers_it(admin_user, rule, in_payment):
    reading, _rosters = record(admin_user, "2.0", "6.0")
    assert reading.triggered

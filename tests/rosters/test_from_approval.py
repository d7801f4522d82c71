"""A case walked through the whole 低保 flow and approved on the 20th is paid from the
next month: not on that month's roster, on the next one's, with the approved amount."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.test import TestCase

from tests.enrolment.conftest import (  # noqa: F401 - fixtures
    _calendar,
    cora,
    do,
    end_notice,
    open_case,
    poor_couple,
    reload,
    standards,
    walk_to_review,
)
from workflows.enrolment.benefits import schedule
from workflows.rosters import services
from workflows.rosters.models import Roster

from .conftest import COUNTY

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def roster_of(user, month):
    with TestCase.captureOnCommitCallbacks(execute=True):
        roster, _ = services.request_roster(user, county=COUNTY, program="dibao", month=month)
    return Roster.objects.get(pk=roster.pk)


def test_a_case_approved_on_the_20th_is_paid_from_the_next_month(alice, amy, cora, hana, carol, fiona,  # noqa: F811
                                                                  poor_couple):  # noqa: F811
    with time_machine.travel(datetime.datetime(2026, 10, 30, 9, 0, tzinfo=SHANGHAI), tick=False) as traveller:
        case = open_case(alice, poor_couple, "dibao")
        walk_to_review(case, alice, amy, cora, "dibao")
        do(hana, case, "township_review", decision="recommend", reason="经调查核实符合条件")
        traveller.move_to(datetime.datetime(2026, 11, 20, 15, 0, tzinfo=SHANGHAI))
        end_notice(case)
        do(carol, case, "county_confirm", decision="approve")
        case = reload(case)
        assert case.status == "approved" and case.amount_approved == Decimal("990.00")
        [start] = schedule(case.pk)
        assert (start.kind, start.month, start.monthly_amount) == ("start", datetime.date(2026, 12, 1),
                                                                   Decimal("990.00"))
        november = roster_of(fiona, datetime.date(2026, 11, 1))
        december = roster_of(fiona, datetime.date(2026, 12, 1))
    assert november.line_count == 0
    assert list(december.lines.values_list("application_id", "amount")) == [(case.pk, Decimal("990.00"))]

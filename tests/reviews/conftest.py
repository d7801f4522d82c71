"""Enrolled 低保 cases, approved through their real flow, for the ongoing-case tests.

The household is enrolment's poor couple (tests/enrolment/conftest.py): 孙守田 and 李桂英,
rural, in their seventies, 300.00 pension each and 150.00 from a plot: per capita 375.00
against 任城区's 870.00, 990.00 a month for two.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from assistance.models import Application
from deadlines.models import Deadline
from tests.enrolment.conftest import (  # noqa: F401 - fixtures and helpers
    _calendar,
    cora,
    do,
    henry,
    open_case,
    poor_couple,
    walk_to_confirmation,
)
from tests.means.conftest import income, standards  # noqa: F401 - fixtures
from workflows.enrolment import benefits


@pytest.fixture
def enrolled(alice, amy, hana, cora, carol, poor_couple):  # noqa: F811
    """The poor couple's 低保 case, approved by the county after the notice: 990.00 a month."""
    case = open_case(alice, poor_couple)
    walk_to_confirmation(case, "dibao", alice, amy, cora, hana)
    do(carol, case, "county_confirm", decision="approve", reason="经审核符合条件")
    case = Application.objects.get(pk=case.pk)
    assert case.status == "approved"
    return case


def members(case) -> dict:
    return {p.name: p for p in case.household.members.all()}


def reload(case) -> Application:
    return Application.objects.get(pk=case.pk)


def open_review_task(case) -> Deadline:
    return Deadline.objects.exclude(status="closed").get(application_id=case.pk, flow="review",
                                                         subject_type__model="task")


def today() -> datetime.date:
    return timezone.localdate()


def next_month() -> datetime.date:
    return benefits.following_month(today())


def earns(alice, case, name: str, amount: str, kind: str = "wage"):
    """A member of the household now earns ``amount`` a month (from today)."""
    return income(alice, case.household, members(case)[name], kind, amount, today().isoformat())

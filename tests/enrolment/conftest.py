"""Walking 低保 and 特困 cases through their flow as their staff would.

The households are shaped like the people these programs serve: an elderly couple on a
small rural pension and a plot, a widow with a disabled son, a man of 72 living alone.
Standards: 任城区 (370811) 1,050.00 urban / 870.00 rural from 2026 (tests/means/conftest.py).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from assistance import services
from core import programs
from deadlines.calendar_admin import load_year
from deadlines.models import Deadline
from tests.conftest import VILLAGE_A2, make_staff
from tests.means.conftest import family, income, person, standards  # noqa: F401 - fixtures
from workflows import engine


@pytest.fixture(autouse=True)
def _calendar(db, reference_data):
    load_year(2025)
    load_year(2026)


@pytest.fixture
def hugo(regions):
    """A second township head of township A: confirms where it is delegated (hana reviews)."""
    return make_staff("hugo", ["township_head"], "370811001000", last_name="何", first_name="勇")


@pytest.fixture
def cora(regions):
    """A second county reviewer: verifies, while carol confirms."""
    return make_staff("cora", ["county_reviewer"], "370811000000", last_name="曹", first_name="红")


def open_task(application, step: str) -> Deadline:
    return Deadline.objects.exclude(status="closed").get(application_id=application.pk, step=step,
                                                         subject_type__model="task")


def do(user, application, step: str, **fields):
    deadline = open_task(application, step)
    return engine.complete(user, deadline.subject_id, programs.step(deadline.flow, step).service, **fields)


def open_steps(application) -> list[str]:
    return sorted(Deadline.objects.exclude(status="closed").filter(application_id=application.pk,
                                                                   subject_type__model="task")
                  .values_list("step", flat=True))


CLEAR = {s: "clear" for s in ("registration", "tax", "social_insurance", "property", "vehicle", "business",
                              "deposit", "securities")}
SELF_CARING = dict.fromkeys(("eating", "dressing", "toileting", "transferring", "walking", "bathing"), True)


@pytest.fixture
def poor_couple(alice, standards):  # noqa: F811
    """A rural couple in their seventies: 300.00 pension each and 150.00 from a plot a month.
    Per capita 375.00 against 870.00: eligible, the gap is 990.00 for two."""
    household, people = family(alice, [person("孙守田", "1951-04-02", "head"),
                                       person("李桂英", "1953-09-17", "spouse", female=True)],
                               village=VILLAGE_A2, registration="rural", address="西关村3组12号")
    income(alice, household, people["孙守田"], "pension", "300.00", "2024-01-01")
    income(alice, household, people["李桂英"], "pension", "300.00", "2024-01-01")
    income(alice, household, None, "farming", "150.00", "2025-01-01")
    return household


def open_case(caseworker, household, program="dibao", **extra):
    return services.open_application(caseworker, household=household.pk, program=program,
                                     cause="年老体弱，收入不足", **extra)


def walk_to_review(case, alice, amy, cora, program="dibao"):
    do(alice, case, "intake", complete=True)
    fields = {"investigators": ["alice", "amy"], "findings": "两位老人务农，养老金微薄", "family_signed": True}
    if program == "tekun":
        fields["self_care"] = SELF_CARING
    do(amy, case, "investigate", **fields)
    do(cora, case, "verify", results=CLEAR, note="")


MONEY = Decimal
TODAY = datetime.date.today

"""Home-visit fixtures: a fixed clock, residents with conditions, plans and visits.

The clock stands at Wednesday 10 June 2026, 10:00 in Shanghai: this week's window is
8–14 June, this month's June, this quarter's April–June.
"""

from __future__ import annotations

import datetime
import importlib
import itertools
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import VILLAGE_A1, VILLAGE_B1

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 6, 10, 10, 0, tzinfo=SHANGHAI)
_SEQUENCE = itertools.count(101, 2)


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _defaults(db):
    """The default rules and deadline policies come from data migrations; a transactional
    test (the browser test) empties the tables, so put them back, as the migrations would."""
    from django.apps import apps

    from deadlines.calendar_admin import load_year

    for module in ("deadlines.migrations.0002_default_policies",
                   "visits.migrations.0002_default_rules_and_follow_up_policy"):
        importlib.import_module(module).load(apps, None)
    load_year(2026)


@pytest.fixture
def clock():
    import time_machine

    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def resident(by, *, born: datetime.date, conditions=(), region=VILLAGE_A1, name="赵老汉", disability=None,
             address="东关社区9号"):
    """A one-person household; ``disability`` is (kind, grade)."""
    from registry import services
    from registry.synthetic import make_id_number

    member = {"name": name, "id_number": make_id_number(region[:6], born, next(_SEQUENCE)), "relation": "head",
              "conditions": list(conditions)}
    if disability:
        member["disability_kind"], member["disability_grade"] = disability
    household = services.register_household(by, region=region, address=address, registration="rural",
                                            members=[member])
    return household.members.get()


def plan_of(person):
    from visits.models import VisitPlan

    return VisitPlan.objects.filter(person=person, active=True).first()


@pytest.fixture
def make_resident(alice):
    def make(**kwargs):
        kwargs.setdefault("by", alice)
        return resident(**kwargs)

    return make


@pytest.fixture
def elder(clock, alice):
    """88, living alone: high risk, weekly."""
    return resident(alice, born=datetime.date(1938, 3, 1), conditions=["living_alone"], name="钱奶奶")


@pytest.fixture
def outsider_elder(clock, bob):
    """High risk in township B: bob's, not alice's."""
    return resident(bob, born=datetime.date(1936, 1, 5), conditions=["bedridden"], region=VILLAGE_B1, name="孙大爷",
                    address="南苑村1号")


@pytest.fixture
def planned(clock, elder):
    """The elder's plan and this week's and next week's visits."""
    from visits import services

    services.recompute_plans()
    return plan_of(elder)


@pytest.fixture
def visit(planned):
    """This week's visit to the elder (8–14 June)."""
    from visits.models import Visit

    return Visit.objects.filter(plan=planned).order_by("window_start").first()



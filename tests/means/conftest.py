"""Households shaped like the people the means test serves, and the rows it reads.

Standards: the city (3708) keeps its seeded 1,000.00 urban / 820.00 rural from 2021;
county 任城区 (370811) has its own from 2026: 1,050.00 urban, 870.00 rural. Village A1
is urban, A2 rural (by the households registered there, as in the demo).
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest

from assistance.models import DibaoStandard
from means.models import MeansRule
from registry import services
from registry.synthetic import make_id_number

ON = datetime.date(2026, 3, 1)
COUNTY_FROM = datetime.date(2026, 1, 1)
_sequence = itertools.count(100)


@pytest.fixture
def standards(regions):
    for registration, amount in (("urban", "1050.00"), ("rural", "870.00")):
        DibaoStandard.objects.create(scope="370811", registration=registration, effective_from=COUNTY_FROM,
                                     monthly_amount=Decimal(amount))


def county_rule(**fields) -> MeansRule:
    """任城区's own means-test rule from 2026: the national defaults unless ``fields`` say otherwise."""
    values = {"work_cost": "none", "near_dibao_multiple": Decimal("1.50"), "tekun_multiple": Decimal("1.30"),
              "financial_asset_months": None, "max_vehicles": None, "max_houses": None}
    values.update(fields)
    return MeansRule.objects.create(scope="370811", effective_from=COUNTY_FROM, **values)


def person(name, born, relation, *, female=None, **extra) -> dict:
    born = datetime.date.fromisoformat(born)
    return {"name": name, "relation": relation, "id_number": make_id_number("370811", born, next(_sequence),
                                                                             female=female), **extra}


def family(actor, members, *, village, registration, address="东关社区1号"):
    """A household registered through the registry service; its members by name."""
    household = services.register_household(actor, region=village, address=address, registration=registration,
                                             members=members)
    return household, {p.name: p for p in household.members.all()}


def income(actor, household, member, kind, amount, start, end=None, note=""):
    return services.record_income(actor, household, member=member, kind=kind, monthly_amount=amount,
                                  start=datetime.date.fromisoformat(start),
                                  end=datetime.date.fromisoformat(end) if end else None, note=note)


def asset(actor, household, kind, value, as_of="2025-12-01", member=None, **extra):
    return services.record_asset(actor, household, kind=kind, value=value, member=member,
                                 as_of=datetime.date.fromisoformat(as_of), **extra)


def lines(result) -> list[tuple[str, str]]:
    return [(label, f"{amount:.2f}") for label, amount in result.lines]

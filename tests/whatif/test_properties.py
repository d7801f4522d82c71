"""Raising the standard never makes an eligible household ineligible and never lowers the
cost: over random households (the means test's own property strategies), enrolled as a
whole or not, and on the fixture city for any raise. Individual coverage is the one cliff
the rules make (a household that qualifies as a whole is never covered in part), pinned
in test_standard.py."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.means.test_properties import households, run
from workflows.whatif.standard import EnrolledCase, Tally, compare

raises = st.integers(min_value=0, max_value=100_000).map(lambda c: Decimal(c) / 100)
enrolment = st.sampled_from(["none", "approved", "gradual_exit"])


def tally_of(h, standard, status) -> Tally:
    """One household under its standard and under ``standard``."""
    now, new = run(h), run({**h, "standard": standard})
    cases = [] if status == "none" else [EnrolledCase(1, 1, status, None)]
    tally = Tally()
    compare(tally, now, new, cases, exit_months=6, paid={1: Decimal("100.00")})
    return tally


@settings(max_examples=400, deadline=None)
@given(h=households, raise_by=raises, status=enrolment)
def test_raising_never_makes_anyone_ineligible_nor_lowers_the_cost(h, raise_by, status):
    now = run(h)
    new = run({**h, "standard": h["standard"] + raise_by})
    assert not (now.eligible and not new.eligible)
    tally = tally_of(h, h["standard"] + raise_by, status)
    assert tally.no_longer_eligible == [0, 0] and tally.exits_caused == 0
    assert tally.monthly_change >= 0 and tally.yearly_change >= 0


@settings(max_examples=300, deadline=None)
@given(h=households, first=raises, second=raises, status=enrolment)
def test_a_larger_raise_costs_at_least_as_much(h, first, second, status):
    low, high = sorted((first, second))
    smaller = tally_of(h, h["standard"] + low, status)
    larger = tally_of(h, h["standard"] + high, status)
    assert larger.monthly_new >= smaller.monthly_new
    assert larger.yearly_change >= smaller.yearly_change
    assert larger.eligible_new[0] >= smaller.eligible_new[0]


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raise_by=st.integers(min_value=0, max_value=800))
def test_on_the_fixture_city_any_raise(ada, city, raise_by):
    """The whole what-if, for a raise of the rural and urban standards city-wide. The
    fixture is built once for all examples: the what-if writes nothing (test_standard.py),
    so each example finds it as it was."""
    from workflows.whatif import services
    from workflows.whatif.models import WhatIfRun

    from .conftest import CITY, the_day

    run_ = WhatIfRun(kind="standard", region_code=CITY, requested_by=ada,
                     params={"program": "dibao", "on": the_day().isoformat(), "urban": str(Decimal(1000 + raise_by)),
                             "rural": str(Decimal(820 + raise_by))})
    total = services.answer(run_).result["total"]
    assert total["no_longer_eligible"]["households"] == 0 and total["exits_caused"] == 0
    assert Decimal(total["monthly_change"]) >= 0 and Decimal(total["yearly_change"]) >= 0
    assert total["eligible_new"]["households"] >= total["eligible_now"]["households"]

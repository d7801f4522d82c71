"""A new township limit and a new amount band, on the temporary assistance decided in
the fixture city (tests/whatif/conftest.py: temporary_cases), counted by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workflows.whatif import services
from workflows.whatif.models import Change, RunStatus, WhatIfRun

from .checksums import OWN_TABLES, snapshot
from .conftest import CITY, COUNTY, COUNTY_2

pytestmark = pytest.mark.django_db


def ask(user, capture, kind, region=CITY, **fields) -> WhatIfRun:
    with capture(execute=True):
        run = services.request_run(user, kind=kind, region=region, **fields)
    return WhatIfRun.objects.get(pk=run.pk)


def by_code(run) -> dict:
    return {c["code"]: c for c in run.result["counties"]}


def changes(run) -> list[tuple]:
    return sorted((r.change, r.application_id, r.amount_now, r.amount_new) for r in run.rows.all())


def test_a_lower_township_limit(ada, temporary_cases, django_capture_on_commit_callbacks):
    t = temporary_cases
    before = snapshot(exclude=OWN_TABLES)
    run = ask(ada, django_capture_on_commit_callbacks, "township_limit", limit="2000")
    assert run.status == RunStatus.DONE
    rencheng, yanzhou = by_code(run)[COUNTY], by_code(run)[COUNTY_2]
    assert rencheng["limit_now"] == "3000.00" and run.result["limit"] == "2000.00"
    # T1–T5 in the last twelve months (T6 is older); T7 was an urgent payment, not decided yet.
    assert rencheng["decided"] == {"count": 5, "amount": "9800.00"}
    assert rencheng["by_township"] == {"count": 2, "amount": "4000.00"}
    assert rencheng["by_county"] == {"count": 3, "amount": "5800.00"}
    # T1's 2,500 would have gone to the county; T4's 1,800 would not have (T5 is a staff
    # relative's: the county's whatever the amount; T3's 2,800 stays above the limit).
    assert rencheng["needs_county"] == {"count": 1, "amount": "2500.00"}
    assert rencheng["township_enough"] == {"count": 1, "amount": "1800.00"}
    assert rencheng["pay_first_above"] == {"count": 1, "amount": "2500.00"}
    assert yanzhou["decided"] == {"count": 2, "amount": "12000.00"}
    assert yanzhou["needs_county"] == {"count": 1, "amount": "3000.00"}
    assert yanzhou["township_enough"] == {"count": 0, "amount": "0.00"}
    assert run.result["total"]["needs_county"] == {"count": 2, "amount": "5500.00"}
    limit = Decimal("2000.00")
    assert changes(run) == sorted([
        (Change.NEEDS_COUNTY, t["T1"].pk, Decimal("2500.00"), limit),
        (Change.TOWNSHIP_ENOUGH, t["T4"].pk, Decimal("1800.00"), limit),
        (Change.PAY_FIRST_ABOVE, t["T7"].pk, Decimal("2500.00"), limit),
        (Change.NEEDS_COUNTY, t["T8"].pk, Decimal("3000.00"), limit),
    ])
    assert snapshot(exclude=OWN_TABLES) == before


def test_a_higher_township_limit_for_one_county(ada, temporary_cases, django_capture_on_commit_callbacks):
    t = temporary_cases
    run = ask(ada, django_capture_on_commit_callbacks, "township_limit", region=COUNTY, limit="5000")
    (rencheng,) = run.result["counties"]
    # Under 5,000 the county approved T3 and T4 for nothing; T5 is a staff relative's.
    assert rencheng["township_enough"] == {"count": 2, "amount": "4600.00"}
    assert rencheng["needs_county"] == {"count": 0, "amount": "0.00"}
    assert rencheng["pay_first_above"] == {"count": 0, "amount": "0.00"}
    assert sorted(r.application_id for r in run.rows.all()) == sorted([t["T3"].pk, t["T4"].pk])


def test_a_new_band_for_major_illness(ada, temporary_cases, django_capture_on_commit_callbacks):
    t = temporary_cases
    run = ask(ada, django_capture_on_commit_callbacks, "band", cause_category="major_illness", min_multiple="4",
              max_multiple="10")
    rencheng, yanzhou = by_code(run)[COUNTY], by_code(run)[COUNTY_2]
    # Rural households: 4 × 820 = 3,280 to 10 × 820 = 8,200; urban (T4): 4,000 to 10,000.
    assert rencheng["decided"] == {"count": 3, "amount": "7100.00"}
    assert rencheng["below"] == {"count": 3, "amount": "7100.00"}
    assert rencheng["shortfall"] == "3460.00"  # 780 + 480 + 2,200
    assert rencheng["above"] == {"count": 0, "amount": "0.00"}
    assert yanzhou["above"] == {"count": 1, "amount": "9000.00"} and yanzhou["excess"] == "800.00"
    assert changes(run) == sorted([
        (Change.BELOW_BAND, t["T1"].pk, Decimal("2500.00"), Decimal("3280.00")),
        (Change.BELOW_BAND, t["T3"].pk, Decimal("2800.00"), Decimal("3280.00")),
        (Change.BELOW_BAND, t["T4"].pk, Decimal("1800.00"), Decimal("4000.00")),
        (Change.ABOVE_BAND, t["T9"].pk, Decimal("9000.00"), Decimal("8200.00")),
    ])


def test_a_band_with_a_ceiling_in_yuan_only(ada, temporary_cases, django_capture_on_commit_callbacks):
    run = ask(ada, django_capture_on_commit_callbacks, "band", cause_category="school", max_amount="2000")
    # School: T2's 1,500 fits; T8's 3,000 is 1,000 above.
    assert run.result["total"]["above"] == {"count": 1, "amount": "3000.00"}
    assert run.result["total"]["excess"] == "1000.00" and run.result["total"]["below"]["count"] == 0

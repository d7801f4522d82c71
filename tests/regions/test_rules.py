"""One resolver for rows versioned by region and date (regions.rules), and the three
kinds of rules that read through it: temporary-assistance rules, deadline policies and
visit tiers."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from regions.rules import in_force, pick
from tests.conftest import VILLAGE_A1

ON = datetime.date(2026, 6, 1)
# (scope, effective_from): the county's city has its own version from 2022; the province
# changed in 2025 and the nation in 2024, but the city's is more local; the county's own
# takes effect only in 2030, and the county next door's does not apply here.
LAYOUT = [("", datetime.date(2024, 1, 1)), ("37", datetime.date(2025, 1, 1)), ("3708", datetime.date(2022, 1, 1)),
          ("370811", datetime.date(2030, 1, 1)), ("370812", datetime.date(2023, 1, 1))]
EXPECTED = ("3708", datetime.date(2022, 1, 1))


def row(scope, day, **extra):
    return SimpleNamespace(scope=scope, effective_from=day, **extra)


def key(found):
    return (found.scope, found.effective_from)


def test_the_most_local_scope_wins_over_a_newer_wider_one():
    assert key(pick([row(*r) for r in LAYOUT], VILLAGE_A1, ON)) == EXPECTED


def test_within_a_scope_the_newest_version_in_force_wins():
    rows = [row("3708", datetime.date(2021, 1, 1)), row("3708", datetime.date(2026, 6, 1)),
            row("3708", datetime.date(2026, 6, 2))]
    assert pick(rows, VILLAGE_A1, ON).effective_from == datetime.date(2026, 6, 1)


def test_nothing_in_force_is_none():
    assert pick([row("370812", datetime.date(2020, 1, 1)), row("", datetime.date(2027, 1, 1))], VILLAGE_A1, ON) is None


def test_the_callers_tie_break_comes_before_the_date_not_before_the_scope():
    rows = [row("3708", datetime.date(2025, 1, 1), program=""), row("3708", datetime.date(2021, 1, 1), program="dibao"),
            row("37", datetime.date(2021, 1, 1), program="tekun")]
    found = pick(rows, VILLAGE_A1, ON, prefer=lambda r: bool(r.program))
    assert found.program == "dibao"


def test_a_full_tie_goes_to_the_first_row():
    first, second = row("37", datetime.date(2021, 1, 1), n=1), row("37", datetime.date(2021, 1, 1), n=2)
    assert pick([first, second], VILLAGE_A1, ON).n == 1


@pytest.mark.django_db
def test_in_force_reads_a_queryset(reference_data):
    from workflows.temporary.models import AssistanceRule

    for n, (scope, day) in enumerate(LAYOUT):
        AssistanceRule.objects.create(scope=scope, effective_from=day, township_limit=Decimal(1000 + n))
    assert key(in_force(AssistanceRule.objects.all(), VILLAGE_A1, ON)) == EXPECTED


@pytest.mark.django_db
def test_assistance_rules_deadline_policies_and_visit_tiers_agree(reference_data):
    from deadlines.models import SlaPolicy
    from deadlines.policies import find_policy
    from visits.models import TierRule
    from visits.rules import RuleBook
    from workflows.temporary.models import AssistanceRule
    from workflows.temporary.rules import assistance_rule

    for n, (scope, day) in enumerate(LAYOUT):
        AssistanceRule.objects.create(scope=scope, effective_from=day, township_limit=Decimal(1000 + n))
        SlaPolicy.objects.create(flow="test", step="check", scope=scope, effective_from=day, duration=n + 1,
                                 unit="working_days")
        TierRule.objects.create(code="test-rule", name=f"v{n}", scope=scope, effective_from=day, tier="general",
                                period="quarter", min_age=60)
    assert key(assistance_rule(VILLAGE_A1, ON)) == EXPECTED
    assert key(find_policy("test", "check", region_code=VILLAGE_A1, on=ON)) == EXPECTED
    (tier,) = [r for r in RuleBook(ON).rules_for(VILLAGE_A1) if r.code == "test-rule"]
    assert key(tier) == EXPECTED

    # A program's own deadline policy beats the general one of its scope, however old.
    SlaPolicy.objects.create(flow="test", step="check", program="dibao", scope="3708",
                             effective_from=datetime.date(2020, 1, 1), duration=9, unit="working_days")
    assert find_policy("test", "check", program="dibao", region_code=VILLAGE_A1, on=ON).duration == 9
    assert find_policy("test", "check", program="tekun", region_code=VILLAGE_A1, on=ON).duration == 3

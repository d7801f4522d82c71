"""A rule book given hypothetical dibao standards: they are read as stored rows would be
(most local scope first, then newest; one with a stored row's scope, registration and
date takes its place), nothing is written, and the batch test answers under them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from assistance.models import DibaoStandard
from means.services import RuleBook, household_facts, means_test_many
from registry.models import Household
from tests.conftest import VILLAGE_A1, VILLAGE_A2

from .conftest import COUNTY_FROM, ON, family, income, person

pytestmark = pytest.mark.django_db


def row(scope, registration, amount, effective_from=COUNTY_FROM) -> DibaoStandard:
    return DibaoStandard(scope=scope, registration=registration, effective_from=effective_from,
                         monthly_amount=Decimal(amount))


def test_a_hypothetical_row_is_picked_as_a_stored_one_would_be(standards):
    stored = DibaoStandard.objects.count()
    # The county's own 870.00 rural from 2026 (tests/means/conftest.py) gives way to 900.00 from March.
    book = RuleBook(ON, standards=[row("370811", "rural", "900.00", ON)])
    assert book.standard(VILLAGE_A2, "rural") == Decimal("900.00")
    assert book.standard(VILLAGE_A2, "urban") == Decimal("1050.00")  # untouched
    # A city-wide row loses to the county's own, as a saved one would.
    book = RuleBook(ON, standards=[row("3708", "rural", "900.00", ON)])
    assert book.standard(VILLAGE_A2, "rural") == Decimal("870.00")
    assert book.standard("370812001001", "rural") == Decimal("900.00")
    # Same scope, registration and date as a stored row: it takes that row's place.
    book = RuleBook(ON, standards=[row("370811", "rural", "700.00")])
    assert book.standard(VILLAGE_A2, "rural") == Decimal("700.00")
    # Not yet in force on the day asked about: not read.
    book = RuleBook(ON, standards=[row("370811", "rural", "900.00", datetime.date(2026, 4, 1))])
    assert book.standard(VILLAGE_A2, "rural") == Decimal("870.00")
    assert DibaoStandard.objects.count() == stored


def test_the_batch_test_under_a_hypothetical_standard(alice, standards):
    household, people = family(alice, [person("钱守义", "1948-02-02", "head")], village=VILLAGE_A2,
                               registration="rural")
    income(alice, household, people["钱守义"], "pension", "880.00", "2024-01-01")
    urban, _people = family(alice, [person("孙丽", "1950-03-03", "head", female=True)], village=VILLAGE_A1,
                            registration="urban")
    households = Household.objects.order_by("pk")
    (now_rural, now_urban) = list(means_test_many(households, "dibao", ON))
    assert not now_rural.eligible and now_urban.monthly_amount == Decimal("1050.00")
    book = RuleBook(ON, standards=[row("370811", "rural", "950.00", ON)])
    (new_rural, new_urban) = list(means_test_many(households, "dibao", ON, book=book))
    assert new_rural.eligible and new_rural.monthly_amount == Decimal("70.00")
    assert new_urban == now_urban
    # The facts are read once and may be tested under both books.
    (facts, _other) = list(household_facts(households, ON))
    assert facts.test("dibao", book) == new_rural and facts.test("dibao", RuleBook(ON)) == now_rural
    with pytest.raises(ValueError, match="rule book"):
        list(means_test_many(households, "dibao", datetime.date(2026, 6, 1), book=book))
    assert DibaoStandard.objects.filter(monthly_amount=Decimal("950.00")).count() == 0

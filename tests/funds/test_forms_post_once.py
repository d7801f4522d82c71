"""The attack: the web allocation form had no idempotency; three identical POSTs (a
double click, a resent request, the back button) made three ledger entries. Now each
rendering of the fund page's money forms carries its own key, and the ledger's unique
idempotency key records one entry per rendering, whoever sends it how often."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from funds.models import EntryKind, LedgerEntry, ReserveFund

pytestmark = pytest.mark.django_db


def rendered_key(client, fund, form_id) -> str:
    page = client.get(reverse("fund_detail", args=[fund.pk])).content.decode()
    section = page[page.index(f'id="{form_id}"'):]
    return re.search(r'name="once" value="([0-9a-f-]+)"', section).group(1)


def test_the_same_allocation_form_three_times_is_one_entry(as_user, fiona, fund_a):
    client = as_user(fiona)
    data = {"once": rendered_key(client, fund_a, "allocate"), "amount": "500.00", "reference": "任财拨〔2026〕7号"}
    responses = [client.post(reverse("fund_allocate", args=[fund_a.pk]), data) for _ in range(3)]
    assert [r.status_code for r in responses] == [302, 302, 302]
    assert LedgerEntry.objects.filter(fund=fund_a, kind=EntryKind.ALLOCATION, reference="任财拨〔2026〕7号").count() == 1
    assert ReserveFund.objects.get(pk=fund_a.pk).balance == Decimal("1500.00")
    # The page after it offers a new form, with a new key: a second allocation is possible.
    assert rendered_key(client, fund_a, "allocate") != data["once"]


def test_the_same_adjustment_form_twice_is_one_entry(as_user, fiona, fund_a):
    client = as_user(fiona)
    data = {"once": rendered_key(client, fund_a, "adjust"), "amount": "-0.50", "reason": "bank charge"}
    for _ in range(2):
        client.post(reverse("fund_adjust", args=[fund_a.pk]), data)
    assert LedgerEntry.objects.filter(fund=fund_a, kind=EntryKind.ADJUSTMENT).count() == 1
    assert ReserveFund.objects.get(pk=fund_a.pk).balance == Decimal("999.50")


def test_two_renderings_are_two_allocations(as_user, fiona, fund_a):
    client = as_user(fiona)
    for _ in range(2):
        data = {"once": rendered_key(client, fund_a, "allocate"), "amount": "100.00", "reference": "v"}
        assert client.post(reverse("fund_allocate", args=[fund_a.pk]), data).status_code == 302
    assert ReserveFund.objects.get(pk=fund_a.pk).balance == Decimal("1200.00")


def test_a_form_without_its_key_records_nothing(as_user, fiona, fund_a):
    response = as_user(fiona).post(reverse("fund_allocate", args=[fund_a.pk]), {"amount": "100.00", "reference": "v"})
    assert response.status_code == 400
    assert ReserveFund.objects.get(pk=fund_a.pk).balance == Decimal("1000.00")

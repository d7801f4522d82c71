"""One money field: every column holds what core.money.parse_amount accepts, and the API
and the pages read amounts with the same rules and messages (core.money)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import translation
from rest_framework import serializers
from rest_framework.test import APIClient

from core.errors import InvalidInput
from core.money import MAX_AMOUNT, MONEY_FIELD, AmountApiField, AmountFormField, parse_amount

# Decimal columns with two places that are not yuan.
NOT_MONEY = {"temporary.AmountBand.min_multiple", "temporary.AmountBand.max_multiple",  # multiples, not yuan
             "means.MeansRule.near_dibao_multiple", "means.MeansRule.tekun_multiple",
             # percentages: the price index and its triggers
             "rosters.PriceSubsidyRule.cpi_trigger", "rosters.PriceSubsidyRule.food_trigger",
             "rosters.CpiReading.cpi_yoy", "rosters.CpiReading.food_yoy"}
LARGEST = "999999999999.99"
TOO_LARGE = "1000000000000.00"


def money_columns():
    return [(f"{m._meta.label}.{f.name}", f) for m in apps.get_models() for f in m._meta.concrete_fields
            if isinstance(f, models.DecimalField) and f.decimal_places == 2
            and f"{m._meta.label}.{f.name}" not in NOT_MONEY]


def test_every_money_column_is_the_one_money_column():
    columns = money_columns()
    assert len(columns) > 20
    assert {name: (f.max_digits, f.decimal_places) for name, f in columns} == {
        name: (MONEY_FIELD["max_digits"], MONEY_FIELD["decimal_places"]) for name, _f in columns}


@pytest.mark.parametrize(("name", "field"), money_columns())
def test_every_money_column_holds_the_largest_amount_parse_amount_accepts(name, field):
    assert parse_amount(LARGEST) == MAX_AMOUNT
    field.run_validators(MAX_AMOUNT)  # the column's own digit check: raises when it cannot hold it
    with pytest.raises(InvalidInput):
        parse_amount(TOO_LARGE)


class Input(serializers.Serializer):
    amount = AmountApiField()
    change = AmountApiField(signed=True, required=False)
    limit = AmountApiField(allow_zero=True, required=False)


class Form(forms.Form):
    amount = AmountFormField()
    change = AmountFormField(signed=True, required=False)
    limit = AmountFormField(allow_zero=True, required=False)


@pytest.mark.parametrize("value", ["12.345", "-5", "0", "abc", TOO_LARGE, "NaN", "1e400"])
def test_the_api_and_the_pages_refuse_the_same_amounts_with_the_same_words(value):
    with translation.override("en"):
        api = Input(data={"amount": value})
        assert not api.is_valid()
        page = Form(data={"amount": value})
        assert not page.is_valid()
        assert [str(m) for m in api.errors["amount"]] == page.errors["amount"]


def test_the_options_of_adjustments_and_limits():
    api = Input(data={"amount": "800", "change": "-0.50", "limit": "0"})
    assert api.is_valid(), api.errors
    assert api.validated_data == {"amount": Decimal("800.00"), "change": Decimal("-0.50"), "limit": Decimal("0.00")}
    page = Form(data={"amount": "1,200.00", "change": "-0.50", "limit": "0"})
    assert page.is_valid(), page.errors
    assert page.cleaned_data == {"amount": Decimal("1200.00"), "change": Decimal("-0.50"), "limit": Decimal("0.00")}
    assert not Input(data={"amount": "1", "change": "0"}).is_valid()
    assert AmountApiField(read_only=True).to_representation(Decimal("5")) == "5.00"


@pytest.mark.django_db
def test_the_largest_amount_is_stored_and_a_larger_one_is_a_400_naming_the_field(alice, household):
    from assistance.models import Application

    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(alice)
    body = {"household": household.pk, "program": "temporary", "kind": "expense", "cause": "住院自付费用"}
    response = client.post("/api/v1/applications/", {**body, "amount_requested": TOO_LARGE}, format="json")
    assert response.status_code == 400
    assert response.json() == {"amount_requested": ["The amount is too large: at most 999,999,999,999.99 yuan."]}
    response = client.post("/api/v1/applications/", {**body, "amount_requested": LARGEST}, format="json")
    assert response.status_code == 201, response.json()
    assert Application.objects.get(pk=response.json()["id"]).amount_requested == MAX_AMOUNT


@pytest.mark.django_db
def test_the_case_page_stores_the_largest_amount_too(as_user, alice, household):
    from assistance.models import Application
    from tests.web.test_cases import application_post

    response = as_user(alice).post(reverse("application_create", args=[household.pk]),
                                   application_post(household, amount_requested=LARGEST))
    assert response.status_code == 302
    assert Application.objects.get().amount_requested == MAX_AMOUNT

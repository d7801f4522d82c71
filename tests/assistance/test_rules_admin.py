"""Temporary assistance's rules are kept in the admin like every rule per region and date:
a new row (a county's own township limit from next month) is added and audited and is
what the cases read from its date; a row in effect is history and stays as it is."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from tests.conftest import VILLAGE_A1
from workflows.temporary.models import AmountBand, AssistanceRule
from workflows.temporary.rules import amount_limits, assistance_rule

pytestmark = pytest.mark.django_db


def test_a_county_gets_its_own_township_limit_from_a_date(client, root, reference_data):
    client.force_login(root)
    day = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post("/admin/temporary/assistancerule/add/", {
        "scope": "370811", "effective_from": day.isoformat(), "township_limit": "5000.00",
        "repeat_period_days": "180", "max_instalments": "3"})
    assert response.status_code == 302, response.content.decode()[:1500]
    rule = AssistanceRule.objects.get(scope="370811")
    assert AuditEvent.objects.filter(event="temporary.rule.created", object_id=str(rule.pk)).exists()
    assert assistance_rule(VILLAGE_A1).township_limit == Decimal("3000.00")  # Shandong's, until that day
    assert assistance_rule(VILLAGE_A1, on=day).township_limit == Decimal("5000.00")


def test_a_rule_in_effect_is_history(client, root, reference_data):
    client.force_login(root)
    shandong = AssistanceRule.objects.get(scope="37")
    page = client.get(f"/admin/temporary/assistancerule/{shandong.pk}/change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.post(f"/admin/temporary/assistancerule/{shandong.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AssistanceRule.objects.filter(pk=shandong.pk, township_limit=Decimal("3000.00")).exists()


def test_an_amount_band_is_added(client, root, reference_data):
    client.force_login(root)
    day = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post("/admin/temporary/amountband/add/", {
        "scope": "3708", "cause_category": "school", "effective_from": day.isoformat(),
        "min_multiple": "2.00", "max_multiple": "4.00", "max_amount": ""})
    assert response.status_code == 302, response.content.decode()[:1500]
    assert AmountBand.objects.filter(scope="3708", cause_category="school").exists()
    low, high = amount_limits(VILLAGE_A1, "urban", "school", on=day)
    assert (low, high) == (Decimal("2000.00"), Decimal("4000.00"))  # × the urban standard of 1,000


def test_a_caseworker_has_no_way_in(client, alice):
    client.force_login(alice)
    assert client.get("/admin/temporary/assistancerule/").status_code in (302, 403)

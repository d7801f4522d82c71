"""Administrators keep the means-test rules and the dibao standards as rows per region
and date: a new row is added and audited; a row in effect is history and stays as it is."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from assistance.models import DibaoStandard
from audit.models import AuditEvent
from means.models import MeansRule

pytestmark = pytest.mark.django_db

RULE_FORM = {"scope": "370811", "work_cost": "wage_share", "work_cost_share": "0.5", "work_cost_amount": "",
             "near_dibao_multiple": "1.50", "tekun_multiple": "1.30", "financial_asset_months": "24",
             "max_vehicles": "1", "max_houses": "1", "individual_max_grade": "2", "individual_max_grade_mental": "3"}


def test_a_new_rule_is_added_and_audited(client, root):
    client.force_login(root)
    day = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post("/admin/means/meansrule/add/", {**RULE_FORM, "effective_from": day.isoformat()})
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = MeansRule.objects.get(scope="370811")
    assert rule.work_cost_share == 0.5 and rule.financial_asset_months == 24
    assert AuditEvent.objects.filter(event="means.rule.created", object_id=str(rule.pk)).exists()
    # Not in effect yet: it may still be corrected.
    assert client.get(f"/admin/means/meansrule/{rule.pk}/change/").context["has_change_permission"]


def test_a_share_is_needed_for_a_share_deduction(client, root):
    client.force_login(root)
    response = client.post("/admin/means/meansrule/add/", {**RULE_FORM, "work_cost_share": "",
                                                            "effective_from": "2030-01-01"})
    assert response.status_code == 200 and not MeansRule.objects.filter(scope="370811").exists()
    assert response.context["adminform"].form.errors["work_cost_share"]


def test_a_bad_scope_is_refused(client, root):
    client.force_login(root)
    response = client.post("/admin/means/meansrule/add/", {**RULE_FORM, "scope": "3708111",
                                                            "effective_from": "2030-01-01"})
    assert response.status_code == 200 and not MeansRule.objects.filter(scope="3708111").exists()


def test_a_rule_in_effect_is_history(client, root):
    client.force_login(root)
    seeded = MeansRule.objects.get(scope="")  # the national defaults, from 2021
    page = client.get(f"/admin/means/meansrule/{seeded.pk}/change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]
    response = client.post(f"/admin/means/meansrule/{seeded.pk}/change/", {**RULE_FORM, "scope": "",
                                                                           "effective_from": "2021-01-01"})
    assert response.status_code == 403
    assert client.post(f"/admin/means/meansrule/{seeded.pk}/delete/", {"post": "yes"}).status_code == 403
    seeded.refresh_from_db()
    assert seeded.work_cost == "none"


def test_the_list_is_the_history_by_scope_and_date(client, root):
    client.force_login(root)
    MeansRule.objects.create(scope="370811", effective_from=datetime.date(2024, 1, 1))
    MeansRule.objects.create(scope="370811", effective_from=datetime.date(2026, 1, 1))
    listed = list(client.get("/admin/means/meansrule/").context["cl"].result_list)
    assert [(r.scope, r.effective_from.year) for r in listed] == [("", 2021), ("370811", 2026), ("370811", 2024)]


def test_dibao_standards_are_kept_the_same_way(client, root):
    client.force_login(root)
    response = client.post("/admin/assistance/dibaostandard/add/", {
        "scope": "370811", "registration": "rural", "effective_from": "2030-01-01", "monthly_amount": "950.00"})
    assert response.status_code == 302
    row = DibaoStandard.objects.get(scope="370811")
    assert AuditEvent.objects.filter(event="assistance.dibao_standard.created", object_id=str(row.pk)).exists()
    seeded = DibaoStandard.objects.filter(scope="3708").first()
    assert client.post(f"/admin/assistance/dibaostandard/{seeded.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_caseworker_has_no_way_in(client, alice):
    client.force_login(alice)
    assert client.get("/admin/means/meansrule/").status_code in (302, 403)

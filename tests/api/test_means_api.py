"""API.md "Version 1 additions": a household's incomes, assets and means test, with an
outsider (404) and a wrong role (403) for every endpoint."""

from __future__ import annotations

import datetime

import pytest

from api.means import MeansTestSerializer
from audit.models import AuditEvent
from registry import services
from registry.models import Asset, Income
from tests.conftest import register_households

from .test_registry_api import client_for

pytestmark = pytest.mark.django_db

MEANS_FIELDS = {"program", "on", "standard", "members", "counted_income", "exempt_income", "deductions",
                "per_capita_income", "assets_ok", "eligible", "near_dibao", "monthly_amount", "lines", "reasons"}


def url(household, what):
    return f"/api/v1/households/{household.pk}/{what}/"


def members(household):
    return list(household.members.order_by("pk"))


class TestIncomes:
    def test_record_and_list(self, alice, household):
        head, spouse = members(household)
        client = client_for(alice)
        response = client.post(url(household, "incomes"), {
            "member": head.pk, "kind": "pension", "monthly_amount": "1200.00", "start": "2024-01-01", "end": None,
            "note": "企业职工基本养老保险"}, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["member"] == head.pk and body["monthly_amount"] == "1200.00" and body["counted"] is True
        assert (body["start"], body["end"], body["note"]) == ("2024-01-01", None, "企业职工基本养老保险")
        assert AuditEvent.objects.filter(event="registry.income.recorded", object_id=str(body["id"])).exists()

        # A change: a new row; the old one ends the day before, its amount unchanged.
        client.post(url(household, "incomes"), {"member": head.pk, "kind": "pension", "monthly_amount": 1250.5,
                                                "start": "2026-01-01"}, format="json")
        client.post(url(household, "incomes"), {"member": spouse.pk, "kind": "scholarship",
                                                "monthly_amount": "0", "start": "2026-01-01"}, format="json")
        listed = client.get(url(household, "incomes")).json()
        assert listed["count"] == 3 and set(listed) == {"count", "next", "previous", "results"}
        by_id = {r["id"]: r for r in listed["results"]}
        assert by_id[body["id"]]["end"] == "2025-12-31" and by_id[body["id"]]["monthly_amount"] == "1200.00"
        assert sorted(r["monthly_amount"] for r in listed["results"]) == ["0.00", "1200.00", "1250.50"]
        assert [r["counted"] for r in listed["results"] if r["kind"] == "scholarship"] == [False]

    def test_a_household_row_has_a_null_member(self, alice, household):
        response = client_for(alice).post(url(household, "incomes"), {
            "member": None, "kind": "farming", "monthly_amount": "900.00", "start": "2025-01-01"}, format="json")
        assert response.status_code == 201 and response.json()["member"] is None

    @pytest.mark.parametrize(("change", "field"), [
        ({"monthly_amount": "12.345"}, "monthly_amount"),
        ({"monthly_amount": "-1.00"}, "monthly_amount"),
        ({"monthly_amount": "many"}, "monthly_amount"),
        ({"monthly_amount": None}, "monthly_amount"),
        ({"kind": "lottery"}, "kind"),
        ({"start": "2026-02-30"}, "start"),
        ({"end": "2023-01-01"}, "end"),
        ({"member": 999999}, "member"),
    ])
    def test_bad_input_is_400_naming_the_field(self, alice, household, change, field):
        body = {"member": None, "kind": "pension", "monthly_amount": "100.00", "start": "2024-01-01", **change}
        response = client_for(alice).post(url(household, "incomes"), body, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert not Income.objects.exists()

    def test_a_member_of_another_household_is_400(self, alice, household):
        register_households(alice, 1)
        stranger = household.__class__.objects.exclude(pk=household.pk).get().members.first()
        response = client_for(alice).post(url(household, "incomes"), {
            "member": stranger.pk, "kind": "pension", "monthly_amount": "1.00", "start": "2024-01-01"}, format="json")
        assert response.status_code == 400 and "member" in response.json()

    def test_outsider_404(self, bob, household):
        client = client_for(bob)
        assert client.get(url(household, "incomes")).status_code == 404
        response = client.post(url(household, "incomes"), {"kind": "pension", "monthly_amount": "1.00",
                                                           "start": "2024-01-01"}, format="json")
        assert response.status_code == 404
        assert not Income.objects.exists()

    def test_wrong_role_403(self, carol, sam, household):
        # The county reviewer reads incomes but does not record them; the supervisor does neither.
        assert client_for(carol).get(url(household, "incomes")).status_code == 200
        response = client_for(carol).post(url(household, "incomes"), {
            "kind": "pension", "monthly_amount": "1.00", "start": "2024-01-01"}, format="json")
        assert response.status_code == 403
        assert client_for(sam).get(url(household, "incomes")).status_code == 403
        assert client_for(sam).head(url(household, "incomes")).status_code == 403
        assert not Income.objects.exists()


class TestAssets:
    def test_record_and_list(self, alice, household):
        client = client_for(alice)
        response = client.post(url(household, "assets"), {"kind": "deposit", "value": "8000.00",
                                                          "note": "农商银行存款"}, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["kind"], body["value"], body["note"], body["member"]) == ("deposit", "8000.00", "农商银行存款",
                                                                             None)
        assert body["as_of"]  # today by default
        assert AuditEvent.objects.filter(event="registry.asset.recorded", object_id=str(body["id"])).exists()
        assert client.get(url(household, "assets")).json()["count"] == 1

    @pytest.mark.parametrize(("change", "field"), [
        ({"value": "1.001"}, "value"), ({"value": "-3"}, "value"), ({"kind": "gold"}, "kind"),
        ({"as_of": "2999-01-01"}, "as_of"), ({"replaces": 424242}, "replaces"),
    ])
    def test_bad_input_is_400_naming_the_field(self, alice, household, change, field):
        body = {"kind": "house", "value": "100000.00", "note": "", **change}
        response = client_for(alice).post(url(household, "assets"), body, format="json")
        assert response.status_code == 400 and field in response.json()
        assert not Asset.objects.exists()

    def test_outsider_404_and_wrong_role_403(self, bob, carol, sam, household):
        body = {"kind": "house", "value": "100000.00", "note": ""}
        assert client_for(bob).get(url(household, "assets")).status_code == 404
        assert client_for(bob).post(url(household, "assets"), body, format="json").status_code == 404
        assert client_for(carol).post(url(household, "assets"), body, format="json").status_code == 403
        assert client_for(sam).get(url(household, "assets")).status_code == 403
        assert not Asset.objects.exists()


class TestMeansTest:
    def test_the_answer_has_the_contracts_fields_and_shows_its_working(self, alice, household):
        head, spouse = members(household)
        services.record_income(alice, household, member=head, kind="pension", monthly_amount="350.00",
                               start=datetime.date(2024, 1, 1))
        services.record_income(alice, household, member=spouse, kind="assistance", monthly_amount="120.00",
                               start=datetime.date(2024, 1, 1))
        response = client_for(alice).get(url(household, "means-test") + "?program=dibao&on=2026-03-01")
        assert response.status_code == 200
        body = response.json()
        assert MEANS_FIELDS <= set(body)
        assert set(body) == set(MeansTestSerializer().fields)  # the schema says what is sent
        # 济宁市 urban standard 1,000.00; 350.00 counted ÷ 2 = 175.00; (1,000.00 − 175.00) × 2 = 1,650.00.
        assert (body["program"], body["on"], body["standard"], body["members"]) == ("dibao", "2026-03-01",
                                                                                    "1000.00", 2)
        assert (body["counted_income"], body["exempt_income"], body["deductions"]) == ("350.00", "120.00", "0.00")
        assert (body["per_capita_income"], body["monthly_amount"]) == ("175.00", "1650.00")
        assert body["eligible"] is True and body["near_dibao"] is False and body["assets_ok"] is True
        assert body["lines"][0] == {"label": "Dibao standard (Urban registration), per person a month",
                                    "amount": "1000.00"}
        assert {"label": "Monthly amount: (1,000.00 − 175.00) × household size 2", "amount": "1650.00"} in body[
            "lines"]
        assert "Per-capita income 175.00 is below the standard 1,000.00." in body["reasons"]

    def test_tekun_today_by_default(self, alice, household):
        body = client_for(alice, "zh-hans").get(url(household, "means-test") + "?program=tekun").json()
        assert body["program"] == "tekun" and body["standard"] == "1300.00"
        assert body["lines"][1]["label"] == "特困人员基本生活标准：低保标准 × 1.30"

    @pytest.mark.parametrize(("query", "field"), [
        ("?program=temporary", "program"), ("?program=", "program"), ("?on=2026-02-30", "on"),
        ("?on=yesterday", "on"), ("?on=20260301", "on"),
    ])
    def test_a_bad_program_or_day_is_400(self, alice, household, query, field):
        response = client_for(alice).get(url(household, "means-test") + query)
        assert response.status_code == 400 and field in response.json()

    def test_outsider_404_and_wrong_role_403(self, bob, fiona, sam, household):
        assert client_for(bob).get(url(household, "means-test")).status_code == 404
        assert client_for(fiona).get(url(household, "means-test")).status_code == 403
        assert client_for(sam).get(url(household, "means-test")).status_code == 403

    def test_it_is_in_the_schema(self, alice):
        schema = client_for(alice).get("/api/v1/schema/?format=json").json()
        for path in ("incomes", "assets", "means-test"):
            assert f"/api/v1/households/{{id}}/{path}/" in schema["paths"]

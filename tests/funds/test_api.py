"""The "Reserve funds" part of API.md, with an outsider and a wrong role for each endpoint."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from funds import services
from funds.models import LedgerEntry, ReserveFund
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B, TOWNSHIP_C

pytestmark = pytest.mark.django_db


def client_for(user, language="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def funds(fund_a, fund_b, fund_c):
    return fund_a, fund_b, fund_c


class TestList:
    def test_fields_and_money_as_strings(self, hana, funds):
        body = client_for(hana).get("/api/v1/funds/").json()
        assert body["count"] == 1
        (fund,) = body["results"]
        assert fund == {"id": funds[0].pk, "township": TOWNSHIP_A, "township_name": "济阳街道",
                        "balance": "1000.00", "low_water_mark": "0.00", "target_balance": "0.00", "status": "ok"}

    @pytest.mark.parametrize(("user", "townships"), [
        ("hana", [TOWNSHIP_A]), ("alice", [TOWNSHIP_A]), ("bob", [TOWNSHIP_B]),
        ("fiona", [TOWNSHIP_A, TOWNSHIP_B]), ("sam", [TOWNSHIP_A, TOWNSHIP_B]), ("otto", [TOWNSHIP_C]),
        ("fred", [TOWNSHIP_C]), ("root", [TOWNSHIP_A, TOWNSHIP_B, TOWNSHIP_C]),
    ])
    def test_each_sees_their_region_only(self, request, funds, user, townships):
        body = client_for(request.getfixturevalue(user)).get("/api/v1/funds/").json()
        assert [f["township"] for f in body["results"]] == townships

    def test_a_role_without_the_permission_is_403(self, carol, funds):
        assert client_for(carol).get("/api/v1/funds/").status_code == 403

    def test_anonymous_is_401(self, funds):
        assert client_for(None).get("/api/v1/funds/").status_code == 401

    def test_status_follows_the_balance_and_requests(self, hana, fiona, fund_a):
        services.set_limits(fiona, fund_a, low_water_mark="1500.00", target_balance="2000.00")
        assert client_for(hana).get("/api/v1/funds/").json()["results"][0]["status"] == "low"
        services.request_replenishment(hana, fund_a, reason="season")
        assert client_for(hana).get("/api/v1/funds/").json()["results"][0]["status"] == "replenishing"

    def test_queries_do_not_grow_with_the_funds(self, root, funds, django_assert_max_num_queries):
        with django_assert_max_num_queries(6):
            assert client_for(root).get("/api/v1/funds/").json()["count"] == 3


class TestLedger:
    def test_entries_newest_first(self, alice, hana, fund_a, approved):
        application, instalment = approved("120.50")
        services.disburse(alice, application=application, instalment=instalment)
        body = client_for(hana).get(f"/api/v1/funds/{fund_a.pk}/ledger/").json()
        assert body["count"] == 2
        payout, allocation = body["results"]
        assert payout["kind"] == "disbursement" and payout["amount"] == "120.50" and payout["change"] == "-120.50"
        assert payout["balance_after"] == "879.50" and payout["application"] == application.pk
        assert payout["instalment"] == 1 and payout["actor"] == "alice" and payout["at"].endswith("+08:00")
        assert set(payout) >= {"id", "at", "kind", "amount", "balance_after", "application", "reference", "actor"}
        assert allocation["kind"] == "allocation" and allocation["reference"] == "opening allocation"
        assert allocation["application"] is None

    def test_by_month(self, hana, fund_a):
        month = LedgerEntry.objects.get().month
        client = client_for(hana)
        assert client.get(f"/api/v1/funds/{fund_a.pk}/ledger/?month={month:%Y-%m}").json()["count"] == 1
        assert client.get(f"/api/v1/funds/{fund_a.pk}/ledger/?month=1999-01").json()["count"] == 0
        response = client.get(f"/api/v1/funds/{fund_a.pk}/ledger/?month=March")
        assert response.status_code == 400 and "month" in response.json()

    @pytest.mark.parametrize("user", ["bob", "otto", "fred"])
    def test_outsiders_get_404(self, request, fund_a, user):
        assert client_for(request.getfixturevalue(user)).get(f"/api/v1/funds/{fund_a.pk}/ledger/").status_code == 404
        assert client_for(request.getfixturevalue(user)).get(f"/api/v1/funds/{fund_a.pk}/").status_code == 404

    def test_wrong_role_403_and_anonymous_401(self, carol, fund_a):
        assert client_for(carol).get(f"/api/v1/funds/{fund_a.pk}/ledger/").status_code == 403
        assert client_for(None).get(f"/api/v1/funds/{fund_a.pk}/ledger/").status_code == 401

    def test_unknown_fund_404(self, root, fund_a):
        assert client_for(root).get("/api/v1/funds/99999/ledger/").status_code == 404


class TestAllocations:
    def url(self, fund):
        return f"/api/v1/funds/{fund.pk}/allocations/"

    def test_county_finance_allocates(self, fiona, fund_a):
        response = client_for(fiona).post(self.url(fund_a), {"amount": "800.00", "reference": "voucher 12"},
                                          format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["kind"] == "allocation" and body["amount"] == "800.00" and body["balance_after"] == "1800.00"
        assert body["reference"] == "voucher 12" and body["actor"] == "fiona"
        assert ReserveFund.objects.get(pk=fund_a.pk).balance == Decimal("1800.00")

    @pytest.mark.parametrize("amount", ["0", "0.00", "-800.00", "800.001", "eight hundred", "", None, "NaN", 0.1 + 0.2,
                                        [], {"x": 1}, "1000000000000"])
    def test_bad_amounts_are_400_naming_the_field_and_write_nothing(self, fiona, fund_a, amount):
        response = client_for(fiona).post(self.url(fund_a), {"amount": amount, "reference": "v"}, format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["amount"] and response.json()["amount"]
        assert LedgerEntry.objects.count() == 1 and ReserveFund.objects.get(pk=fund_a.pk).balance == Decimal("1000")

    def test_a_number_with_two_places_is_accepted(self, fiona, fund_a):
        response = client_for(fiona).post(self.url(fund_a), {"amount": 12.5, "reference": "v"}, format="json")
        assert response.status_code == 201 and response.json()["amount"] == "12.50"

    def test_missing_fields_are_named(self, fiona, fund_a):
        response = client_for(fiona).post(self.url(fund_a), {}, format="json")
        assert response.status_code == 400 and set(response.json()) == {"amount", "reference"}
        response = client_for(fiona).post(self.url(fund_a), {"amount": "1.00", "reference": "   "}, format="json")
        assert response.status_code == 400 and list(response.json()) == ["reference"]
        assert LedgerEntry.objects.count() == 1

    def test_messages_in_chinese_by_default(self, fiona, fund_a):
        response = client_for(fiona, language="zh-hans").post(self.url(fund_a), {"amount": "1.001", "reference": "v"},
                                                              format="json")
        assert response.status_code == 400

    @pytest.mark.parametrize("user", ["hana", "alice", "carol", "sam"])
    def test_other_roles_are_403_and_write_nothing(self, request, fund_a, user):
        response = client_for(request.getfixturevalue(user)).post(
            self.url(fund_a), {"amount": "800.00", "reference": "v"}, format="json")
        assert response.status_code == 403
        assert LedgerEntry.objects.count() == 1

    def test_county_finance_of_another_county_gets_404(self, fred, fund_a):
        response = client_for(fred).post(self.url(fund_a), {"amount": "800.00", "reference": "v"}, format="json")
        assert response.status_code == 404
        assert LedgerEntry.objects.count() == 1

    def test_anonymous_is_401(self, fund_a):
        response = client_for(None).post(self.url(fund_a), {"amount": "800.00", "reference": "v"}, format="json")
        assert response.status_code == 401

    def test_an_idempotency_key_allocates_once(self, fiona, fund_a):
        client = client_for(fiona)
        first = client.post(self.url(fund_a), {"amount": "5.00", "reference": "v"}, format="json",
                            HTTP_IDEMPOTENCY_KEY="batch-7")
        second = client.post(self.url(fund_a), {"amount": "5.00", "reference": "v"}, format="json",
                             HTTP_IDEMPOTENCY_KEY="batch-7")
        assert first.status_code == second.status_code == 201
        assert first.json()["id"] == second.json()["id"]
        assert ReserveFund.objects.get(pk=fund_a.pk).balance == Decimal("1005.00")

    def test_get_is_not_allowed(self, fiona, fund_a):
        assert client_for(fiona).get(self.url(fund_a)).status_code == 405


def test_the_schema_documents_the_endpoints(root, settings):
    response = client_for(root).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/funds/", "/api/v1/funds/{id}/ledger/", "/api/v1/funds/{id}/allocations/"} <= set(paths)

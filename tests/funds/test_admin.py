"""The admin: funds are opened and their limits set through the services; the ledger,
sign-offs and replenishment requests are read-only for everyone."""

from __future__ import annotations

from decimal import Decimal

import pytest

from audit.models import AuditEvent
from funds.models import ReserveFund
from tests.conftest import TOWNSHIP_B, VILLAGE_B1

pytestmark = pytest.mark.django_db


def test_the_ledger_is_read_only(client, root, fund_a):
    client.force_login(root)
    entry = fund_a.entries.get()
    assert client.get("/admin/funds/ledgerentry/").status_code == 200
    page = client.get(f"/admin/funds/ledgerentry/{entry.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get("/admin/funds/ledgerentry/add/").status_code == 403
    assert client.get(f"/admin/funds/ledgerentry/{entry.pk}/delete/").status_code == 403
    assert client.post(f"/admin/funds/ledgerentry/{entry.pk}/change/", {"amount": "1"}).status_code == 403
    for model in ("monthlysignoff", "replenishmentrequest"):
        assert client.get(f"/admin/funds/{model}/").status_code == 200
        assert client.get(f"/admin/funds/{model}/add/").status_code == 403


def test_opening_a_fund_in_the_admin_goes_through_the_service(client, root, regions):
    client.force_login(root)
    response = client.post("/admin/funds/reservefund/add/", {
        "township": TOWNSHIP_B, "low_water_mark": "200.00", "target_balance": "1000.00"})
    assert response.status_code == 302
    fund = ReserveFund.objects.get(township_id=TOWNSHIP_B)
    assert fund.balance == Decimal("0.00") and fund.low_water_mark == Decimal("200.00")
    assert AuditEvent.objects.filter(event="funds.fund.opened").count() == 1
    assert client.get(f"/admin/funds/reservefund/{fund.pk}/delete/").status_code == 403


def test_the_admin_form_refuses_bad_funds(client, root, fund_a):
    client.force_login(root)
    for data in ({"township": VILLAGE_B1, "low_water_mark": "0", "target_balance": "0"},
                 {"township": fund_a.township_id, "low_water_mark": "0", "target_balance": "0"},
                 {"township": TOWNSHIP_B, "low_water_mark": "500", "target_balance": "100"}):
        response = client.post("/admin/funds/reservefund/add/", data)
        assert response.status_code == 200 and b"errorlist" in response.content
    assert ReserveFund.objects.count() == 1


def test_changing_limits_in_the_admin_is_audited(client, root, fund_a):
    client.force_login(root)
    response = client.post(f"/admin/funds/reservefund/{fund_a.pk}/change/", {
        "low_water_mark": "100.00", "target_balance": "900.00"})
    assert response.status_code == 302
    fund = ReserveFund.objects.get(pk=fund_a.pk)
    assert fund.target_balance == Decimal("900.00") and fund.balance == Decimal("1000.00")
    assert AuditEvent.objects.filter(event="funds.fund.limits_changed").count() == 1

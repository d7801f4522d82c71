"""The reserve-fund pages: for each, the allowed roles, a wrong role (403), an
outsider (404) and an anonymous visitor (to the login page)."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from funds import services
from funds.models import EntryKind, LedgerEntry, MonthlySignOff, ReplenishmentRequest, ReserveFund
from tests.conftest import TOWNSHIP_B, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def hugo(regions):
    """Township head of township B: the outsider among township heads."""
    return make_staff("hugo", ["township_head"], TOWNSHIP_B)


@pytest.fixture
def payout(alice, fund_a, approved):
    application, instalment = approved("300.00")
    return services.disburse(alice, application=application, instalment=instalment)


def month_slug(fund):
    return f"{fund.entries.first().month:%Y-%m}"


def balance(fund):
    return ReserveFund.objects.get(pk=fund.pk).balance


# --- pages that show ------------------------------------------------------------------------------

def page_urls(fund):
    slug = month_slug(fund)
    return [
        reverse("fund_detail", args=[fund.pk]),
        reverse("fund_statement", args=[fund.pk, slug]),
        reverse("fund_statement_pdf", args=[fund.pk, slug]),
        reverse("fund_statement_xlsx", args=[fund.pk, slug]),
    ]


def test_the_list_shows_each_their_region(as_user, hana, fiona, carol, fund_a, fund_b, fund_c):
    html = as_user(hana).get(reverse("fund_list")).content.decode()
    assert "济阳街道" in html and "南苑街道" not in html and "鼓楼街道" not in html
    assert 'lang="zh-Hans"' in html
    html = as_user(fiona).get(reverse("fund_list")).content.decode()
    assert "济阳街道" in html and "南苑街道" in html and "鼓楼街道" not in html
    assert "1,000.00" in html
    assert as_user(carol).get(reverse("fund_list")).status_code == 403


def test_anonymous_visitors_go_to_the_login_page(client, fund_a):
    for url in [reverse("fund_list"), *page_urls(fund_a)]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("user", ["hana", "fiona", "alice", "sam", "root"])
def test_the_fund_pages_open_for_their_region(as_user, request, fund_a, payout, user):
    client = as_user(request.getfixturevalue(user))
    for url in page_urls(fund_a):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("user", ["bob", "hugo", "otto", "fred"])
def test_outsiders_get_404_on_every_page(as_user, request, fund_a, user):
    client = as_user(request.getfixturevalue(user))
    for url in page_urls(fund_a):
        assert client.get(url).status_code == 404, url


def test_a_role_without_the_permission_gets_403(as_user, carol, fund_a):
    client = as_user(carol)
    for url in page_urls(fund_a):
        assert client.get(url).status_code == 403, url


def test_the_fund_page_shows_the_ledger_and_the_forms_of_the_role(as_user, hana, fiona, fund_a, payout):
    html = as_user(hana).get(reverse("fund_detail", args=[fund_a.pk])).content.decode()
    assert "-300.00" in html and "700.00" in html and f'id="entry-{payout.pk}"' in html
    assert reverse("fund_request_replenishment", args=[fund_a.pk]) in html
    assert reverse("fund_allocate", args=[fund_a.pk]) not in html
    html = as_user(fiona).get(reverse("fund_detail", args=[fund_a.pk])).content.decode()
    for name in ("fund_allocate", "fund_adjust", "fund_limits"):
        assert reverse(name, args=[fund_a.pk]) in html
    assert reverse("fund_request_replenishment", args=[fund_a.pk]) not in html
    assert reverse("fund_entry_reverse", args=[fund_a.pk, payout.pk]) in html


def test_the_downloads(as_user, hana, fund_a, payout):
    from audit.models import AuditEvent

    client = as_user(hana)
    pdf = client.get(reverse("fund_statement_pdf", args=[fund_a.pk, month_slug(fund_a)]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    xlsx = client.get(reverse("fund_statement_xlsx", args=[fund_a.pk, month_slug(fund_a)]))
    assert xlsx.content.startswith(b"PK")
    assert AuditEvent.objects.filter(event="funds.statement.downloaded", actor=hana).count() == 2


def test_a_bad_month_is_404(as_user, hana, fund_a):
    assert as_user(hana).get(f"/funds/{fund_a.pk}/statements/2026-13/").status_code == 404


# --- forms that change ----------------------------------------------------------------------------

def form(**fields) -> dict:
    """A fund form as its page sends it: with the key of that rendering of the form."""
    return {"once": str(uuid.uuid4()), **fields}


def test_allocate(as_user, fiona, hana, fred, fund_a):
    url = reverse("fund_allocate", args=[fund_a.pk])
    assert as_user(hana).post(url, form(amount="10", reference="v")).status_code == 403
    assert as_user(fred).post(url, form(amount="10", reference="v")).status_code == 404
    client = as_user(fiona)
    for bad in ("0", "-5", "1.234", "abc", ""):
        response = client.post(url, form(amount=bad, reference="v"))
        assert response.status_code == 400 and 'field-amount' in response.content.decode()
        assert 'class="field has-error field-amount"' in response.content.decode(), bad
    assert client.post(url, form(amount="10", reference="")).status_code == 400
    assert balance(fund_a) == Decimal("1000.00") and fund_a.entries.count() == 1
    response = client.post(url, form(amount="250.50", reference="voucher 3"))
    assert response.status_code == 302 and balance(fund_a) == Decimal("1250.50")
    assert client.get(response["Location"]).status_code == 200


def test_adjust(as_user, fiona, hana, fred, fund_a):
    url = reverse("fund_adjust", args=[fund_a.pk])
    assert as_user(hana).post(url, form(amount="-1", reason="x")).status_code == 403
    assert as_user(fred).post(url, form(amount="-1", reason="x")).status_code == 404
    client = as_user(fiona)
    assert client.post(url, form(amount="0", reason="x")).status_code == 400
    assert client.post(url, form(amount="-1", reason="")).status_code == 400
    response = client.post(url, form(amount="-2000", reason="too much"), follow=True)
    assert response.status_code == 200 and balance(fund_a) == Decimal("1000.00")
    assert client.post(url, form(amount="-0.50", reason="bank charge")).status_code == 302
    assert balance(fund_a) == Decimal("999.50")


def test_limits(as_user, fiona, hana, fred, fund_a):
    url = reverse("fund_limits", args=[fund_a.pk])
    data = {"low_water_mark": "200", "target_balance": "1000"}
    assert as_user(hana).post(url, data).status_code == 403
    assert as_user(fred).post(url, data).status_code == 404
    client = as_user(fiona)
    assert client.post(url, {"low_water_mark": "300", "target_balance": "100"}).status_code == 400
    assert client.post(url, {"low_water_mark": "-1", "target_balance": "100"}).status_code == 400
    assert client.post(url, data).status_code == 302
    assert ReserveFund.objects.get(pk=fund_a.pk).low_water_mark == Decimal("200.00")


def test_request_replenishment(as_user, hana, hugo, fiona, bob, fund_a, replenish_policy):
    url = reverse("fund_request_replenishment", args=[fund_a.pk])
    data = {"amount": "500", "reason": "flood season"}
    assert as_user(fiona).post(url, data).status_code == 403
    assert as_user(bob).post(url, data).status_code == 403
    assert as_user(hugo).post(url, data).status_code == 404
    client = as_user(hana)
    assert client.post(url, {"amount": "5.555", "reason": "x"}).status_code == 400
    assert client.post(url, {"amount": "5", "reason": ""}).status_code == 400
    assert not ReplenishmentRequest.objects.exists()
    assert client.post(url, data).status_code == 302
    assert ReplenishmentRequest.objects.get().amount == Decimal("500.00")
    client.post(url, data)  # a second one is refused with a message
    assert ReplenishmentRequest.objects.count() == 1


def test_reverse_a_payout(as_user, alice, hana, bob, fiona, fund_a, payout):
    url = reverse("fund_entry_reverse", args=[fund_a.pk, payout.pk])
    assert as_user(hana).post(url, {"reason": "x"}).status_code == 403
    assert as_user(bob).post(url, {"reason": "x"}).status_code == 404
    allocation = fund_a.entries.get(kind=EntryKind.ALLOCATION)
    as_user(fiona).post(reverse("fund_entry_reverse", args=[fund_a.pk, allocation.pk]), {"reason": "x"})
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).exists()
    # The caseworker who pays out may not take a payout back: county finance does.
    assert as_user(alice).post(url, {"reason": "bank account closed"}).status_code == 403
    client = as_user(fiona)
    assert client.post(url, {"reason": ""}).status_code == 302
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).exists()
    assert client.post(url, {"reason": "bank account closed"}).status_code == 302
    assert client.post(url, {"reason": "again"}).status_code == 302
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 1
    assert balance(fund_a) == Decimal("1000.00")


def test_sign_off(as_user, fiona, hana, fred, regions, root):
    from tests.conftest import TOWNSHIP_A

    from .conftest import open_fund

    shanghai = ZoneInfo("Asia/Shanghai")
    with time_machine.travel(datetime.datetime(2026, 1, 10, tzinfo=shanghai), tick=False):
        fund = open_fund(TOWNSHIP_A, "1000.00", by=root)
    url = reverse("fund_sign_off", args=[fund.pk, "2026-01"])
    with time_machine.travel(datetime.datetime(2026, 2, 2, tzinfo=shanghai), tick=False):
        assert as_user(hana).post(url, {"note": ""}).status_code == 403
        assert as_user(fred).post(url, {"note": ""}).status_code == 404
        page = as_user(fiona).get(reverse("fund_statement", args=[fund.pk, "2026-01"])).content.decode()
        assert url in page
        assert as_user(fiona).post(url, {"note": "checked"}).status_code == 302
    sign_off = MonthlySignOff.objects.get()
    assert sign_off.signed_by == fiona and sign_off.closing == Decimal("1000.00") and sign_off.note == "checked"


def test_the_replenishment_page(as_user, alice, hana, fiona, fred, bob, fund_a, replenish_policy):
    replenishment = services.request_replenishment(hana, fund_a, amount="500.00", reason="flood season")
    url = reverse("fund_replenishment", args=[replenishment.pk])
    assert as_user(bob).get(url).status_code == 404
    assert as_user(fred).get(url).status_code == 404
    assert as_user(fred).post(url, {"decision": "approve"}).status_code == 404
    html = as_user(hana).get(url).content.decode()
    assert "flood season" in html and 'name="decision"' not in html
    assert as_user(hana).post(url, {"decision": "approve"}).status_code == 403
    client = as_user(fiona)
    assert 'name="decision"' in client.get(url).content.decode()
    assert client.post(url, {"decision": "reject", "reason": ""}).status_code == 400
    assert client.post(url, {"decision": "approve", "amount": "1.234"}).status_code == 400
    assert balance(fund_a) == Decimal("1000.00")
    assert client.post(url, {"decision": "approve", "amount": "", "reference": "voucher 9"}).status_code == 302
    assert balance(fund_a) == Decimal("1500.00")
    replenishment.refresh_from_db()
    assert replenishment.status == "approved"
    assert client.post(url, {"decision": "approve"}).status_code == 302  # already decided: a message
    assert balance(fund_a) == Decimal("1500.00")


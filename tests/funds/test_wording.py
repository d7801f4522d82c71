"""What the fund pages say, and what they no longer say: a payment in the ledger is named
by its case and instalment ("第7号 · 先行救助", never "#7 / 0"), and a month that is not
signed off says why and what happens next, to whoever reads it."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from funds import services
from tests.conftest import TOWNSHIP_A

from .conftest import open_fund

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_ledger_rows_name_the_case_and_the_urgent_payment(as_user, alice, hana, fund_a, approved):
    application, urgent = approved("300.00", number=0)
    services.disburse(alice, application=application, instalment=urgent)
    second, instalment = approved("200.00", number=2)
    services.disburse(alice, application=second, instalment=instalment)
    month = f"{fund_a.entries.first().month:%Y-%m}"
    for url in (reverse("fund_detail", args=[fund_a.pk]), reverse("fund_statement", args=[fund_a.pk, month])):
        html = as_user(hana).get(url).content.decode()
        assert f"第{application.pk}号" in html and "先行救助" in html and f"第{second.pk}号" in html, url
        assert "第2期" in html and "第0期" not in html and f"#{application.pk}" not in html, url
        assert " / 0" not in html and " / 2" not in html, url
    page = as_user(alice).get(reverse("application_detail", args=[application.pk])).content.decode()
    assert "第0期" not in page and "先行救助" in page


def test_an_unsigned_month_says_why(as_user, fiona, hana, regions, root):
    with time_machine.travel(datetime.datetime(2026, 1, 10, tzinfo=SHANGHAI), tick=False):
        fund = open_fund(TOWNSHIP_A, "1000.00", by=root)
    statement = reverse("fund_statement", args=[fund.pk, "2026-01"])
    with time_machine.travel(datetime.datetime(2026, 1, 20, tzinfo=SHANGHAI), tick=False):
        # The month is still running: nobody can sign it off yet, and the page says so.
        for user in (hana, fiona):
            html = as_user(user).get(statement).content.decode()
            assert "本月尚未结束" in html and 'id="sign-off"' not in html
        assert "月末后签核" in as_user(hana).get(reverse("fund_detail", args=[fund.pk])).content.decode()
    with time_machine.travel(datetime.datetime(2026, 2, 2, tzinfo=SHANGHAI), tick=False):
        # It has ended: county finance gets the form, the township head is told who signs it.
        html = as_user(hana).get(statement).content.decode()
        assert "由县级财务核对台账后签核" in html and 'id="sign-off"' not in html
        assert "等待县级财务签核" in as_user(hana).get(reverse("fund_detail", args=[fund.pk])).content.decode()
        html = as_user(fiona).get(statement).content.decode()
        assert 'id="sign-off"' in html and reverse("fund_sign_off", args=[fund.pk, "2026-01"]) in html
        detail = as_user(fiona).get(reverse("fund_detail", args=[fund.pk])).content.decode()
        assert f'{statement}#sign-off' in detail
        assert "未签核" not in detail


def test_county_finance_home_counts_statements_to_sign_off(as_user, fiona, hana, regions, root):
    with time_machine.travel(datetime.datetime(2026, 1, 10, tzinfo=SHANGHAI), tick=False):
        fund = open_fund(TOWNSHIP_A, "1000.00", by=root)
    with time_machine.travel(datetime.datetime(2026, 3, 5, tzinfo=SHANGHAI), tick=False):
        def waiting():
            work = {line.label: line for line in as_user(fiona).get(reverse("home")).context["work"]}
            return work["待签核的备用金月度对账单"].count

        assert waiting() == 2  # January and February have ended; March runs
        services.sign_off_month(fiona, fund, datetime.date(2026, 1, 1))
        assert waiting() == 1
        labels = [line.label for line in as_user(hana).get(reverse("home")).context["work"]]
        assert "待签核的备用金月度对账单" not in labels  # signing off is county finance's

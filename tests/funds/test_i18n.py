"""The reserve-fund pages and statements are Chinese by default and English on request,
from the project catalogue (locale/)."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

# Strings of the fund pages, in the English source.
SOURCE = ["Reserve funds", "Balance (yuan)", "Low-water mark (yuan)", "Standard amount (yuan)"]
DETAIL = ["Ledger", "Allocation from the county", "Monthly statements"]


def chinese(msgid: str) -> str:
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    assert text != msgid, f"no Chinese for {msgid!r}"
    return text


def test_fund_pages_are_chinese_by_default(client, hana, fund_a):
    client.force_login(hana)
    html = client.get(reverse("fund_list")).content.decode()
    assert 'lang="zh-Hans"' in html
    for msgid in SOURCE:
        assert chinese(msgid) in html and msgid not in html
    html = client.get(reverse("fund_detail", args=[fund_a.pk])).content.decode()
    for msgid in DETAIL:
        assert chinese(msgid) in html


def test_fund_pages_in_english(client, hana, fund_a):
    client.force_login(hana)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("fund_detail", args=[fund_a.pk])).content.decode()
    assert 'lang="en"' in html
    for msgid in DETAIL:
        assert msgid in html and chinese(msgid) not in html


def test_the_statement_pdf_is_chinese_by_default(hana, fund_a):
    from funds.statements import build_statement, statement_pdf

    statement = build_statement(fund_a, fund_a.entries.get().month)
    translation.deactivate()  # no request, no language chosen: the default
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=statement_pdf(statement), capture_output=True,
                          check=True).stdout.decode()
    for msgid in ("Reserve fund statement", "Opening balance", "Closing balance"):
        assert chinese(msgid) in text
    assert "济阳街道" in text and "1,000.00" in text

"""A small temporary-assistance case through the browser: the caseworker opens it for a
household, takes it in and investigates it with a colleague; the township head
approves it (≤ 3,000 yuan); the approval documents appear on the case page and
download as PDFs; the caseworker pays it from the township's reserve fund and the
voucher downloads.

Selectors use names, values and addresses rather than the words on the page, so the
test holds in either language.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from playwright.sync_api import expect

from assistance.models import Application
from deadlines.calendar_admin import load_year
from documents.models import Document
from tests.conftest import PASSWORD, TOWNSHIP_A
from workflows.temporary.models import Status

SCREENSHOT = Path(settings.BASE_DIR) / "var" / "screenshot-case.png"
PHONE_WIDTH = 390
AMOUNT = "2800.00"


@pytest.fixture
def seeded(db):
    """The rules and deadline policies the migrations seed: a transactional test that
    ran before this one (every browser test is one) may have flushed them."""
    for module in ("assistance.migrations.0002_shandong_defaults", "deadlines.migrations.0002_default_policies"):
        importlib.import_module(module).load(apps, None)
    load_year(2025)
    load_year(2026)


@pytest.fixture
def fund(seeded, regions, root):
    from tests.funds.conftest import open_fund

    return open_fund(TOWNSHIP_A, "5000.00")


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("form.logout")).to_be_visible()


def sign_out(page) -> None:
    page.locator("form.logout button").click()
    expect(page.locator("input[name=username]")).to_be_visible()


def menu(page, path: str):
    return page.locator(f"nav.mainnav a[href='{path}']")


def download(page, base_url: str, link) -> bytes:
    """Fetch a document link with the browser's own session; it must be a PDF."""
    response = page.request.get(base_url + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    return body


@pytest.mark.browser
def test_caseworker_and_township_head_handle_a_small_case(live_server, page, seeded, fund, alice, amy, hana,
                                                           household):
    base = live_server.url

    # The caseworker opens a case for the household.
    sign_in(page, base, "alice")
    menu(page, "/applications/").click()
    page.locator("a.button[href='/applications/new/']").click()
    page.fill("input[name=q]", "王德明")
    page.locator("form.search button[type=submit]").click()
    page.locator(f"a[href='/households/{household.pk}/apply/']").click()
    page.check("input[name=kind][value=expense]")
    page.select_option("select[name=cause_category]", "other")
    page.fill("textarea[name=cause]", "老伴突发脑梗住院，自付医疗费用较高")
    page.fill("input[name=amount_requested]", AMOUNT)
    page.locator("form.application-form button[type=submit]").click()

    # Intake: the documents are complete.
    expect(page.locator("form.step-intake")).to_be_visible()
    application = Application.objects.get()
    page.check("input[name=complete][value=yes]")
    page.locator("button.step-submit").click()

    # Investigation by two staff members; then the case waits for the head.
    expect(page.locator("form.step-investigate")).to_be_visible()
    page.check("input[name=investigators][value=alice]")
    page.check("input[name=investigators][value=amy]")
    page.fill("textarea[name=findings]", "入户核实：夫妻二人均为退休人员，本月自付医疗费用八千余元")
    page.fill("input[name=recommended_amount]", AMOUNT)
    page.locator("button.step-submit").click()
    expect(page).to_have_url(f"{base}/applications/{application.pk}/")
    expect(page.locator(".status-township_review")).to_be_visible()
    sign_out(page)

    # The township head finds it in her approval queue, with the fund's balance, and approves.
    sign_in(page, base, "hana")
    menu(page, "/approvals/").click()
    row = page.locator("table.approvals tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("王德明")
    expect(row).to_contain_text("2,800.00")
    expect(row).to_contain_text("5,000.00")
    row.locator("a[href^='/tasks/']").click()
    page.check("input[name=decision][value=approve]")
    # The limits show before they bite, and a too-large amount is named as it is typed.
    expect(page.locator("#id_amount_approved_helptext")).to_contain_text("3,000.00")
    page.fill("input[name=amount_approved]", "3500")
    expect(page.locator(".limit-warning")).to_be_visible()
    page.fill("input[name=amount_approved]", AMOUNT)
    expect(page.locator(".limit-warning")).to_be_hidden()
    page.fill("textarea[name=reason]", "符合支出型临时救助条件，同意救助")
    page.locator("button.step-submit").click()

    # The approval documents appear on the case page and download as PDFs.
    expect(page).to_have_url(f"{base}/applications/{application.pk}/")
    expect(page.locator(".status-approved")).to_be_visible()
    assert Application.objects.get(pk=application.pk).status == Status.APPROVED
    for kind in ("approval_form", "decision_notice"):
        link = page.locator(f".documents li[data-kind={kind}] a")
        expect(link).to_have_count(1)
        body = download(page, base, link)
        assert body == bytes(Document.objects.get(application=application, kind=kind).content)
    sign_out(page)

    # The caseworker pays it from the reserve fund; the voucher downloads.
    sign_in(page, base, "alice")
    menu(page, "/tasks/").click()
    page.locator("a[data-tab=queue]").click()
    page.locator("table.tasks tbody tr a[href^='/tasks/']").first.click()
    expect(page.locator("form.step-disburse")).to_be_visible()
    expect(page.locator("#payment-facts")).to_contain_text("元整")  # the amount in capitals, before paying
    page.check("input[name=confirm_payment]")
    page.locator("button.step-submit").click()
    expect(page.locator("form.step-file_with_county")).to_be_visible()  # her next step
    page.goto(f"{base}/applications/{application.pk}/")
    expect(page.locator(".status-paid")).to_be_visible()
    expect(page.locator("#amount-paid")).to_have_text("2,800.00")
    download(page, base, page.locator(".documents li[data-kind=disbursement_voucher] a"))
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # On a phone the case page fits the screen: no sideways scrolling.
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert re.search(r"/applications/\d+/$", page.url)

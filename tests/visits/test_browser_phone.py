"""A caseworker records a visit on a phone-sized screen, in Debian's Chromium."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

# The shared browser and the module-wide permission for the ORM beside Playwright's loop.
from tests.browser.conftest import _allow_orm_beside_playwright, browser  # noqa: F401
from tests.conftest import PASSWORD
from visits import services
from visits.models import Visit, VisitRecord

from .conftest import resident

PHONE = {"width": 390, "height": 844}
SCREENSHOT = Path(settings.BASE_DIR) / "var" / "screenshot-visit-record.png"


@pytest.fixture
def phone(browser):  # noqa: F811 - the fixture imported above
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.browser
def test_a_caseworker_records_a_visit_on_a_phone(live_server, phone, alice, hana):
    person = resident(alice, born=datetime.date(1938, 3, 1), conditions=["living_alone"], name="钱奶奶")
    services.recompute_plans()
    services.pair_household(hana, person.household, alice)
    visit = Visit.objects.filter(person=person).order_by("window_start").first()

    page = phone
    page.goto(f"{live_server.url}/accounts/login/?next=/visits/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()

    # Her list, then the visit, then the record form.
    expect(page.locator(f"#visit-{visit.pk}")).to_contain_text("钱奶奶")
    page.locator(f"#visit-{visit.pk} a[href='/visits/{visit.pk}/']").click()
    page.locator(f"a[href='/visits/{visit.pk}/record/']").click()
    expect(page.locator("form[data-record-form]")).to_be_visible()

    page.locator("label.outcome-needs_help").click()
    page.locator("label.choice", has=page.locator("input[name=method][value=in_person]")).click()
    page.locator("details.finding", has=page.locator("select[name=health_status]")).locator("summary").click()
    page.select_option("select[name=health_status]", "concern")
    page.fill("textarea[name=health_note]", "腿脚不便，需要助行器")
    page.fill("textarea[name=notes]", "独居，子女在外地")

    # The form fits the phone: nothing scrolls sideways, and the save button is in reach.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    save = page.locator("button[type=submit].primary")
    expect(save).to_be_in_viewport()
    box = save.bounding_box()
    assert box["height"] >= 44  # a thumb-sized target (CSS pixels)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    save.click()

    expect(page.locator("#visit-status")).to_have_attribute("class", "status visit-done")
    expect(page.locator(".message-success")).to_be_visible()
    record = VisitRecord.objects.get()
    assert record.outcome == "needs_help" and record.recorded_by == alice
    assert record.findings == {"health": {"status": "concern", "note": "腿脚不便，需要助行器"}}
    assert record.visit_id == visit.pk and visit.follow_up.status == "open"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

"""The policy what-if on a phone (390 px): an administrator raises a county's rural
standard on the form, lands on the answer, reads it per county with its chart, filters the
affected households; then a township head, about to approve a repeat of the same cause,
sees the possible duplicate benefit and gives the reason. No page scrolls sideways.

Selectors use names, values and ids rather than the words on the page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_temporary_assistance import sign_in, sign_out
from tests.whatif import conftest as whatif_fixtures
from workflows.guard.models import DuplicateOverride
from workflows.whatif.models import WhatIfRun

PHONE_WIDTH = 390
ada, city = whatif_fixtures.ada, whatif_fixtures.city


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, page.url


@pytest.mark.browser
def test_a_what_if_on_a_phone(live_server, page, ada, city):
    base = live_server.url
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    sign_in(page, base, "ada")
    page.goto(f"{base}/what-if/")
    fits(page)
    form = page.locator("#ask-standard form")
    form.locator("select[name=region]").select_option("370811000000")
    form.locator("input[name=rural]").fill("900.00")
    form.locator("button[type=submit]").click()

    run = WhatIfRun.objects.get()
    expect(page).to_have_url(f"{base}/what-if/{run.pk}/")
    expect(page.locator("#whatif-counties")).to_be_visible()
    expect(page.locator("#monthly-change")).to_have_text("680.00")
    expect(page.locator("[data-whatif-chart] canvas")).to_be_visible()
    fits(page)
    page.locator("select[name=change]").select_option("newly_eligible")
    page.locator("#whatif-affected button[type=submit]").click()
    expect(page.locator("tr[data-change=newly_eligible]")).to_have_count(3)
    expect(page.locator("tr[data-change=amount]")).to_have_count(0)
    fits(page)


@pytest.mark.browser
def test_a_possible_duplicate_benefit_on_a_phone(live_server, page, alice, amy, hana, household):
    from tests.assistance.conftest import do
    from tests.assistance.test_duplicate_guard import task_id, to_approval

    first = to_approval(alice, household)
    do(hana, first, "township_approve", decision="approve", amount_approved="800.00")
    repeat = to_approval(alice, household, new_cause="再次遭遇暴雨")  # the same cause again, inside the repeat period

    base = live_server.url
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    sign_in(page, base, "hana")
    page.goto(f"{base}/tasks/{task_id(repeat)}/")
    expect(page.locator("#duplicate-findings li[data-kind=repeat_cause]")).to_be_visible()
    fits(page)
    page.check("input[name=decision][value=approve]")
    page.locator("button.step-submit").click()
    expect(page.locator(".field-override_reason .errorlist")).to_be_visible()
    fits(page)
    page.fill("textarea[name=override_reason]", "第二次暴雨为新的灾情，经入户核实")
    page.locator("button.step-submit").click()
    expect(page.locator("#duplicate-overrides")).to_be_visible()
    fits(page)
    assert DuplicateOverride.objects.get().application_id == repeat.pk
    sign_out(page)

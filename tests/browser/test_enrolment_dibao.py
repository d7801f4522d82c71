"""A 低保 case through the browser at a phone's width (390 px): the caseworker applies
from the household page and takes the application in, investigates it with a colleague
(the family signs), the county verifies the eight sources (one compact row each), the
township head recommends it (the means test's amount shown), the list is posted, and a
villager's objection is recorded on the case page while the notice runs. No page
scrolls sideways; the case and verification pages are also captured at 1280 px.

Selectors use names, values and ids rather than the words on the page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from assistance.models import Application
from tests.browser.test_temporary_assistance import sign_in, sign_out
from tests.enrolment import conftest as enrolment_fixtures
from tests.means import conftest as means_fixtures
from workflows.enrolment.models import Objection, PublicNotice

PHONE_WIDTH = 390
SHOTS = Path(settings.BASE_DIR) / "var"
SOURCES = ("registration", "tax", "social_insurance", "property", "vehicle", "business", "deposit", "securities")

_calendar = enrolment_fixtures._calendar
cora, poor_couple, standards = enrolment_fixtures.cora, enrolment_fixtures.poor_couple, means_fixtures.standards


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, page.url


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"screenshot-{name}.png"), full_page=True)


@pytest.mark.browser
def test_dibao_case_on_a_phone(live_server, page, alice, amy, hana, cora, poor_couple):
    base = live_server.url
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})

    # The caseworker applies from the household page, for the whole household.
    sign_in(page, base, "alice")
    page.goto(f"{base}/households/{poor_couple.pk}/")
    page.locator("a.apply-dibao").click()
    fits(page)
    expect(page.locator("select[name=covered_member]")).to_be_visible()
    page.fill("textarea[name=cause]", "两位老人年老体弱，养老金微薄，生活困难")
    page.locator("form.application-form button[type=submit]").click()

    # Intake: complete.
    expect(page.locator("form.step-intake")).to_be_visible()
    fits(page)
    application = Application.objects.get(household=poor_couple)
    page.check("input[name=complete][value=yes]")
    page.locator("button.step-submit").click()

    # Investigation by two, the record signed by the family.
    expect(page.locator("form.step-investigate")).to_be_visible()
    fits(page)
    page.check("input[name=investigators][value=alice]")
    page.check("input[name=investigators][value=amy]")
    page.fill("textarea[name=findings]", "入户核实：二人务农，养老金每人每月300元")
    page.check("input[name=family_signed]")
    page.locator("button.step-submit").click()
    expect(page).to_have_url(f"{base}/applications/{application.pk}/")
    expect(page.locator("#family-signed")).to_be_visible()
    sign_out(page)

    # The county verifies: eight rows, each label beside its two choices on a phone.
    sign_in(page, base, "cora")
    page.goto(f"{base}/applications/{application.pk}/")
    page.locator("a.button[href^='/tasks/']").click()
    expect(page.locator("form.step-verify")).to_be_visible()
    fits(page)
    shot(page, "dibao-verify-phone")
    for source in SOURCES:
        row = page.locator(f".field-result_{source}")
        assert row.bounding_box()["height"] < 90, source  # one compact row, not a stack of three lines
        page.check(f"input[name=result_{source}][value=clear]")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "dibao-verify-desktop")
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    page.locator("button.step-submit").click()
    expect(page).to_have_url(f"{base}/applications/{application.pk}/")
    expect(page.locator("#verification li.clear")).to_have_count(8)
    sign_out(page)

    # The township head sees the means test's amount and recommends: the list is posted.
    sign_in(page, base, "hana")
    page.goto(f"{base}/applications/{application.pk}/")
    page.locator("a.button[href^='/tasks/']").click()
    expect(page.locator("form.step-township_review")).to_be_visible()
    fits(page)
    expect(page.locator("#id_amount_helptext")).to_contain_text("990.00")
    page.check("input[name=decision][value=recommend]")
    page.fill("textarea[name=reason]", "人均收入低于农村低保标准，同意")
    page.locator("button.step-submit").click()
    expect(page).to_have_url(f"{base}/applications/{application.pk}/")
    expect(page.locator("#public-notices .state-running")).to_be_visible()
    expect(page.locator("#case-means table.means-lines tr").first).to_be_visible()
    fits(page)
    sign_out(page)

    # A villager objects while the notice runs: the caseworker records it on the case page.
    sign_in(page, base, "alice")
    page.goto(f"{base}/applications/{application.pk}/")
    fits(page)
    page.fill("#objection textarea[name=text]", "邻居反映其子女在外务工，收入较高")
    page.fill("#objection input[name=raised_by]", "村民")
    page.locator("#objection button[type=submit]").click()
    expect(page.locator("#public-notices .state-withdrawn")).to_be_visible()
    expect(page.locator("#objections")).to_be_visible()
    fits(page)
    shot(page, "dibao-case-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "dibao-case-desktop")
    assert Application.objects.get(pk=application.pk).status == "reinvestigation"
    assert Objection.objects.get(application=application).raised_by == "村民"

    # The public notices page lists the withdrawn notice, at a phone's width too.
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    page.goto(f"{base}/notices/")
    notice = PublicNotice.objects.get(application=application)
    expect(page.locator(f"#notice-{notice.pk}")).to_be_visible()
    fits(page)
    shot(page, "notices-phone")

"""Each role's working day in Debian's Chromium, on the demo city (tests/world.py): sign in,
open the inbox (the home page), do one real piece of work, and see its result.

With SCREENSHOTS_DIR set (scripts/screenshots sets it to docs/screenshots), each walk
saves its main page at a desktop's width (1280 px) and a phone's (390 px); a normal run
writes nothing. Selectors use names, values and addresses, not the words on the page.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, sign_in_as
from tests.world import (
    CASEWORKER,
    CITY_SUPERVISOR,
    COUNTY,
    COUNTY_FINANCE,
    COUNTY_REVIEWER,
    SUPERVISOR,
    TOWNSHIP_HEAD,
)

pytestmark = pytest.mark.browser


def capture(page, name: str) -> None:
    """The page as it is, at a desktop's and a phone's width, when screenshots are asked for."""
    folder = os.environ.get("SCREENSHOTS_DIR")
    if not folder:
        return
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        # From the top of the page; the scroll cues follow the new width.
        page.evaluate("window.scrollTo(0, 0); window.dispatchEvent(new Event('resize'))")
        page.screenshot(path=str(out / f"{name}-{label}.png"))
    page.set_viewport_size(size)


def open_work(page, href: str):
    """From the home page (every role's inbox), the line that lists this work."""
    card = page.locator(f"#home-work a.work-card[href='{href}']")
    expect(card).to_be_visible()
    card.click()


def test_the_caseworker_takes_in_a_case(demo_city, page, orm):
    from assistance.models import Application

    base, world = demo_city.url, demo_city.world
    sign_in_as(page, base, CASEWORKER)
    open_work(page, "/tasks/?tab=mine")
    row = page.locator(f"table.tasks a[href='/tasks/{world['task_temporary_intake']}/']")
    expect(row).to_be_visible()
    capture(page, "caseworker-queue")
    row.click()
    expect(page.locator("form.step-intake")).to_be_visible()
    page.check("input[name=complete][value=yes]")
    page.locator("button.step-submit").click()
    # Next: her own investigation of it, and the case says so.
    expect(page.locator("form.step-investigate")).to_be_visible()
    page.locator("main a[href^='/applications/']").first.click()
    expect(page.locator("#application-status")).to_have_class(re.compile(r"status-investigation"))
    application = Application.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))
    assert application.status == "investigation" and application.intake_by.username == CASEWORKER


def test_the_caseworker_records_a_visit_on_a_phone(demo_city, phone, orm):
    from visits.models import Visit, VisitRecord

    base, world = demo_city.url, demo_city.world
    sign_in_as(phone, base, CASEWORKER)
    open_work(phone, "/visits/")
    visit = world["visit_due"]
    phone.goto(f"{base}/visits/{visit}/record/")
    expect(phone.locator("form[data-record-form]")).to_be_visible()
    phone.locator("label.outcome-ok").click()
    phone.locator("label.choice", has=phone.locator("input[name=method][value=in_person]")).click()
    phone.fill("textarea[name=notes]", "老人精神尚好，家中整洁")
    capture(phone, "phone-visit")
    phone.locator("button[type=submit].primary").click()
    expect(phone.locator("#visit-status")).to_have_class("status visit-done")
    assert VisitRecord.objects.get(visit_id=visit).recorded_by.username == CASEWORKER
    assert Visit.objects.get(pk=visit).status == "done"


def test_the_caseworker_follows_up_an_early_warning_on_a_phone(demo_city, phone, orm):
    from workflows.monitoring.models import EarlyWarning

    base, world = demo_city.url, demo_city.world
    sign_in_as(phone, base, CASEWORKER)
    open_work(phone, "/warnings/")
    warning = world["warning"]
    link = phone.locator(f"main table a[href='/warnings/{warning}/']")
    expect(link).to_be_visible()
    capture(phone, "caseworker-warnings")
    link.click()
    form = phone.locator("form.follow-up-form")
    expect(form).to_be_visible()
    form.locator("input[name=outcome][value=no_action]").check()
    form.locator("textarea[name=note]").fill("入户核实：子女每月赡养，暂不需要救助")
    form.locator("button[type=submit]").click()
    expect(phone).to_have_url(f"{base}/warnings/")
    expect(phone.locator(f"main table a[href='/warnings/{warning}/']")).to_have_count(0)  # it left the queue
    done = EarlyWarning.objects.get(pk=warning)
    assert done.status == "done" and done.outcome == "no_action" and done.done_by.username == CASEWORKER


def test_the_township_head_approves_within_her_limit(demo_city, page, orm):
    from assistance.models import Application

    base, world = demo_city.url, demo_city.world
    sign_in_as(page, base, TOWNSHIP_HEAD)
    open_work(page, "/approvals/")
    task = world["task_temporary_township_approve"]
    page.locator(f"table.approvals a[href='/tasks/{task}/']").click()
    page.check("input[name=decision][value=approve]")
    amount = page.locator("input[name=amount_approved]")
    expect(amount).to_have_value(re.compile(r"^2,?600(\.00)?$"))  # the recommendation, filled in
    expect(page.locator("#id_amount_approved_helptext")).to_contain_text("3,000.00")  # the limit, before it bites
    page.fill("textarea[name=reason]", "家庭因病支出较大，符合临时救助条件，同意救助")
    capture(page, "township-head-approval")
    page.locator("button.step-submit").click()
    case = world["temporary_township_review"]
    expect(page).to_have_url(f"{base}/applications/{case}/")
    expect(page.locator("#application-status")).to_have_class(re.compile(r"status-approved"))
    application = Application.objects.get(pk=case)
    assert application.status == "approved" and application.decided_by.username == TOWNSHIP_HEAD


def test_the_county_reviewer_decides_a_referral(demo_city, page, orm):
    from assistance.models import Application

    base, world = demo_city.url, demo_city.world
    sign_in_as(page, base, COUNTY_REVIEWER)
    open_work(page, "/approvals/")
    task = world["task_temporary_county_approve"]
    page.locator(f"table.approvals a[href='/tasks/{task}/']").click()
    expect(page.locator("#opinion-so-far")).to_be_visible()  # the township's opinion
    page.check("input[name=decision][value=approve]")
    page.fill("textarea[name=reason]", "超过乡镇审批额度，经县级审核同意救助")
    capture(page, "county-reviewer-decision")
    page.locator("button.step-submit").click()
    expect(page.locator("#application-status")).to_have_class(re.compile(r"status-approved"))
    application = Application.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))
    assert application.decision_level == "county" and application.decided_by.username == COUNTY_REVIEWER


def test_county_finance_locks_the_months_roster(demo_city, page, orm):
    from workflows.rosters.models import Roster

    base, world = demo_city.url, demo_city.world
    sign_in_as(page, base, COUNTY_FINANCE)
    open_work(page, "/rosters/")
    roster = world["roster"]
    capture(page, "county-finance-rosters")
    page.locator(f"a[href='/rosters/{roster}/']").first.click()
    page.locator(f"a[href='/rosters/{roster}/lock/']").first.click()
    expect(page.locator("main")).to_contain_text("元整")  # the total in capitals, before locking
    page.check("input[name=confirm]")
    page.locator("main form button[type=submit].primary").click()
    expect(page).to_have_url(f"{base}/rosters/{roster}/")
    assert Roster.objects.get(pk=roster).status == "locked"


def test_the_supervisor_pauses_a_clock(demo_city, page, orm):
    from deadlines.models import Deadline

    base, world = demo_city.url, demo_city.world
    sign_in_as(page, base, SUPERVISOR)
    open_work(page, "/supervision/")
    expect(page.locator("table.by-region tbody tr").first).to_be_visible()  # by township
    capture(page, "supervisor-dashboard")
    deadline = world["deadline"]
    page.goto(f"{base}/deadlines/{deadline}/pause/?next=/supervision/paused/")
    page.fill("input[name=reason]", "申请人住院，待出院后补交材料")
    page.locator("form.card button[type=submit]").click()
    expect(page).to_have_url(f"{base}/supervision/paused/")
    expect(page.locator(f"form[action='/deadlines/{deadline}/resume/']")).to_have_count(1)
    assert Deadline.objects.get(pk=deadline).status == "paused"


def test_the_city_supervisor_opens_a_county_and_exports_who_was_not_visited(demo_city, page, orm):
    base = demo_city.url
    sign_in_as(page, base, CITY_SUPERVISOR)
    open_work(page, "/supervision/")
    county = page.locator(f"table.by-region a.drill-down[href='/supervision/?region={COUNTY}']")
    expect(county).to_be_visible()  # the city by county
    capture(page, "city-supervisor-dashboard")
    county.click()
    expect(page.locator("table.by-region tbody tr[data-region^='370811']").first).to_be_visible()  # its townships
    page.goto(f"{base}/visits/coverage/")
    page.locator(f"a.drill-down[href*='region={COUNTY}']").click()
    page.locator("a.stat-link[href^='/visits/not-visited/']").click()
    with page.expect_download() as download:
        page.locator("a.button[href^='/visits/not-visited/export.xlsx']").click()
    # Named in the reader's language, for the moment it was asked for.
    assert re.fullmatch(r"长期未探访-\d{8}-\d{4}\.xlsx", download.value.suggested_filename)

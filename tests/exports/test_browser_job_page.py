"""The export job page on a phone-sized screen, in Debian's Chromium: the bar moves as the
worker writes, and the download appears when it is done, without touching the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from exports import services
from exports.models import ExportJob, JobStatus

# The shared browser and the module-wide permission for the ORM beside Playwright's loop.
from tests.browser.conftest import _allow_orm_beside_playwright, browser  # noqa: F401
from tests.conftest import PASSWORD, register_households

from .test_jobs import _job

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):  # noqa: F811 - the fixture imported above
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.browser
def test_the_page_follows_the_job_and_offers_the_download(live_server, phone, alice):
    register_households(alice, 3)
    job = _job(alice, language="zh-hans", status=JobStatus.RUNNING, rows_total=3, rows_done=1)
    page = phone
    page.goto(f"{live_server.url}/accounts/login/?next=/exports/{job.pk}/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()

    bar = page.locator("progress#export-progress")
    expect(bar).to_have_attribute("value", "1")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The worker writes a chunk: the script's next poll moves the bar.
    ExportJob.objects.filter(pk=job.pk).update(rows_done=2)
    expect(page.locator("[data-export-progress]")).to_contain_text("66%")
    assert page.evaluate("document.querySelector('progress').value") == 2

    # The worker runs it to the end: the page reloads itself with the download.
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, rows_done=0)
    assert services.run(job.pk) == JobStatus.DONE
    link = page.locator(f"a[href='/exports/{job.pk}/download/']")
    expect(link).to_be_visible()
    assert link.bounding_box()["height"] >= 44  # a thumb-sized target
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("家庭花名册-")  # saved under its Chinese name


@pytest.mark.browser
def test_the_lists_export_button_downloads_a_small_file_and_opens_a_jobs_page(live_server, phone, alice, settings):
    """The button is a plain link: with a download attribute the browser would save the
    job's page as a file instead of opening it."""
    register_households(alice, 3)
    page = phone
    page.goto(f"{live_server.url}/accounts/login/?next=/households/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    button = page.locator("a[href^='/households/export']")

    settings.EXPORT_INLINE_MAX_ROWS = 3
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename.startswith("家庭花名册-")  # saved under its Chinese name
    assert page.url.endswith("/households/")

    settings.EXPORT_INLINE_MAX_ROWS = 2
    button.click()
    job = ExportJob.objects.get()
    page.wait_for_url(f"**/exports/{job.pk}/")
    expect(page.locator(f"a[href='/exports/{job.pk}/download/']")).to_be_visible()

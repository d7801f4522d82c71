"""The pages work under the Content-Security-Policy (no inline script or style): Chromium
reports no violation on the sign-in page, the household pages, the dashboards with their
charts, and the API docs, whose Swagger UI still renders the operations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def watch(page) -> list[str]:
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    return violations


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_no_page_breaks_the_policy(live_server, page, household, alice, sam):
    violations = watch(page)
    sign_in(page, live_server, "alice")
    expect(page.get_by_role("heading", level=1)).to_contain_text("李丽")
    for path in ("/households/", f"/households/{household.pk}/", "/tasks/"):
        response = page.goto(f"{live_server.url}{path}")
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    page.context.clear_cookies()
    sign_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/supervision/")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/visits/coverage/")
    page.wait_for_load_state("networkidle")
    assert violations == []

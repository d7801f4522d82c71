"""A caseworker signs in, registers a household, finds it again and opens it."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from registry.models import Household
from registry.synthetic import make_first_generation_id, make_id_number
from tests.conftest import PASSWORD, VILLAGE_A1

HEAD = ("王建华", make_id_number("370811", datetime.date(1951, 7, 16), 135))
SPOUSE = ("刘桂芳", make_first_generation_id("370811", datetime.date(1953, 2, 8), 246))
SCREENSHOT = Path(settings.BASE_DIR) / "var" / "screenshot-household.png"
PHONE_WIDTH = 390


@pytest.mark.browser
def test_caseworker_registers_and_finds_a_household(live_server, page, alice):
    # Sign in through the form.
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("李丽")

    # Register a household with two members; the second holds a 15-digit first-generation ID.
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="家庭登记").click()
    page.select_option("select[name=region]", VILLAGE_A1)
    page.fill("input[name=address]", "东关社区8号楼3单元402")
    page.get_by_label("城镇").check()
    page.fill("input[name=members-0-name]", HEAD[0])
    page.fill("input[name=members-0-id_number]", HEAD[1])
    expect(page.locator("select[name=members-0-relation]")).to_have_value("head")
    page.get_by_label("独居").first.check()
    page.fill("input[name=members-1-name]", SPOUSE[0])
    page.fill("input[name=members-1-id_number]", SPOUSE[1])
    page.select_option("select[name=members-1-relation]", "spouse")
    page.select_option("select[name=members-1-disability_kind]", "physical")
    page.select_option("select[name=members-1-disability_grade]", "2")
    # The "add member" button copies a blank row; left empty, it is ignored.
    page.get_by_role("button", name="添加成员").click()
    expect(page.locator("input[name=members-3-name]")).to_be_visible()
    expect(page.locator("#id_members-TOTAL_FORMS")).to_have_value("4")
    page.locator(".sticky-actions").get_by_role("button", name="家庭登记").click()

    expect(page.locator(".message-success")).to_contain_text("2")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{HEAD[0]}户")
    household = Household.objects.get()
    assert household.members.count() == 2

    # Find it by the head's name, then by the last four digits of the head's ID.
    for query in (HEAD[0], HEAD[1][-4:]):
        page.get_by_role("navigation", name="主菜单").get_by_role("link", name="家庭", exact=True).click()
        page.fill("input[name=q]", query)
        page.get_by_role("button", name="搜索").click()
        expect(page.locator("p.muted").first).to_have_text("共1户")
        expect(page.locator("table")).to_contain_text(HEAD[1][:6] + "********" + HEAD[1][-4:])

    # Open the detail page.
    page.get_by_role("link", name=HEAD[0]).click()
    expect(page).to_have_url(re.compile(rf"/households/{household.pk}/$"))
    members = page.locator("table.members")
    expect(members).to_contain_text(HEAD[0])
    expect(members).to_contain_text(SPOUSE[0])
    expect(members).to_contain_text("配偶")
    expect(members).to_contain_text("肢体残疾 2级")
    expect(members).to_contain_text("独居")
    body = page.content()
    assert HEAD[1] not in body
    assert "19530208" not in body  # the spouse's number, in its stored 18-digit form
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # On a phone the page fits the screen: no sideways scrolling.
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH

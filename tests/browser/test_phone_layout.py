"""Every page of every role at a phone's width (390 px), in Debian's Chromium, on the demo
city (tests/world.py): nothing wider than the screen (a wide table scrolls in its own box
and shows that it does), no text stacked a character per line, every menu entry and tab
reachable (the current one in view, the others behind a visible cue), money in the text's
colour unless it is negative or overdue, and a header that leaves the screen to the page
(tests/browser/layout.js). Then the defects once seen on a phone, each by name.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in_as
from tests.browser.layout import problems
from tests.world import CASEWORKER, COUNTY_FINANCE, SUPERVISOR, pages

pytestmark = pytest.mark.browser

# The admin is an administrator's desk tool, with Django's own layout: not checked here.
PHONE_PAGES = [page for page in pages() if not page.name.startswith("admin:")]
LOGINS = sorted({page.login for page in PHONE_PAGES})


@pytest.mark.parametrize("login", LOGINS, ids=[login or "signed-out" for login in LOGINS])
def test_every_page_fits_a_phone(demo_city, phone, login):
    if login:
        sign_in_as(phone, demo_city.url, login)
    failures = []
    for page in (p for p in PHONE_PAGES if p.login == login):
        response = phone.goto(demo_city.url + page.url(demo_city.world))
        assert response.status == 200, f"{page.key}: {response.status}"
        failures += [f"{page.key} ({page.url(demo_city.world)}): {problem}" for problem in problems(phone)]
    assert not failures, "\n".join(failures)


def test_the_statement_caption_is_one_line(demo_city, phone):
    world = demo_city.world
    sign_in_as(phone, demo_city.url, COUNTY_FINANCE)
    phone.goto(f"{demo_city.url}/funds/{world['fund']}/statements/{world['month']}/")
    caption = phone.locator("table.entries caption")
    expect(caption).to_be_visible()
    line = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('table.entries caption')).lineHeight)")
    assert caption.bounding_box()["height"] < 2 * line


def test_the_on_time_table_opens_on_the_latest_month_with_headers_on_one_line(demo_city, phone):
    sign_in_as(phone, demo_city.url, SUPERVISOR)
    phone.goto(f"{demo_city.url}/supervision/")
    heads = phone.locator("table.on-time thead th")
    expect(heads.first).to_be_visible()
    line = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('table.on-time thead th')).lineHeight)")
    for i in range(heads.count()):
        assert heads.nth(i).bounding_box()["height"] < 2 * line, heads.nth(i).inner_text()
    # This month is the last column: across the screen on arrival (the page's own scrolling
    # aside), the older months behind the fade.
    box = heads.last.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= phone.viewport_size["width"] + 1
    scroller = phone.locator("table.on-time").locator("xpath=..")
    expect(scroller).to_have_class("table-scroll more-left has-more")


def test_the_menu_shows_the_current_entry_and_a_cue_for_the_rest(demo_city, phone):
    sign_in_as(phone, demo_city.url, CASEWORKER)
    phone.goto(f"{demo_city.url}/exports/")  # the last entry of the caseworker's menu
    current = phone.locator(".mainnav a[aria-current]")
    expect(current).to_be_in_viewport(ratio=1)
    menu = phone.locator(".mainnav ul")
    expect(menu).to_have_class("more-left has-more")
    assert phone.evaluate("getComputedStyle(document.querySelector('.mainnav ul')).maskImage") != "none"
    phone.goto(f"{demo_city.url}/")
    expect(phone.locator(".mainnav ul")).to_have_class("more-right has-more")
    header = phone.locator("header.topbar").bounding_box()["height"]
    assert header <= 0.15 * phone.viewport_size["height"]


def test_an_overdue_row_is_marked_beside_its_labels_not_over_them(demo_city, phone):
    sign_in_as(phone, demo_city.url, CASEWORKER)
    phone.goto(f"{demo_city.url}/tasks/")
    row = phone.locator("table.tasks tr.is-overdue").first
    expect(row).to_be_visible()
    marks = row.evaluate("""tr => {
        const td = tr.querySelector('td'), s = getComputedStyle(tr);
        return {border: parseFloat(s.borderLeftWidth), color: s.borderLeftColor,
                shadow: getComputedStyle(td).boxShadow,
                rowLeft: tr.getBoundingClientRect().left, cellLeft: td.getBoundingClientRect().left};
    }""")
    assert marks["border"] >= 3 and marks["shadow"] == "none"
    assert marks["cellLeft"] >= marks["rowLeft"] + marks["border"]  # the label starts after the mark


def test_balances_are_in_the_texts_colour(demo_city, phone):
    sign_in_as(phone, demo_city.url, COUNTY_FINANCE)
    phone.goto(f"{demo_city.url}/funds/{demo_city.world['fund']}/")
    numbers = phone.locator(".stat-number")
    expect(numbers.first).to_be_visible()
    ink = phone.evaluate("getComputedStyle(document.body).color")
    for i in range(numbers.count()):
        assert numbers.nth(i).evaluate("el => getComputedStyle(el).color") == ink

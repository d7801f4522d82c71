"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Never ``playwright install``: the browser is the system package at /usr/bin/chromium.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
    "--lang=zh-CN",  # the browser's own words (a file picker's button) in the pages' language
]


@pytest.fixture(autouse=True, scope="module")
def _allow_orm_beside_playwright():
    """The sync Playwright API keeps an event loop running in the test thread, so Django
    refuses ORM calls from fixtures, assertions and database teardown there; they are
    still plain synchronous calls. Lifted for browser modules only (set up first, torn
    down last), so the rest of the suite keeps Django's check."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(_allow_orm_beside_playwright):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


# --- The demo city, served once for a module --------------------------------------------------------

@dataclass
class DemoCity:
    url: str
    world: object  # tests.world.World


@pytest.fixture(scope="module")
def demo_city(_allow_orm_beside_playwright, django_db_setup, django_db_blocker):
    """tests/world.py's demo city, built once for the module (committed, so the server's
    thread sees it) and served by a live server of the module's own; emptied at the end as
    a transactional test leaves the database. Tests that read the database ask for ``orm``."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.backends.base.creation import TEST_DATABASE_PREFIX
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.live_server_helper import LiveServer

    from tests.conftest import load_reference_data
    from tests.world import build

    with django_db_blocker.unblock():
        # pytest-django makes the test database for the tests that ask for one ("db",
        # "live_server"); these do not (they share this module's city, not a test's
        # transaction), so when no other test of the run asked, make it here.
        settings = connection.settings_dict
        ready = (settings["NAME"] == settings["TEST"].get("NAME") or connection.vendor == "sqlite"
                 and connection.is_in_memory_db() or str(settings["NAME"]).startswith(TEST_DATABASE_PREFIX))
        own_database = None if ready else setup_databases(verbosity=0, interactive=False, aliases={"default"})
        # Committed as it goes, as seed_demo's own run is (its steps' on-commit work runs when
        # it would for real); on PostgreSQL without waiting for each commit to reach the disk.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")
        load_reference_data()
        world = build()
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield DemoCity(url=server.url, world=world)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", verbosity=0, interactive=False)
            if own_database is not None:
                teardown_databases(own_database, verbosity=0)


@pytest.fixture
def orm(demo_city, django_db_blocker):
    """Database access for a test on the module's demo city (no transaction of its own)."""
    with django_db_blocker.unblock():
        yield


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_in_as(page, base_url: str, username: str, password: str | None = None) -> None:
    """Through the sign-in form, as a person does."""
    from playwright.sync_api import expect

    from tests.world import PASSWORD

    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password or PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("form.logout")).to_be_visible()

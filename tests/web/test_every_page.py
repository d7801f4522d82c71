"""Every page of the web interface, rendered for a login that works on it, in Chinese and
in English, on the demo city (tests/world.py): each opens (200), every page the URL
configuration serves is among them (or named as not a page, with the reason), and none
shows text of the other language or a code where words belong (tests/language.py).
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from staff.models import User
from tests import language
from tests.conftest import load_reference_data
from tests.world import EXPORTS, NOT_PAGES, build, pages

# URL names that only take a POST (a form on another page posts to them).
POST_ONLY = {
    "fund_allocate", "fund_adjust", "fund_limits", "fund_request_replenishment", "fund_entry_reverse",
    "fund_sign_off", "household_visit_recompute", "household_pairing", "task_claim", "task_release",
    "objection_create", "case_extend", "change_create", "work_refusal_create", "duplicate_resolve",
    "deadline_resume", "roster_create", "roster_regenerate", "roster_results", "roster_line_reissue",
    "case_bank_account", "proactive_deliver", "statistics_refresh", "whatif_create",
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at its end; each test
    runs in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_data()
        built = build()
        yield built
        transaction.set_rollback(True)


def _names(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _names(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + str(p.pattern), p.name


def test_every_page_of_the_url_configuration_is_visited():
    visited = {page.name for page in pages()}
    for route, name in _names(get_resolver().url_patterns):
        if route.startswith(("admin/", "api/")) or route.endswith(EXPORTS):
            continue
        assert name in visited or name in NOT_PAGES or name in POST_ONLY, (
            f"{route} ({name}) is neither a page in tests/world.py nor named there as something else")


def _render(client, world, page, language_code: str):
    client.logout()
    if page.login:
        client.force_login(User.objects.get(username=page.login))
    if page.session:
        session = client.session
        session.update(dict(page.session))
        session.save()
    client.cookies["django_language"] = language_code
    response = client.get(page.url(world), HTTP_ACCEPT_LANGUAGE=language_code)
    assert response.status_code == 200, f"{page.key} as {page.login or 'nobody'}: {response.status_code}"
    assert response["Content-Language"] == language_code
    return response.content.decode()


@pytest.mark.parametrize("language_code", ["zh-hans", "en"])
def test_every_page_opens_and_speaks_one_language(client, world, db, language_code):
    problems = []
    for page in pages():
        html = _render(client, world, page, language_code)
        problems += [f"{page.key} ({page.url(world)}): {leak}" for leak in language.leaks(html, language_code)]
    assert not problems, "\n".join(problems)

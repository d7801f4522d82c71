"""What a request answers when the database fails under it (core.outages, Django's
handler500): a 503 saying nothing was changed, in the user's language, as a page or as
JSON for the API, without touching the database; any other error is the 500 page. The
real thing — PostgreSQL ending a request's session mid-transition — is
tests/faults/test_dropped_connection.py."""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path

pytestmark = pytest.mark.django_db


def fails_with(error):
    def view(request):
        raise error

    return view


def answers(request):
    return HttpResponse("ok")


urlpatterns = [
    path("lost/", fails_with(OperationalError("server closed the connection unexpectedly"))),
    path("closed/", fails_with(InterfaceError("connection already closed"))),
    path("bug/", fails_with(ZeroDivisionError("a bug"))),
    path("api/v1/lost/", fails_with(OperationalError("terminating connection due to administrator command"))),
    path("", include("engine.urls")),
]
handler500 = "core.outages.server_error"


@pytest.fixture
def browser(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", ["/lost/", "/closed/"])
def test_a_lost_database_is_a_503_page_in_chinese(browser, url, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = browser.get(url)
    assert response.status_code == 503
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page and "请重试" in page and "没有做任何更改" in page
    assert "server closed" not in page and "Traceback" not in page


def test_in_english_for_an_english_reader(browser):
    page = browser.get("/lost/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Please try again" in page and "Nothing was changed" in page


def test_the_api_answers_json(browser):
    response = browser.get("/api/v1/lost/")
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert "没有做任何更改" in response.json()["detail"]


def test_any_other_error_is_the_500_page(browser):
    response = browser.get("/bug/")
    assert response.status_code == 500 and "系统错误" in response.content.decode()

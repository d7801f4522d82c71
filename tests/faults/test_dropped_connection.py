"""The database drops the connection of a request in the middle of a transition (a
restart, a failover, an administrator ending sessions: here ``pg_terminate_backend``
from another connection), on PostgreSQL and gunicorn as docs/deploy.md runs them.

The payment was written — ledger entry, fund balance, instalment, case, audit rows, the
next task — and not committed when the connection went. The client gets a clean answer,
a 503 in Chinese (a page on the web, JSON from the API), never a traceback; nothing of
the transition remains (all or nothing); the same worker serves the next request on a
new connection, and the payment sent again is made once."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from rest_framework.authtoken.models import Token

from deadlines.models import Deadline
from funds.models import LedgerEntry
from tests.faults.conftest import payment_state
from tests.faults.processes import (
    Gunicorn,
    HeldTransaction,
    InFlight,
    blocked_by,
    http,
    tables_written_by,
    terminate,
    wait_session_gone,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LOST = "与数据库的连接中断或数据库繁忙"  # the 503's message, in the site's language


@pytest.fixture
def server(transactional_db, tmp_path, live_broker):
    gunicorn = Gunicorn(tmp_path, CELERY_QUEUE=live_broker("dropped"))
    yield gunicorn
    gunicorn.stop()


def api_payment(server, case, user):
    token = Token.objects.create(user=user)
    return ("POST", f"{server.url}/api/v1/tasks/{case.task_id}/complete/"), {
        "headers": {"Authorization": f"Token {token.key}", "Content-Type": "application/json"}, "body": b"{}"}


def web_payment(server, case, user):
    """The task page's form, sent by a signed-in browser (session and CSRF cookies)."""
    browser = Client()
    browser.force_login(user)  # a session row the server reads
    csrf = _get_new_csrf_string()
    cookies = f"sessionid={browser.cookies['sessionid'].value}; csrftoken={csrf}"
    return ("POST", f"{server.url}/tasks/{case.task_id}/"), {
        "headers": {"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"},
        "body": urlencode({"csrfmiddlewaretoken": csrf, "confirm_payment": "1"}).encode()}


def drop_mid_payment(server, case, request_args):
    """Send the payment; while its transaction holds the money it wrote, the database ends
    the request's session. Returns the client's answer."""
    args, kwargs = request_args
    worker = server.worker()
    with HeldTransaction(lambda: Deadline.objects.select_for_update().get(pk=case.deadline.pk)) as held:
        request = InFlight(*args, **kwargs)
        request.start()
        session = blocked_by(held)
        assert {LedgerEntry._meta.db_table, "funds_reservefund", "audit_auditevent"} <= tables_written_by(session)
        terminate(session)
        answer = request.result()
    wait_session_gone(session)
    assert server.worker() == worker  # the worker lived on
    return answer


@pytest.mark.parametrize("channel", ["web", "api"])
def test_a_connection_dropped_mid_transition_answers_503_and_leaves_nothing_half_written(server, payable, alice,
                                                                                         channel):
    before = payment_state(payable)
    request_args = (web_payment if channel == "web" else api_payment)(server, payable, alice)

    status, headers, body = drop_mid_payment(server, payable, request_args)

    assert status == 503
    text = body.decode()
    assert "Traceback" not in text and "OperationalError" not in text
    if channel == "api":
        assert headers["Content-Type"] == "application/json"
        assert LOST in json.loads(text)["detail"]
    else:
        assert headers["Content-Type"].startswith("text/html")
        assert '<html lang="zh-hans">' in text and LOST in text and "请重试" in text
    assert "no-store" in headers["Cache-Control"]
    assert payment_state(payable) == before  # all or nothing: nothing

    # The same worker, on a new connection, takes the payment sent again; once.
    args, kwargs = request_args
    status, headers, body = http(*args, **kwargs)
    if channel == "web":
        assert status == 302 and headers["Location"].startswith("/tasks/")  # on to the next step
    else:
        assert status == 200 and json.loads(body)["status"] == "paid"
    after = payment_state(payable)
    assert [kind for kind, _amount, _key in after["payments"]] == ["disbursement"]
    assert after["balance"] == before["balance"] - Decimal("1200.00") and after["ledger_agrees"]
    assert after["case"][0] == "paid" and after["open_steps"] == ["file_with_county"]

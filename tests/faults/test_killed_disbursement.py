"""``kill -9`` of the gunicorn worker serving a payment from a township's reserve fund
(``POST /api/v1/tasks/{id}/complete/`` on the ``disburse`` step, as docs/deploy.md runs
the web), on PostgreSQL:

- killed inside the transaction, after the ledger entry, the fund's balance, the
  instalment, the case and their audit rows were written: the database rolls it all
  back; the client, who saw the connection drop, sends the request again and the
  payment is made once;
- killed while the database was committing: the payment is made once, and the client's
  retry is refused (409) without paying again.

Either way the fund's balance is its ledger's sum, and the same payment asked for again
with its idempotency key (application and instalment) returns the first entry."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token

from assistance.models import Application, Instalment
from audit.models import AuditEvent
from deadlines.models import Deadline
from funds import services as funds
from funds.models import LedgerEntry, ReserveFund
from staff.models import User
from tests.faults.conftest import payment_state
from tests.faults.processes import (
    Gunicorn,
    HeldTransaction,
    InFlight,
    blocked_by,
    http,
    tables_written_by,
    wait_session_gone,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

AMOUNT = Decimal("1200.00")
# What the payment writes before it commits.
MONEY_TABLES = {model._meta.db_table for model in (LedgerEntry, ReserveFund, Instalment, Application, AuditEvent)}


@pytest.fixture
def server(transactional_db, tmp_path, live_broker):
    # The voucher PDF is queued after the commit to a queue of this test's (emptied afterwards).
    gunicorn = Gunicorn(tmp_path, CELERY_QUEUE=live_broker("pay-kill"))
    yield gunicorn
    gunicorn.stop()


def pay(server, case, token):
    return ("POST", f"{server.url}/api/v1/tasks/{case.task_id}/complete/"), {
        "headers": {"Authorization": f"Token {token.key}", "Content-Type": "application/json"}, "body": b"{}"}


def assert_paid_once(case, before):
    after = payment_state(case)
    (payment,) = after["payments"]
    assert payment == ("disbursement", AMOUNT, funds.disbursement_key(case.application.pk, case.instalment.number))
    assert after["balance"] == before["balance"] - AMOUNT and after["ledger_agrees"]
    assert after["case"] == ("paid", AMOUNT) and after["instalment"][0] == "paid"
    assert after["open_steps"] == ["file_with_county"]
    assert after["trail"] == ["assistance.application.paid", "funds.ledger.disbursed"]
    # The same payment asked for again with its idempotency key is the first one.
    entry = funds.disburse(case.application.created_by, application=Application.objects.get(pk=case.application.pk),
                           instalment=Instalment.objects.get(pk=case.instalment.pk))
    assert LedgerEntry.objects.filter(application_id=case.application.pk).get().pk == entry.pk
    assert payment_state(case) == after


def test_killed_inside_the_transaction_nothing_is_paid_and_the_retry_pays_once(server, payable, alice):
    token = Token.objects.create(user=alice)
    before = payment_state(payable)
    assert before["payments"] == [] and before["ledger_agrees"]
    args, kwargs = pay(server, payable, token)
    # The step's last write closes its deadline: this test holds that row.
    with HeldTransaction(lambda: Deadline.objects.select_for_update().get(pk=payable.deadline.pk)) as held:
        request = InFlight(*args, **kwargs)
        request.start()
        session = blocked_by(held)
        assert MONEY_TABLES <= tables_written_by(session)  # the money moved, uncommitted
        server.kill_worker()
        assert isinstance(request.result(), OSError)  # the client saw the connection drop
    wait_session_gone(session)
    assert payment_state(payable) == before

    # The client sends it again, to the worker gunicorn started in the killed one's place.
    server.wait_ready()
    status, _headers, body = http(*args, **kwargs)
    assert status == 200, body
    assert json.loads(body)["status"] == "paid"
    assert http(*args, **kwargs)[0] == 409
    assert_paid_once(payable, before)


def test_killed_while_committing_the_payment_is_made_once_and_the_retry_is_refused(server, payable, alice):
    token = Token.objects.create(user=alice)
    before = payment_state(payable)
    args, kwargs = pay(server, payable, token)
    # The rows the payment wrote name its payer; their foreign keys are checked at COMMIT
    # (deferred), when this test's lock on the payer's row stops it.
    with HeldTransaction(lambda: User.objects.select_for_update().get(pk=alice.pk)) as held:
        request = InFlight(*args, **kwargs)
        request.start()
        session = blocked_by(held)
        assert MONEY_TABLES <= tables_written_by(session)
        server.kill_worker()
        assert isinstance(request.result(), OSError)
    wait_session_gone(session)  # the database finished the COMMIT it had been sent

    server.wait_ready()
    status, _headers, body = http(*args, **kwargs)
    assert status == 409, body  # the task is done: nothing is paid again
    assert_paid_once(payable, before)

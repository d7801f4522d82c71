"""The attack: five parallel completions of one task gave some 500s ("current transaction
is aborted"): viewflow's no-wait row lock on the process failed inside a savepoint, its
error was swallowed, and the transaction went on aborted. Now workflows.engine.complete
waits for the process row first: one completion wins, the others see the task done and
answer 409. PostgreSQL only: SQLite serializes writers and proves nothing about row locks."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from rest_framework.test import APIClient

from deadlines.calendar_admin import load_year
from tests.assistance.conftest import do, new_case, open_steps, open_task
from workflows.temporary.models import Status, TemporaryCase

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_concurrently(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.mark.parametrize("claimed", [False, True])
def test_five_parallel_completions_of_one_task_are_one_200_and_four_409(alice, amy, household, claimed):
    load_year(2025)
    load_year(2026)
    application = new_case(alice, household, amount_requested="1200.00")
    do(alice, application, "intake", complete=True)
    task_id = open_task(application, "investigate").subject_id
    if claimed:
        from workflows import engine

        engine.claim(alice, task_id)

    def complete():
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(alice)
        return client.post(f"/api/v1/tasks/{task_id}/complete/",
                           {"investigators": ["alice", "amy"], "findings": "入户核实属实"}, format="json").status_code

    codes = run_concurrently([complete] * 5)
    assert sorted(codes) == [200, 409, 409, 409, 409], codes
    assert TemporaryCase.objects.get(pk=application.pk).status == Status.TOWNSHIP_REVIEW
    assert open_steps(application) == ["township_approve"]

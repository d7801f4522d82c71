"""A temporary-assistance case at its ``disburse`` step, taken by its payer, with money
in the township's fund: what the payment faults interrupt."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class Payable:
    application: object
    instalment: object
    task_id: int
    deadline: object
    fund: object


@pytest.fixture
def payable(alice, amy, hana, household, root) -> Payable:
    from assistance.models import Instalment
    from deadlines.calendar_admin import load_year
    from tests.assistance.conftest import do, open_task
    from tests.assistance.test_paths_with_payment import investigated
    from tests.conftest import TOWNSHIP_A
    from tests.funds.conftest import open_fund
    from workflows import engine

    load_year(2025)
    load_year(2026)
    fund = open_fund(TOWNSHIP_A, "5000.00", by=root)
    application = investigated(alice, household, amount_requested="1200.00")
    do(hana, application, "township_approve", decision="approve", amount_approved="1200.00", reason="同意")
    deadline = open_task(application, "disburse")
    engine.claim(alice, deadline.subject_id)  # the payer took the task from the queue
    return Payable(application=application, instalment=Instalment.objects.get(application=application),
                   task_id=deadline.subject_id, deadline=deadline, fund=fund)


def payment_state(case: Payable) -> dict:
    """Everything a payment changes, as the database holds it (committed)."""
    from viewflow.workflow.models import Task

    from assistance.models import Application, Instalment
    from audit.models import AuditEvent
    from deadlines.models import Deadline
    from funds.models import LedgerEntry, ReserveFund
    from funds.statements import check_fund

    check = check_fund(case.fund)
    return {
        "case": Application.objects.values_list("status", "amount_paid").get(pk=case.application.pk),
        "instalment": Instalment.objects.values_list("status", "source").get(pk=case.instalment.pk),
        "task": Task.objects.values_list("status", flat=True).get(pk=case.task_id),
        "deadline": Deadline.objects.values_list("status", flat=True).get(pk=case.deadline.pk),
        "open_steps": sorted(Deadline.objects.filter(application_id=case.application.pk).exclude(status="closed")
                             .values_list("step", flat=True)),
        "payments": list(LedgerEntry.objects.filter(application_id=case.application.pk)
                         .values_list("kind", "amount", "idempotency_key")),
        "balance": ReserveFund.objects.values_list("balance", flat=True).get(pk=case.fund.pk),
        "ledger_agrees": check.ok,
        "trail": sorted(AuditEvent.objects.filter(event__in=["funds.ledger.disbursed", "assistance.application.paid"])
                        .values_list("event", flat=True)),
    }

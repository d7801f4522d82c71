"""Helpers to walk a temporary-assistance case through its flow as its staff would."""

from __future__ import annotations

import pytest

from assistance import services
from core import programs
from deadlines.calendar_admin import load_year
from deadlines.models import Deadline
from workflows import engine


@pytest.fixture(autouse=True)
def _calendar(db, reference_data):
    load_year(2025)
    load_year(2026)


def open_task(application, step: str) -> Deadline:
    return Deadline.objects.exclude(status="closed").get(application_id=application.pk, step=step)


def do(user, application, step: str, **fields):
    """Complete the open task ``step`` of ``application`` as ``user``."""
    deadline = open_task(application, step)
    return engine.complete(user, deadline.subject_id, programs.step(deadline.flow, step).service, **fields)


def open_steps(application) -> list[str]:
    return sorted(Deadline.objects.exclude(status="closed").filter(application_id=application.pk)
                  .values_list("step", flat=True))


def new_case(caseworker, household, **overrides):
    fields = {"household": household.pk, "program": "temporary", "kind": "expense", "cause": "老伴住院，自付医疗费用",
              "cause_category": "other", "amount_requested": "1200.00"}
    fields.update(overrides)
    return services.open_application(caseworker, **fields)

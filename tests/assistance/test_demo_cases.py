"""The demo city holds temporary-assistance cases in every state, some overdue."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from assistance.models import Application
from deadlines.models import Deadline
from workflows.temporary.models import Status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_seed_demo_creates_cases_in_every_state_once():
    call_command("load_calendar", "--years", "2025-2026")
    call_command("seed_demo", "--households", "60")
    statuses = set(Application.objects.filter(program="temporary").values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert Deadline.objects.overdue().exists()
    count = Application.objects.count()
    call_command("seed_demo", "--households", "60")
    assert Application.objects.count() == count

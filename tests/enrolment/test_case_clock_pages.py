"""The whole-case clock of 低保 (a deadline whose subject is the case, not a task) shows
on the supervisors' pages like any deadline, and is swept and escalated like one."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from deadlines.models import Deadline
from deadlines.sweep import sweep

from .conftest import do, open_case

pytestmark = pytest.mark.django_db


def _clock(case) -> Deadline:
    return Deadline.objects.get(application_id=case.pk, subject_type__model="application")


def test_intake_starts_the_thirty_day_clock(alice, poor_couple):
    case = open_case(alice, poor_couple)
    assert not Deadline.objects.filter(application_id=case.pk, subject_type__model="application").exists()
    do(alice, case, "intake", complete=True)
    clock = _clock(case)
    assert (clock.flow, clock.step, clock.policy.duration) == ("dibao", "case", 30)


def test_an_overdue_case_shows_on_the_breach_pages_and_is_escalated(as_user, alice, sam, poor_couple):
    case = open_case(alice, poor_couple)
    do(alice, case, "intake", complete=True)
    past = timezone.now() - datetime.timedelta(days=3)
    Deadline.objects.filter(pk=_clock(case).pk).update(due_at=past, remind_at=None, next_check_at=past)
    sweep()
    clock = _clock(case)
    assert clock.breached_at is not None and clock.escalation_level >= 1
    client = as_user(sam)
    for name in ("/supervision/", "/supervision/breaches/", "/supervision/breaches/export.xlsx"):
        response = client.get(name)
        assert response.status_code == 200, name
    page = client.get("/supervision/breaches/").content.decode()
    assert "全案办理时限" in page
    assert f"/applications/{case.pk}/" in page

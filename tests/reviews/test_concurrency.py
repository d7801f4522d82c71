"""Two schedulers at once, and a scheduler racing a reported change: one open review per
case (the case lock, and the partial unique index behind it). PostgreSQL only: SQLite
serializes writers and proves nothing about row locks."""

from __future__ import annotations

import pytest

from tests.assistance.test_concurrent_completion import run_concurrently
from workflows.reviews import services
from workflows.reviews.models import ChangeReport, Review

from .conftest import today
from .test_schedule import approved_ago

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_runs_open_one_review(alice, enrolled):
    case = enrolled
    approved_ago(case, 13)
    results = run_concurrently([services.schedule_due, services.schedule_due, services.schedule_due,
                                lambda: services.report_change(alice, case.pk, kind="other", note="邻居反映",
                                                               occurred_on=today())])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Review.objects.filter(application=case).count() == 1
    assert Review.objects.filter(application=case, status="open").count() == 1
    assert ChangeReport.objects.get().review == Review.objects.get()
    assert sum(len(r) for r in results[:3]) <= 1

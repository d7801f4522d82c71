"""Asking for the figures to be computed again, and running that work with its progress."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.errors import InvalidInput, NotPermitted
from core.scoping import code_visible_to
from workflows.enrolment.benefits import add_months

from . import refresh as computing
from .models import Refresh, RefreshStatus
from .periods import Period

PERMISSION = "reporting.view_statistics"


def request_refresh(user, region_code: str, period: Period, *, request=None) -> Refresh:
    """A supervisor asks for a region's figures of a period to be computed now; a worker does it."""
    if not user.has_perm(PERMISSION) or not code_visible_to(user, region_code):
        raise NotPermitted("You may not refresh these statistics.")
    if period.first > timezone.localdate():
        raise InvalidInput({"period": ["This period has not begun."]})
    running = Refresh.objects.filter(region_code=region_code, first_month=period.first, last_month=period.last,
                                     status__in=[RefreshStatus.QUEUED, RefreshStatus.RUNNING]).first()
    if running is not None:
        return running
    run = Refresh.objects.create(region_code=region_code, first_month=period.first, last_month=period.last,
                                 months_total=period.count, requested_by=user)
    audit.record("reporting.refresh.requested", actor=user, region_code=region_code, request=request,
                 extra={"period": period.code, "refresh": run.pk})
    _enqueue(run.pk)
    return run


def _enqueue(refresh_id: int) -> None:
    from .tasks import run_refresh

    transaction.on_commit(lambda: run_refresh.delay(refresh_id))


def run(refresh_id: int) -> None:
    """Compute each month of the request in turn (each in its own transaction), counting progress."""
    claimed = Refresh.objects.filter(pk=refresh_id, status=RefreshStatus.QUEUED).update(status=RefreshStatus.RUNNING)
    if not claimed:
        return
    job = Refresh.objects.get(pk=refresh_id)
    month, done = job.first_month, 0
    try:
        while month <= job.last_month and month <= timezone.localdate():
            computing.refresh_month(job.region_code, month)
            done += 1
            Refresh.objects.filter(pk=job.pk).update(months_done=done)
            month = add_months(month, 1)
    except Exception as exc:  # the page shows why; the worker's log has the traceback
        Refresh.objects.filter(pk=job.pk).update(status=RefreshStatus.FAILED, error=str(exc)[:500],
                                                 finished_at=timezone.now())
        raise
    Refresh.objects.filter(pk=job.pk).update(status=RefreshStatus.DONE, months_done=job.months_total,
                                             finished_at=timezone.now())


def nightly(today: datetime.date | None = None) -> int:
    """Compute the last STATISTICS_NIGHTLY_MONTHS months (this one included) for every top
    region: late bank results and reversals change recent months, not old ones."""
    today = today or timezone.localdate()
    first = add_months(today.replace(day=1), 1 - settings.STATISTICS_NIGHTLY_MONTHS)
    rows = 0
    for code in computing.top_regions():
        month = first
        while month <= today:
            rows += computing.refresh_month(code, month)
            month = add_months(month, 1)
    return rows


def fail_stale(now=None) -> int:
    """A request no worker finished within STATISTICS_STALE_MINUTES is marked failed (and may be asked again)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.STATISTICS_STALE_MINUTES)
    return Refresh.objects.filter(status__in=[RefreshStatus.QUEUED, RefreshStatus.RUNNING],
                                  requested_at__lt=cutoff).update(
        status=RefreshStatus.FAILED, error="No worker finished it in time.", finished_at=now)


def current_month() -> int:
    month = timezone.localdate().replace(day=1)
    return sum(computing.refresh_month(code, month) for code in computing.top_regions())

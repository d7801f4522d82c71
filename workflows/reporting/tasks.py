"""Thin tasks: call the service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="reporting.refresh", ignore_result=True)
def run_refresh(refresh_id: int) -> None:
    from . import services

    services.run(refresh_id)


@shared_task(name="reporting.nightly", ignore_result=True)
def nightly() -> int:
    """Beat, every night: the recent months' figures for every region, and stale requests failed."""
    from . import services

    services.fail_stale()
    return services.nightly()


@shared_task(name="reporting.current_month", ignore_result=True)
def current_month() -> int:
    """Beat, hourly: this month's figures for every region, so the pages are at most an hour old."""
    from . import services

    return services.current_month()

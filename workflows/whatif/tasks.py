"""Thin tasks: take a run's id, call the service. No retries: a failure is written on
the run for whoever asked, who asks again; an answered run is never answered twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="whatif.run", ignore_result=True)
def run_what_if(run_id: int) -> None:
    from . import services

    services.run(run_id)


@shared_task(name="whatif.resume", ignore_result=True)
def resume_stale() -> int:
    """Beat, every minute: answer again a what-if whose worker stopped (killed, restarted)."""
    from . import services

    return services.resume_stale()

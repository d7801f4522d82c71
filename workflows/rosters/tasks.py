"""Thin tasks: load by id, call the service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="rosters.generate", ignore_result=True)
def generate_roster(roster_id: int) -> None:
    from . import services

    services.generate(roster_id)


@shared_task(name="rosters.resume", ignore_result=True)
def resume_stale() -> int:
    """Beat, every minute: generate again a roster whose worker stopped (killed, restarted)."""
    from . import services

    return services.resume_stale()

"""Thin tasks: take a job's id, call the service. Neither retries: a failure is written on
the job for its requester, who asks again; a finished job is never run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="exports.run", ignore_result=True)
def run_export(job_id: str) -> str | None:
    from . import services

    return services.run(job_id)


@shared_task(name="exports.purge", ignore_result=True)
def purge() -> int:
    """Beat: delete expired jobs and their files, and give up jobs whose worker died."""
    from . import services

    return services.purge()


@shared_task(name="exports.recover", ignore_result=True)
def recover() -> int:
    """Beat, every minute: fail running jobs whose worker died, and remove what it left."""
    from . import services

    return services.recover()

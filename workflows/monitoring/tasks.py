"""Thin task: the nightly scan of the warning rules."""

from celery import shared_task

from . import services


@shared_task(name="monitoring.scan")
def scan_warnings() -> dict:
    return services.scan().raised

"""What the health page and `/healthz` report: database, broker and a recent heartbeat."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "down" on a health page
        return False


def last_heartbeat() -> datetime.datetime | None:
    from django_celery_results.models import TaskResult

    row = (
        TaskResult.objects.filter(task_name="core.tasks.heartbeat", status="SUCCESS")
        .order_by("-date_done").values_list("date_done", flat=True).first()
    )
    return row


def status() -> dict:
    beat = last_heartbeat()
    interval = settings.CELERY_BEAT_SCHEDULE["heartbeat"]["schedule"]
    fresh = beat is not None and timezone.now() - beat < datetime.timedelta(seconds=3 * interval)
    return {
        "database": database_ok(),
        "broker": settings.CELERY_BROKER_URL.split("://", 1)[0],
        "last_heartbeat": beat.isoformat() if beat else None,
        "workers_alive": fresh,
    }

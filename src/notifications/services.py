from __future__ import annotations

from collections.abc import Iterable

from core.tasks import queue_after_commit

from .models import Notification

DELIVERY_CHUNK = 500


def build(recipients: Iterable, *, event: str, title: str, body: str = "", link: str = "") -> list[Notification]:
    """Unsaved in-app rows, one per distinct recipient."""
    return [Notification(recipient=user, event=event, title=title[:200], body=body, link=link)
            for user in {u.pk: u for u in recipients}.values()]


def send(rows: list[Notification]) -> list[Notification]:
    """Insert in-app rows now (inside the caller's transaction) and queue the e-mail/SMS
    copies after it commits, so a rolled-back change notifies no one."""
    rows = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in rows]
    for start in range(0, len(ids), DELIVERY_CHUNK):
        queue_after_commit("notifications.deliver", ids[start:start + DELIVERY_CHUNK])
    return rows


def notify(recipients: Iterable, *, event: str, title: str, body: str = "", link: str = "") -> list[Notification]:
    return send(build(recipients, event=event, title=title, body=body, link=link))

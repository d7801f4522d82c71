from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from .models import Notification


def notify(recipients: Iterable, *, event: str, title: str, body: str = "", link: str = "") -> list[Notification]:
    """Write in-app notifications now (inside the caller's transaction) and send the
    e-mail/SMS copies after it commits, so a rolled-back change notifies no one."""
    rows = Notification.objects.bulk_create(
        [Notification(recipient=user, event=event, title=title[:200], body=body, link=link)
         for user in {u.pk: u for u in recipients}.values()]
    )
    ids = [n.pk for n in rows]
    if ids:
        from .tasks import deliver

        transaction.on_commit(lambda: deliver.delay(ids))
    return rows

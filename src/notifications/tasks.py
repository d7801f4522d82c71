from celery import shared_task
from django.utils import timezone

from . import channels
from .models import Notification


@shared_task(name="notifications.deliver", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver(notification_ids: list[int]) -> int:
    """Send the e-mail and SMS copies; marks each so a retry never sends twice."""
    sent = 0
    for n in Notification.objects.filter(pk__in=notification_ids).select_related("recipient"):
        now = timezone.now()
        if n.emailed_at is None and channels.send_email(n):
            Notification.objects.filter(pk=n.pk, emailed_at__isnull=True).update(emailed_at=now)
            sent += 1
        if n.texted_at is None and channels.send_sms(n):
            Notification.objects.filter(pk=n.pk, texted_at__isnull=True).update(texted_at=now)
            sent += 1
    return sent

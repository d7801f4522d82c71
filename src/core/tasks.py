from celery import shared_task
from django.utils import timezone


@shared_task(name="core.tasks.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """Beat sends this every minute; its stored result is how the health page knows
    that both beat and a worker are alive."""
    return timezone.now().isoformat()

from celery import shared_task
from django.utils import timezone

from . import services, sweep


@shared_task(name="deadlines.sweep", ignore_result=False)
def run_sweep() -> int:
    """Its stored result (events fired) lets monitoring see the sweeper is alive."""
    return len(sweep.sweep().fired)


@shared_task(name="deadlines.check_next_year", ignore_result=True)
def check_next_year() -> bool:
    from .calendar_admin import warn_if_next_year_unconfirmed

    return warn_if_next_year_unconfirmed(timezone.localdate())


@shared_task(name="deadlines.recompute_provisional", ignore_result=True)
def recompute_provisional(region_prefix: str = "") -> int:
    return services.recompute_provisional(region_prefix)

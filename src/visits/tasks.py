"""Celery beat jobs of home visits: thin, each loads nothing and calls one service."""

from celery import shared_task

from . import services


@shared_task(name="visits.generate")
def generate() -> int:
    """Close windows that passed and generate the visits ahead (idempotent)."""
    return services.roll().created


@shared_task(name="visits.recompute_changed")
def recompute_changed() -> int:
    """Plans of people registered or edited lately (conditions, age, household)."""
    report = services.recompute_changed()
    return len(report.created) + len(report.changed) + len(report.ended)


@shared_task(name="visits.recompute_people")
def recompute_people(person_ids: list[int]) -> int:
    """Plans of people the registry just changed (queued when the change commits)."""
    from registry.models import Person

    report = services.recompute_plans(Person.objects.filter(pk__in=person_ids))
    return len(report.created) + len(report.changed) + len(report.ended)


@shared_task(name="visits.recompute_all")
def recompute_all() -> int:
    """Everyone, nightly: ages cross thresholds and benefits start without an edit to the person."""
    report = services.recompute_plans()
    return len(report.created) + len(report.changed) + len(report.ended)


@shared_task(name="visits.remind_retries")
def remind_retries() -> int:
    return services.remind_retries()

"""Thin tasks: the daily schedule of reviews, the daily end of gradual exits, and the
rendering of a notice after its decision commits."""

from celery import shared_task

from . import notices, services


@shared_task(name="reviews.schedule")
def schedule_reviews() -> int:
    return len(services.schedule_due())


@shared_task(name="reviews.end_gradual_exits")
def end_gradual_exits() -> int:
    return len(services.end_gradual_exits())


@shared_task(name="reviews.render_notice", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_notice(notice_id: int) -> int:
    return notices.render(notice_id).pk

from celery import shared_task

from . import notices


@shared_task(name="enrolment.render_notice", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_notice(notice_id: int) -> int:
    return notices.render(notice_id).pk

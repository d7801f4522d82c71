from celery import shared_task

from . import services


@shared_task(name="documents.generate", autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=300,
             max_retries=5)
def generate_document(application_id: int, kind: str, instalment_id: int | None = None,
                      actor_id: int | None = None) -> int:
    """Render and store one document; retried when the disk or a font file fails us.
    Domain errors (the case no longer allows this document) are not retried."""
    return services.generate(application_id, kind, instalment_id=instalment_id, actor_id=actor_id).pk

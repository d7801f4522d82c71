from celery import shared_task
from django.utils import timezone


@shared_task(name="core.tasks.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """Beat sends this every minute; its stored result is how the health page knows
    that both beat and a worker are alive."""
    return timezone.now().isoformat()


def queue_after_commit(name: str, *args, robust: bool = False, **kwargs) -> None:
    """Queue the Celery task registered as ``name`` once the caller's transaction commits.

    By name, so that a service never imports its app's tasks module: tasks call services,
    never the other way round (the layers contract in pyproject.toml). ``robust``: a
    failure to queue is logged and never fails the change that committed."""
    from celery import current_app
    from django.db import transaction

    if name not in current_app.tasks:
        # Outside a worker nothing has imported the apps' tasks modules yet: Celery's
        # autodiscovery does it now, once. An unknown name still fails here, in the caller.
        current_app.loader.import_default_modules()
    task = current_app.tasks[name]

    def queue():
        task.delay(*args, **kwargs)

    queue.__qualname__ = f"queue_after_commit({name})"  # what a robust callback's failure log names
    transaction.on_commit(queue, robust=robust)

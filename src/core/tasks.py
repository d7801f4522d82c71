from celery import shared_task
from django.utils import timezone


@shared_task(name="core.tasks.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """Beat sends this every minute; its stored result is how the health page knows
    that both beat and a worker are alive."""
    return timezone.now().isoformat()


def _task(name: str):
    """The Celery task registered as ``name``. By name, so that a service never imports its
    app's tasks module: tasks call services, never the other way round (the layers contract
    in pyproject.toml). An unknown name fails here, in the caller."""
    from celery import current_app

    if name not in current_app.tasks:
        # Outside a worker nothing has imported the apps' tasks modules yet: Celery's
        # autodiscovery does it now, once.
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def queue(name: str, *args, **kwargs):
    """Queue the task registered as ``name`` now."""
    return _task(name).delay(*args, **kwargs)


def queue_after_commit(name: str, *args, robust: bool = False, **kwargs) -> None:
    """``queue`` once the caller's transaction commits. ``robust``: a failure to queue is
    logged and never fails the change that committed."""
    from django.db import transaction

    task = _task(name)

    def queue_task():
        task.delay(*args, **kwargs)

    queue_task.__qualname__ = f"queue_after_commit({name})"  # what a robust callback's failure log names
    transaction.on_commit(queue_task, robust=robust)

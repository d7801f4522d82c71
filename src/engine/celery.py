"""The one Celery application: configuration comes from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engine.settings")

app = Celery("engine")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The default in every thread too: services queue tasks by name through celery.current_app
# (core.tasks.queue_after_commit), also from threads other than the one that made the app.
app.set_default()


@app.on_after_configure.connect
def _make_broker_folders(sender, **kwargs):
    # kombu's filesystem transport fails when its folders are missing.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)

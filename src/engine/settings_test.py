"""Strict, fast settings for the test suite."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")

from .settings import *  # noqa: E402,F403

# Programs defined only for the tests (tests/programs/<name>/, each an app that registers
# itself like the folders under workflows/): installed here, nowhere else.
_TEST_PROGRAMS = Path(__file__).resolve().parents[2] / "tests" / "programs"
INSTALLED_APPS = [*INSTALLED_APPS, *(  # noqa: F405
    f"tests.programs.{folder.name}" for folder in sorted(_TEST_PROGRAMS.iterdir())
    if (folder / "apps.py").exists())]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Eager tasks for tests that are not about Celery; those that are start a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "zh-hans"
LOGIN_FAILURE_LIMIT = AXES_FAILURE_LIMIT = 5
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Serve static files from the app folders: tests do not run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Parallel test workers share one Redis: keep their cache keys apart.
CACHES["default"]["KEY_PREFIX"] = "test-" + os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405
if CELERY_BROKER_URL.startswith("filesystem://"):  # noqa: F405
    # A private queue folder, so tests never consume a running development instance's tasks.
    _queue = tempfile.mkdtemp(prefix="engine-test-broker-")
    CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
                                       "data_folder_in": _queue, "data_folder_out": _queue,
                                       "processed_folder": _queue, "control_folder": _queue + "/control"}
# Export files in a private folder per run, not the development instance's var/exports.
EXPORT_DIR = Path(tempfile.mkdtemp(prefix="engine-test-exports-"))
# Parallel test workers (pytest-xdist) share one Redis broker: each consumes only its own queue.
CELERY_TASK_DEFAULT_QUEUE = "test-" + os.environ.get("PYTEST_XDIST_WORKER", "main")

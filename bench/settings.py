"""Settings for the benchmarks only: the project's settings plus viewflow's bundled UI
app, so viewflow's stock queue and inbox pages can be measured side by side with the
engine's on the same data. The project itself never installs that app (its static
files break collectstatic); nothing here is used outside bench/.
"""

from engine.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "viewflow"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
# The benchmarks sign people in with force_login: a fast hasher keeps user setup quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# The test client's host.
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# viewflow's static files are not collected (the project never installs its UI app):
# plain storage for every page measured, engine and viewflow alike.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

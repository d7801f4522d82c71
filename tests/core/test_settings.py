"""Configuration: production settings pass Django's deployment checks, and bad
environment values fail loudly at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import env

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **extra_env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    environment.update(DJANGO_SETTINGS_MODULE="engine.settings", **extra_env)
    # The limit only catches a hang: collectstatic compresses every static file (about a
    # minute of CPU), which on two busy cores has taken longer than two minutes.
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=600)


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SECURE="1", DJANGO_SECRET_KEY="p" * 20 + "-production-secret-key-with-enough-entropy-9f3k2",
        DJANGO_ALLOWED_HOSTS="assist.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret():
    result = run_manage("check", DJANGO_SECURE="1")
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(("name", "value", "call"), [
    ("X_BOOL", "maybe", lambda: env.env_bool("X_BOOL", False)),
    ("X_INT", "ten", lambda: env.env_int("X_INT", 1)),
    ("X_INT", "-5", lambda: env.env_int("X_INT", 1, minimum=0)),
    ("X_DB", "nosuch://x", lambda: env.env_database("X_DB", "sqlite:///x")),
])
def test_bad_values_fail_loudly(monkeypatch, name, value, call):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured):
        call()


def test_secret_from_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.delenv("X_SECRET", raising=False)
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env.env_secret("X_SECRET") == "from-a-file"


def test_collectstatic_with_production_storage(tmp_path):
    """scripts/run collects static files with the hashed, compressed storage; a CSS file
    pointing at a missing font would stop the engine from starting."""
    result = run_manage("collectstatic", "--noinput", "-v", "0", ENGINE_VAR_DIR=str(tmp_path),
                        DJANGO_SECRET_KEY="collect-static-test-key-0123456789abcdef")
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()

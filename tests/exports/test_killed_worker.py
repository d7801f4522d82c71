"""The attack: a killed export job stayed "running" until the hourly purge had seen 30
minutes without progress, and openpyxl's temporary file of its sheet (names, addresses)
stayed in the system's temporary folder for good. Now the worker's heartbeat is checked
every minute (exports.recover): a job whose worker is gone fails within minutes and
what it left is removed; the sheets stream into the private export folder, never the
system's temporary folder."""

from __future__ import annotations

import datetime
import os
import tempfile
import time

import openpyxl.worksheet._writer
import pytest
from django.conf import settings
from django.utils import timezone

from exports import services
from exports.models import ExportJob, JobStatus
from exports.xlsx import temp_dir
from notifications.models import Notification
from tests.conftest import register_households
from tests.exports.test_jobs import _job

pytestmark = pytest.mark.django_db


def system_temp_files() -> set[str]:
    return {name for name in os.listdir(tempfile.gettempdir()) if name.startswith("openpyxl.")}


def leave_files_of_a_killed_worker(job) -> list:
    settings.EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    partial = settings.EXPORT_DIR / f"{job.pk}.x1y2.partial"
    sheet = temp_dir() / f"{job.pk}.a1b2.sheet.xml"
    partial.write_bytes(b"PK half a workbook")
    sheet.write_text("<row><c><is><t>赵001 西关1号</t></is></c></row>")
    return [partial, sheet]


def test_a_job_whose_worker_was_killed_fails_within_minutes_and_leaves_nothing(alice):
    three_minutes_ago = timezone.now() - datetime.timedelta(minutes=3)
    job = _job(alice, status=JobStatus.RUNNING, started_at=three_minutes_ago, progress_at=three_minutes_ago,
               heartbeat_at=three_minutes_ago)
    files = leave_files_of_a_killed_worker(job)
    # The hourly purge still waits for 30 minutes without progress.
    services.purge()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    # The beat job of every minute does not.
    assert services.recover() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "stopped" in job.error
    assert not any(path.exists() for path in files)
    assert Notification.objects.filter(recipient=alice, event="exports.job.failed").exists()


def test_a_job_whose_worker_is_alive_is_left_alone(alice):
    long_ago = timezone.now() - datetime.timedelta(minutes=20)
    job = _job(alice, status=JobStatus.RUNNING, started_at=long_ago, progress_at=long_ago,
               heartbeat_at=timezone.now() - datetime.timedelta(seconds=10))
    sheet = temp_dir() / f"{job.pk}.c3d4.sheet.xml"
    sheet.write_text("<row/>")
    assert services.recover() == 0
    services.purge()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and sheet.exists()
    sheet.unlink()


def test_the_recovery_runs_every_minute():
    from engine.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["exports-recover"]
    assert entry["task"] == "exports.recover" and entry["schedule"] <= 60
    assert "exports.recover" in app.tasks
    assert settings.EXPORT_DEAD_AFTER_SECONDS <= 5 * 60


@pytest.mark.django_db(transaction=True)
def test_the_worker_says_it_is_alive_while_it_writes(alice, household, monkeypatch):
    settings_heartbeat = 0.05
    monkeypatch.setattr(settings, "EXPORT_HEARTBEAT_SECONDS", settings_heartbeat)
    register_households(alice, 3)
    monkeypatch.setattr(settings, "EXPORT_HOUSEHOLD_CHUNK_ROWS", 1)
    job = _job(alice)
    seen = []
    original = services._record_progress

    def slow(job_id, done, total):
        original(job_id, done, total)
        time.sleep(0.3)  # a long chunk: no progress, but the heartbeat goes on
        seen.append(ExportJob.objects.get(pk=job_id).heartbeat_at)

    monkeypatch.setattr(services, "_record_progress", slow)
    assert services.run(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert len(set(seen)) > 1 and job.heartbeat_at > job.started_at


def test_sheets_are_written_in_the_private_folder_never_the_system_one(alice, household, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl's own temporary file in the system's temporary folder")

    monkeypatch.setattr(openpyxl.worksheet._writer, "create_temporary_file", refuse)
    register_households(alice, 3)
    monkeypatch.setattr(settings, "EXPORT_HOUSEHOLD_CHUNK_ROWS", 2)
    job = _job(alice)
    before = system_temp_files()
    during = []
    original = services._record_progress

    def look(job_id, done, total):
        original(job_id, done, total)
        during.append(sorted(p.name for p in temp_dir().iterdir() if p.name.startswith(str(job_id))))

    monkeypatch.setattr(services, "_record_progress", look)
    assert services.run(job.pk) == JobStatus.DONE
    assert any(names for names in during), during  # the sheet streamed into the private folder
    assert oct(temp_dir().stat().st_mode & 0o777) == "0o700"
    assert not [p for p in temp_dir().iterdir() if p.name.startswith(str(job.pk))]  # and is gone
    assert system_temp_files() == before


def test_a_failed_job_leaves_no_sheet_behind(alice, household, monkeypatch):
    register_households(alice, 3)
    monkeypatch.setattr(settings, "EXPORT_HOUSEHOLD_CHUNK_ROWS", 2)
    job = _job(alice)
    original = services._record_progress

    def fail_midway(job_id, done, total):
        original(job_id, done, total)
        if done:
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "_record_progress", fail_midway)
    assert services.run(job.pk) == JobStatus.FAILED
    assert not [p for p in temp_dir().iterdir() if p.name.startswith(str(job.pk))]
    assert not list(settings.EXPORT_DIR.glob(f"{job.pk}.*"))

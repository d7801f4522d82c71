"""``kill -9`` of a real Celery worker (Redis broker, PostgreSQL) in the middle of an
export: its partial workbook and the sheet openpyxl was streaming (names, masked ID
numbers, villages) are on disk, its job reads "running". The minute's beat job, run by a
restarted worker once the dead worker's heartbeat is EXPORT_DEAD_AFTER_SECONDS old,
fails the job, tells the requester and removes every file holding the job's rows; a
redelivered message does not run it again, and the export asked for again is whole."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import F

from exports import services
from exports.models import ExportJob, JobStatus
from notifications.models import Notification
from tests.conftest import register_households
from tests.exports.helpers import sheet_rows
from tests.faults.processes import kill, start_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOUSEHOLDS = 60
SLOW_EXPORT = {"EXPORT_HOUSEHOLD_CHUNK_ROWS": 10, "EXPORT_CHUNK_PAUSE_MS": 300, "EXPORT_HEARTBEAT_SECONDS": 1}
# Every head of household's name starts so (register_households), written in UTF-8 or, in
# openpyxl's sheet XML, as character references.
NAME = "赵0"
PERSONAL = (NAME.encode(), NAME.encode("ascii", "xmlcharrefreplace"))


def holding_personal_data(root: Path) -> list[Path]:
    """Files under ``root`` (the worker's ENGINE_VAR_DIR and TMPDIR) that hold a name."""
    return [path for path in root.rglob("*") if path.is_file() and path.suffix != ".log"
            and any(marker in path.read_bytes() for marker in PERSONAL)]


def test_a_worker_killed_mid_export_fails_its_job_within_minutes_and_leaves_no_personal_data(
        alice, tmp_path, live_broker, monkeypatch):
    register_households(alice, HOUSEHOLDS)
    monkeypatch.setattr(settings, "EXPORT_DIR", tmp_path / "exports")  # the worker's (ENGINE_VAR_DIR)
    queue = live_broker("export-kill")
    worker = start_worker(queue, tmp_path, **SLOW_EXPORT)
    try:
        job = services.request_export(alice, "households", {"q": "", "region": ""}, rows_total=HOUSEHOLDS)
        # Killed with some chunks written and others not.
        wait_for(lambda: 20 <= ExportJob.objects.get(pk=job.pk).rows_done < HOUSEHOLDS, what="two chunks")
        left = holding_personal_data(tmp_path)
        assert {path.parent.name for path in left} == {"tmp"}  # the sheet being streamed, in the private folder
        assert list(settings.EXPORT_DIR.glob(f"{job.pk}.*.partial"))
    finally:
        kill(worker)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and holding_personal_data(tmp_path)

    # EXPORT_DEAD_AFTER_SECONDS pass without a heartbeat; the beat job of every minute
    # (exports.recover) runs on a restarted worker.
    ExportJob.objects.filter(pk=job.pk).update(
        started_at=F("started_at") - datetime.timedelta(seconds=settings.EXPORT_DEAD_AFTER_SECONDS + 1),
        heartbeat_at=F("heartbeat_at") - datetime.timedelta(seconds=settings.EXPORT_DEAD_AFTER_SECONDS + 1),
        progress_at=F("progress_at") - datetime.timedelta(seconds=settings.EXPORT_DEAD_AFTER_SECONDS + 1))
    worker = start_worker(queue, tmp_path, **SLOW_EXPORT)
    try:
        live_broker.app.send_task("exports.recover")
        # The job is failed, its requester told, its files removed (in that order).
        wait_for(lambda: not holding_personal_data(tmp_path), what="the job's files to be removed")
        failed = ExportJob.objects.get(pk=job.pk)
        assert failed.status == JobStatus.FAILED and "停止" in failed.error
        assert Notification.objects.filter(recipient=alice, event="exports.job.failed").count() == 1
        assert not list(settings.EXPORT_DIR.glob(f"{job.pk}*")) and not list((tmp_path / "tmp").iterdir())
        # A redelivery of the killed worker's message finds the job finished: nothing runs twice.
        assert services.run(job.pk) is None
        assert ExportJob.objects.get(pk=job.pk).status == JobStatus.FAILED

        # Asked for again, the export is whole.
        again = services.request_export(alice, "households", {"q": "", "region": ""}, rows_total=HOUSEHOLDS)
        done = wait_for(lambda: ExportJob.objects.filter(pk=again.pk, status=JobStatus.DONE).first(), timeout=120,
                        what="the export asked for again")
    finally:
        kill(worker)
    rows = sheet_rows((settings.EXPORT_DIR / done.file_name).read_bytes())
    assert len(rows) == HOUSEHOLDS + 1 and done.rows_done == HOUSEHOLDS
    assert len({row[0] for row in rows[1:]}) == HOUSEHOLDS  # each household once
    assert [path.name for path in (tmp_path / "tmp").iterdir()] == []
    assert [path.name for path in services.temp_dir().iterdir()] == []

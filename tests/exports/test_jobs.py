"""Exports as background jobs: the household export above EXPORT_INLINE_MAX_ROWS becomes a
job that a worker runs (eagerly here) under the requester's scope; its page, status and
file are the requester's alone; failures are written on the job; expired jobs go."""

from __future__ import annotations

import dataclasses
import datetime
import io
import os
import stat
import uuid

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from core.scoping import user_code_range
from exports import kinds, services, tasks
from exports.models import ExportJob, JobStatus
from registry.models import Household
from tests.conftest import COUNTY, VILLAGE_A1, VILLAGE_B1, register_households


def _job(user, params=None, *, language="en", **fields) -> ExportJob:
    """A job as the view would have recorded it, for the worker to run."""
    low, high = user_code_range(user)
    now = timezone.now()
    return ExportJob.objects.create(
        kind="households", requested_by=user, region_code=user.region_id or "", scope_low=low, scope_high=high,
        params=params if params is not None else {"q": "", "region": ""}, language=language,
        expires_at=now + datetime.timedelta(hours=24), **fields)


def _files_of(job) -> list[str]:
    return sorted(p.name for p in _export_dir().iterdir() if p.name.startswith(str(job.pk)))


def _export_dir():
    from django.conf import settings

    settings.EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    return settings.EXPORT_DIR


def _sheet(content: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


@pytest.fixture
def progress_calls(monkeypatch):
    """Every progress update a worker writes, as (done, total)."""
    calls = []
    original = services._record_progress

    def spy(job_id, done, total):
        calls.append((done, total))
        original(job_id, done, total)

    monkeypatch.setattr(services, "_record_progress", spy)
    return calls


@pytest.fixture
def exported(as_user, alice, household, small_inline_limit, monkeypatch, progress_calls,
             django_capture_on_commit_callbacks):
    """Alice exports her township's four households (limit 2, chunks of 2): a job, run eagerly."""
    register_households(alice, 3)
    monkeypatch.setattr(settings, "EXPORT_HOUSEHOLD_CHUNK_ROWS", 2)
    client = as_user(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("household_export"))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("export_job", args=[job.pk])
    return job


# --- inline or job ------------------------------------------------------------------------------

def test_an_export_up_to_the_limit_is_answered_directly(as_user, alice, household, settings):
    register_households(alice, 1)
    settings.EXPORT_INLINE_MAX_ROWS = 2
    response = as_user(alice).get(reverse("household_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(_sheet(response.content)) == 3
    assert not ExportJob.objects.exists()
    assert AuditEvent.objects.get(event="registry.households.exported").extra == {"rows": 2, "q": "", "region": ""}


def test_the_default_limit_is_five_thousand():
    from engine import settings as production

    assert production.EXPORT_INLINE_MAX_ROWS == 5000
    assert production.EXPORT_RETENTION_HOURS == 24


def test_above_the_limit_the_export_becomes_a_job(exported, alice, progress_calls):
    job = exported
    assert job.status == JobStatus.DONE
    assert job.requested_by == alice
    assert job.region_code == alice.region_id
    assert job.params == {"q": "", "region": ""}
    assert (job.rows_done, job.rows_total) == (4, 4)
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at
    # Counted, then once per chunk of two.
    assert progress_calls == [(0, 4), (2, 4), (4, 4)]
    assert _files_of(job) == [f"{job.pk}.xlsx"]
    assert stat.S_IMODE(job.path.stat().st_mode) == 0o600
    assert job.file_size == job.path.stat().st_size
    requested = AuditEvent.objects.get(event="exports.job.requested")
    assert requested.actor == alice and requested.object_id == str(job.pk)
    # Nothing left the server yet: the export itself is audited when it is downloaded.
    assert not AuditEvent.objects.filter(event="registry.households.exported").exists()


def test_the_job_keeps_the_search(as_user, alice, household, small_inline_limit, django_capture_on_commit_callbacks):
    register_households(alice, 3)
    register_households(alice, 3, village=VILLAGE_A1, start=10)
    with django_capture_on_commit_callbacks(execute=True):
        as_user(alice).get(reverse("household_export"), {"q": "赵", "region": VILLAGE_A1})
    job = ExportJob.objects.get()
    assert job.params == {"q": "赵", "region": VILLAGE_A1}
    assert job.rows_done == 3
    rows = _sheet(job.path.read_bytes())
    assert {row[1] for row in rows[1:]} == {"赵010", "赵011", "赵012"}


def test_an_invalid_search_is_still_sent_back_to_the_list(as_user, bob, household, small_inline_limit):
    response = as_user(bob).get(reverse("household_export"), {"region": VILLAGE_A1})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("household_list"))
    assert not ExportJob.objects.exists()


def test_the_job_writes_in_the_requesters_language(as_user, alice, household, small_inline_limit,
                                                    django_capture_on_commit_callbacks):
    register_households(alice, 2)
    client = as_user(alice)
    client.post(reverse("set_language"), {"language": "en"})
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("household_export"))
    job = ExportJob.objects.get()
    assert job.language == "en"
    rows = _sheet(job.path.read_bytes())
    assert rows[0][1] == "Head of household"
    assert rows[0][0] == "Household no."


# --- the job's pages ----------------------------------------------------------------------------

def test_the_requester_sees_the_finished_job_and_downloads_it(exported, as_user, alice):
    job = exported
    client = as_user(alice)
    page = client.get(reverse("export_job", args=[job.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("export_job_download", args=[job.pk]) in html
    assert 'http-equiv="refresh"' not in html

    status = client.get(reverse("export_job_status", args=[job.pk])).json()
    assert status["status"] == "done" and status["finished"] is True
    assert status["percent"] == 100
    assert status["download_url"] == reverse("export_job_download", args=[job.pk])

    response = client.get(reverse("export_job_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'attachment; filename="households-' in response["Content-Disposition"]  # the ASCII fallback
    assert "filename*=UTF-8''%E5%AE%B6%E5%BA%AD%E8%8A%B1%E5%90%8D%E5%86%8C-" in response["Content-Disposition"]  # 家庭花名册-
    assert "no-store" in response["Cache-Control"]
    rows = _sheet(response.getvalue())
    assert len(rows) == 5
    assert "370811********0318" in [row[2] for row in rows]
    event = AuditEvent.objects.get(event="registry.households.exported")
    assert event.actor == alice
    assert event.region_code == alice.region_id
    assert event.object_id == str(job.pk)
    assert event.extra == {"rows": 4, "q": "", "region": "", "job": str(job.pk)}


def test_a_running_job_shows_its_progress_and_refreshes(as_user, alice):
    job = _job(alice, status=JobStatus.RUNNING, rows_total=200_000, rows_done=50_000, language="zh-hans")
    client = as_user(alice)
    html = client.get(reverse("export_job", args=[job.pk])).content.decode()
    assert '<progress id="export-progress" max="200000" value="50000"' in html
    # Numbers grouped as the language groups them (zh-hans: not at all, as elsewhere in the engine).
    assert "50000" in html and "200000" in html and "25%" in html
    # Refreshes itself without JavaScript; with it, job.js polls the status URL.
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html
    assert "exports/job.js" in html
    assert f'data-status-url="{reverse("export_job_status", args=[job.pk])}"' in html
    assert reverse("export_job_download", args=[job.pk]) not in html
    assert 'name="viewport"' in html  # the phone layout of base.html

    status = client.get(reverse("export_job_status", args=[job.pk])).json()
    label, text = status.pop("label"), status.pop("progress_text")
    assert status == {"status": "running", "finished": False, "rows_done": 50_000, "rows_total": 200_000,
                      "percent": 25, "error": "", "download_url": None}
    assert label == str(JobStatus.RUNNING.label)
    assert "50000" in text and "200000" in text and "25%" in text
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 404


def test_a_queued_job_says_it_waits(as_user, alice):
    job = _job(alice)
    client = as_user(alice)
    html = client.get(reverse("export_job", args=[job.pk])).content.decode()
    assert 'value="0"' in html
    assert client.get(reverse("export_job_status", args=[job.pk])).json()["percent"] == 0


@pytest.mark.parametrize("who", ["bob", "hana", "carol", "root"])
def test_nobody_else_finds_the_job(exported, client, request, who):
    """Not a colleague of the same township, nor the county above it, nor a superuser."""
    client.force_login(request.getfixturevalue(who))
    for name in ("export_job", "export_job_status", "export_job_download"):
        assert client.get(reverse(name, args=[exported.pk])).status_code == 404, name
    assert not AuditEvent.objects.filter(event="registry.households.exported").exists()


def test_an_unknown_job_is_404(as_user, alice):
    assert as_user(alice).get(reverse("export_job", args=[uuid.uuid4()])).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(exported, client):
    client.logout()
    for name in ("export_job", "export_job_status", "export_job_download"):
        response = client.get(reverse(name, args=[exported.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_downloading_needs_the_role_still(exported, as_user, alice):
    alice.groups.clear()
    client = as_user(alice)
    assert client.get(reverse("export_job_download", args=[exported.pk])).status_code == 403


def test_the_file_is_not_under_a_served_folder(exported, client):
    from engine import settings as production

    assert production.EXPORT_DIR.parent == production.VAR_DIR
    for served in (production.MEDIA_ROOT, production.STATIC_ROOT):
        assert not production.EXPORT_DIR.is_relative_to(served)
    assert client.get(f"/media/{exported.file_name}").status_code == 404


# --- failures and idempotence -------------------------------------------------------------------

def test_a_failure_is_recorded_on_the_job_with_its_message(as_user, alice, household, small_inline_limit,
                                                          monkeypatch, django_capture_on_commit_callbacks):
    register_households(alice, 2)

    def broken(rows, out, **kwargs):
        out.write(b"half a workbook")
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(kinds._KINDS, "households", dataclasses.replace(kinds.get("households"), write=broken))
    client = as_user(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("household_export"))
    job = ExportJob.objects.get()
    assert job.status == JobStatus.FAILED
    assert "RuntimeError: disk on fire" in job.error
    assert job.finished_at is not None
    assert _files_of(job) == []  # the partial file is gone
    html = client.get(reverse("export_job", args=[job.pk])).content.decode()
    assert "disk on fire" in html
    assert 'http-equiv="refresh"' not in html
    assert client.get(reverse("export_job_status", args=[job.pk])).json()["finished"] is True
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 404


def test_a_finished_job_is_not_run_again(exported, progress_calls):
    job = exported
    before = job.path.read_bytes()
    progress_calls.clear()
    assert tasks.run_export.delay(str(job.pk)).get() is None
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.rows_done == 4
    assert job.path.read_bytes() == before
    assert progress_calls == []


def test_a_failed_job_is_not_run_again(alice):
    job = _job(alice, status=JobStatus.FAILED, error="earlier")
    assert services.run(job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "earlier")


def test_a_job_purged_while_running_stops_and_leaves_no_file(alice, household, monkeypatch):
    register_households(alice, 3)
    monkeypatch.setattr(settings, "EXPORT_HOUSEHOLD_CHUNK_ROWS", 2)
    job = _job(alice)
    original = services._record_progress

    def purge_midway(job_id, done, total):
        if done == 2:
            ExportJob.objects.filter(pk=job_id).delete()
        original(job_id, done, total)

    monkeypatch.setattr(services, "_record_progress", purge_midway)
    assert services.run(job.pk) is None
    assert _files_of(job) == []
    assert not ExportJob.objects.filter(pk=job.pk).exists()


# --- scope, re-checked by the worker ------------------------------------------------------------

def test_the_worker_exports_only_the_requesters_region(alice, bob, household):
    register_households(bob, 3, village=VILLAGE_B1, start=100)
    job = _job(alice)
    assert services.run(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    rows = _sheet(job.path.read_bytes())
    assert [row[0] for row in rows[1:]] == [household.pk]
    assert job.rows_done == 1


def test_a_region_outside_the_scope_fails_clearly(alice, bob, household):
    register_households(bob, 2, village=VILLAGE_B1, start=100)
    job = _job(alice, {"q": "", "region": VILLAGE_B1})
    assert tasks.run_export.delay(str(job.pk)).get() == JobStatus.FAILED
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == ("The search of this export is not valid in your region: "
                         "Choose a township or village in your region.")
    assert job.rows_done == 0
    assert _files_of(job) == []


def test_asking_for_a_region_outside_the_scope_is_refused_at_once(alice, bob):
    with pytest.raises(kinds.ExportRefused):
        services.request_export(alice, "households", {"q": "", "region": VILLAGE_B1})
    assert not ExportJob.objects.exists()


def test_a_requester_moved_to_a_wider_region_must_ask_again(alice, household, bob):
    register_households(bob, 2, village=VILLAGE_B1, start=100)
    job = _job(alice)
    alice.region_id = COUNTY
    alice.save(update_fields=["region"])
    assert services.run(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.error == "Your region changed after you asked for this export. Ask for it again."
    assert _files_of(job) == []


def test_a_requester_who_lost_the_role_gets_nothing(alice, household):
    job = _job(alice)
    alice.groups.clear()
    services.run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "Your role no longer allows this export.")


def test_a_deactivated_requester_gets_nothing(alice, household):
    job = _job(alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    services.run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "Your account is no longer active.")


def test_an_unknown_kind_fails_clearly(alice):
    job = _job(alice)
    ExportJob.objects.filter(pk=job.pk).update(kind="no_such_kind")
    services.run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "This kind of export is not available any more.")


# --- expiry -------------------------------------------------------------------------------------

def test_expired_jobs_lose_their_file_and_row(exported, alice):
    job = exported
    kept = _job(alice)
    assert services.run(kept.pk) == JobStatus.DONE
    kept.refresh_from_db()
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert tasks.purge.delay().get() == 1
    assert not ExportJob.objects.filter(pk=job.pk).exists()
    assert _files_of(job) == []
    assert ExportJob.objects.filter(pk=kept.pk).exists()
    assert kept.path.exists()
    assert services.purge(now=kept.expires_at + datetime.timedelta(seconds=1)) == 1
    assert not kept.path.exists()
    assert not ExportJob.objects.exists()


def test_a_finished_job_is_kept_for_the_retention_from_its_end(exported, settings):
    job = exported
    assert job.expires_at == job.finished_at + datetime.timedelta(hours=settings.EXPORT_RETENTION_HOURS)


def test_jobs_whose_worker_died_are_given_up(alice):
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    stopped = _job(alice, status=JobStatus.RUNNING, started_at=long_ago, progress_at=long_ago)
    never_started = _job(alice, created_at=long_ago)
    moving = _job(alice, status=JobStatus.RUNNING, started_at=long_ago, progress_at=timezone.now())
    services.purge()
    for job in (stopped, never_started, moving):
        job.refresh_from_db()
    assert stopped.status == JobStatus.FAILED and "stopped making progress for 30 minutes" in stopped.error
    assert never_started.status == JobStatus.FAILED and "No worker started the export" in never_started.error
    assert moving.status == JobStatus.RUNNING


def test_files_left_by_a_killed_worker_are_removed(alice, settings):
    directory = _export_dir()
    old, recent = directory / f"{uuid.uuid4()}.abc.partial", directory / f"{uuid.uuid4()}.def.partial"
    old.write_bytes(b"x")
    recent.write_bytes(b"x")
    long_ago = (timezone.now() - datetime.timedelta(hours=settings.EXPORT_RETENTION_HOURS + 1)).timestamp()
    os.utime(old, (long_ago, long_ago))
    services.purge()
    assert not old.exists()
    assert recent.exists()
    recent.unlink()


def test_beat_runs_the_purge():
    from django.conf import settings

    from engine.celery import app

    assert settings.CELERY_BEAT_SCHEDULE["exports-purge"]["task"] == "exports.purge"
    assert {"exports.purge", "exports.run"} <= set(app.tasks)


def test_households_with_no_rows_at_all(alice):
    """A job may legitimately find nothing (the households were moved meanwhile)."""
    job = _job(alice)
    assert services.run(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert job.rows_done == 0
    assert len(_sheet(job.path.read_bytes())) == 1
    assert Household.objects.count() == 0


# --- Finding a job again ----------------------------------------------------------------------------------

def test_the_requester_is_told_when_the_job_is_done(exported, alice):
    from notifications.models import Notification

    job = ExportJob.objects.get()
    (note,) = Notification.objects.filter(recipient=alice, event="exports.job.done")
    assert note.link == reverse("export_job", args=[job.pk]) and "4" in note.title


def test_the_requester_is_told_when_the_job_fails(alice, bob, household):
    from notifications.models import Notification

    job = _job(alice, {"q": "", "region": VILLAGE_B1})  # not alice's region: refused by the worker
    services.run(job.pk)
    (note,) = Notification.objects.filter(event="exports.job.failed")
    assert note.recipient == alice and note.link == reverse("export_job", args=[job.pk])
    assert note.body == ExportJob.objects.get(pk=job.pk).error != ""


def test_my_exports_lists_only_my_unexpired_jobs(exported, as_user, alice, bob):
    mine = ExportJob.objects.get()
    expired = _job(alice, status=JobStatus.FAILED, error="x")
    ExportJob.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    theirs = _job(bob)
    page = as_user(alice).get(reverse("export_list"))
    html = page.content.decode()
    assert page.status_code == 200 and [j.pk for j in page.context["jobs"]] == [mine.pk]
    assert reverse("export_job_download", args=[mine.pk]) in html
    assert str(expired.pk) not in html and str(theirs.pk) not in html
    assert reverse("export_list") in as_user(alice).get(reverse("export_job", args=[mine.pk])).content.decode()

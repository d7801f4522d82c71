"""Export jobs: asked for by a view, run by a Celery worker, downloaded by the requester
only, deleted when they expire. One function per change of a job.

A job moves queued → running → done or failed, each step a conditional UPDATE so that
two workers (a redelivered message, a retry) never write the same job, and a finished
job is never run again.
"""

from __future__ import annotations

import datetime
import logging
import os
import tempfile
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit import services as audit
from core.errors import NotPermitted
from core.scoping import user_code_range
from core.tasks import queue_after_commit

from . import kinds
from .kinds import ExportRefused
from .models import ExportJob, JobStatus
from .xlsx import INLINE, temp_dir, temp_files_of

log = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 1000


class _Abandoned(Exception):
    """The job was purged or given up while its worker was still writing."""


def _retention() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.EXPORT_RETENTION_HOURS)


def request_export(user, kind_name: str, params: dict, *, rows_total: int | None = None, request=None) -> ExportJob:
    """Record a job for ``user`` and queue it once this transaction commits.

    ``params`` are the filters as the list page took them; they are checked now, so the
    requester hears at once of a filter they may not use, and again by the worker."""
    kind = kinds.get(kind_name)
    scope = user_code_range(user)
    if scope is None or not user.has_perm(kind.permission):
        raise NotPermitted(_("Your role does not allow this export."))
    kind.select(user, params)
    now = timezone.now()
    with transaction.atomic():
        job = ExportJob.objects.create(
            kind=kind.name, requested_by=user, region_code=user.region_id or "", scope_low=scope[0],
            scope_high=scope[1], params=params, language=translation.get_language() or settings.LANGUAGE_CODE,
            rows_total=rows_total, created_at=now, expires_at=now + _retention())
        audit.record("exports.job.requested", actor=user, obj=job, region_code=job.region_code,
                     extra={"kind": kind.name, "params": params, "rows": rows_total}, request=request)
        queue_after_commit("exports.run", str(job.pk))
    return job


def _check_requester(job: ExportJob, kind: kinds.ExportKind):
    """The requester as they are now, if they may still have what they asked for."""
    user = job.requested_by
    if not user.is_active:
        raise ExportRefused(_("Your account is no longer active."))
    if not user.has_perm(kind.permission):
        raise ExportRefused(_("Your role no longer allows this export."))
    if user_code_range(user) != (job.scope_low, job.scope_high):
        # Narrower or wider, it is not what was asked for: never export under another scope.
        raise ExportRefused(_("Your region changed after you asked for this export. Ask for it again."))
    return user


def _record_progress(job_id, done: int, total: int) -> None:
    # One small UPDATE per chunk, committed at once (the worker runs in autocommit) so the
    # job page sees it; none when the job was purged or given up meanwhile.
    if not ExportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            rows_done=done, rows_total=total, progress_at=timezone.now()):
        raise _Abandoned
    if settings.EXPORT_CHUNK_PAUSE_MS and done < total:
        time.sleep(settings.EXPORT_CHUNK_PAUSE_MS / 1000)


def _write(job: ExportJob, kind: kinds.ExportKind, rows, total: int) -> tuple[str, int, int]:
    """(file name, size, rows written). The file appears under its name only when complete."""
    directory = settings.EXPORT_DIR
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{job.pk}.{kind.extension}"
    # NamedTemporaryFile creates the file readable by this user only (0600).
    with tempfile.NamedTemporaryFile(dir=directory, prefix=f"{job.pk}.", suffix=".partial", delete=False) as out:
        try:
            written = kind.write(rows, out, total=total, progress=lambda done, of: _record_progress(job.pk, done, of),
                                 **kind.write_options(job.params))
            out.flush()
            os.fsync(out.fileno())
        except BaseException:
            out.close()
            os.unlink(out.name)
            raise
    size = os.path.getsize(out.name)
    os.replace(out.name, directory / name)
    return name, size, written


class _Heartbeat:
    """While a worker writes a job, a thread of its own says every
    EXPORT_HEARTBEAT_SECONDS that the worker is alive, whatever the writing is doing (a
    long chunk, the final zipping). A killed worker stops saying it, and the beat job
    ``exports.recover`` fails its job within EXPORT_DEAD_AFTER_SECONDS."""

    def __init__(self, job_id):
        self.job_id = job_id
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"export-heartbeat-{job_id}", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stopped.set()
        self._thread.join(timeout=30)

    def _beat(self):
        try:
            while not self._stopped.wait(settings.EXPORT_HEARTBEAT_SECONDS):
                try:
                    ExportJob.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                        heartbeat_at=timezone.now())
                except DatabaseError:
                    log.warning("export %s: heartbeat not recorded", self.job_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections


def _remove_files_of(job_id) -> None:
    """What a job's worker may have left: its partial file and its sheets' temporary files."""
    for path in [*settings.EXPORT_DIR.glob(f"{job_id}.*.partial"), *temp_dir().glob(f"{job_id}.*")]:
        path.unlink(missing_ok=True)


def _fail(job_id, message: str) -> bool:
    failed = bool(ExportJob.objects.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.FAILED, error=message[:ERROR_MAX_LENGTH], finished_at=timezone.now()))
    if failed:
        _tell_requester(job_id)
    return failed


def _tell_requester(job_id) -> None:
    """An in-app notification (and its e-mail/SMS copies) when a job has finished, done or
    failed, linking to its page: the requester may have left the page long ago."""
    from notifications import services as notifications

    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or not job.is_finished:
        return
    kind = kinds.find(job.kind)
    with translation.override(job.language):
        label = str(kind.label) if kind else job.kind
        if job.status == JobStatus.DONE:
            title = _("Your export is ready: %(label)s, %(rows)s rows") % {"label": label, "rows": job.rows_done}
        else:
            title = _("Your export failed: %(label)s") % {"label": label}
        rows = notifications.build([job.requested_by], event=f"exports.job.{job.status}", title=title,
                                   body=job.error, link=reverse("export_job", args=[job.pk]))
    notifications.send(rows)


def run(job_id) -> str | None:
    """Run one job to the end; what the Celery task calls. Returns its final status, or
    None when there was nothing to do (finished already, or another worker has it)."""
    now = timezone.now()
    if not ExportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=now, progress_at=now, heartbeat_at=now):
        log.info("export %s is not waiting to start: nothing to do", job_id)
        return None
    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None:  # purged between the claim and here
        return None
    # The sheets' temporary files are named after the job, so recover() finds them.
    with translation.override(job.language), _Heartbeat(job.pk), temp_files_of(job.pk):
        try:
            kind = kinds.get(job.kind)
            user = _check_requester(job, kind)
            rows = kind.select(user, job.params)
            total = rows.count()
            _record_progress(job.pk, 0, total)
            name, size, written = _write(job, kind, rows, total)
        except ExportRefused as exc:
            _fail(job.pk, exc.message)
            log.info("export %s refused: %s", job.pk, exc.message)
            return JobStatus.FAILED
        except _Abandoned:
            log.info("export %s was purged or given up while running", job.pk)
            return None
        except Exception as exc:
            # Recorded on the job for its requester, with the traceback in the worker's log.
            log.exception("export %s failed", job.pk)
            _fail(job.pk, _("The export stopped on an unexpected error: %(error)s") % {
                "error": f"{type(exc).__name__}: {exc}"})
            return JobStatus.FAILED

    finished = timezone.now()
    if not ExportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.DONE, rows_done=written, rows_total=written, file_name=name, file_size=size,
            finished_at=finished, progress_at=finished, expires_at=finished + _retention()):
        # Given up while the file was being zipped: nobody will ask for this file.
        (settings.EXPORT_DIR / name).unlink(missing_ok=True)
        return None
    _tell_requester(job.pk)
    return JobStatus.DONE


def record_download(job: ExportJob, user, *, request=None) -> None:
    """The same audit event as the direct export of the same rows: data left the server."""
    kind = kinds.get(job.kind)
    audit.record(kind.audit_event, actor=user, obj=job, region_code=user.region_id or "",
                 extra={"rows": job.rows_done, **job.params, "job": str(job.pk)}, request=request)


def record_direct_export(kind: kinds.ExportKind, user, params: dict, rows: int, *, request=None) -> None:
    """A file answered directly by the list's export view (no job): data left the server."""
    audit.record(kind.audit_event, actor=user, region_code=user.region_id or "", extra={"rows": rows, **params},
                 request=request)


def _give_up_stale(now: datetime.datetime) -> int:
    """Fail jobs whose worker died (a running job that stopped moving) or that no worker
    picked up: otherwise their requester would wait on a page that never changes."""
    stale = now - datetime.timedelta(minutes=settings.EXPORT_STALE_MINUTES)
    waiting = ExportJob.objects.filter(status=JobStatus.QUEUED, created_at__lt=stale)
    stopped = ExportJob.objects.filter(status=JobStatus.RUNNING, progress_at__lt=stale)
    given_up = 0
    for job in (waiting | stopped).only("pk", "status", "language"):
        with translation.override(job.language):
            if job.status == JobStatus.QUEUED:
                message = _("No worker started the export within %(minutes)d minutes. Ask for it again.")
            else:
                message = _("The export stopped making progress for %(minutes)d minutes (its worker was "
                            "probably stopped). Ask for it again.")
            if _fail(job.pk, message % {"minutes": settings.EXPORT_STALE_MINUTES}):
                given_up += 1
                _remove_files_of(job.pk)
    return given_up


def _remove_orphans(now: datetime.datetime) -> None:
    """Files no job points to (a worker killed while writing leaves its .partial file),
    and sheets' temporary files nobody is writing: of a job that is not running, or of a
    page's direct export that a web worker (held 60 s at most) left an hour ago."""
    directory = settings.EXPORT_DIR
    if not directory.is_dir():
        return
    cutoff = (now - _retention()).timestamp()
    known = {f"{pk}" for pk in ExportJob.objects.values_list("pk", flat=True)}
    for path in directory.iterdir():
        if path.is_file() and path.name.split(".", 1)[0] not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
    running = {f"{pk}" for pk in ExportJob.objects.filter(status=JobStatus.RUNNING).values_list("pk", flat=True)}
    an_hour_ago = (now - datetime.timedelta(hours=1)).timestamp()
    for path in temp_dir().iterdir():
        owner = path.name.split(".", 1)[0]
        if owner in running or (owner == INLINE and path.stat().st_mtime >= an_hour_ago):
            continue
        path.unlink(missing_ok=True)


def recover(now: datetime.datetime | None = None) -> int:
    """Fail running jobs whose worker stopped saying it is alive (killed or restarted
    while writing) and remove what it left: otherwise the job reads "running" until the
    hourly purge gives up on it, and its rows sit in the private folder. What the beat
    job ``exports.recover`` calls every minute; returns how many jobs it failed."""
    now = now or timezone.now()
    silent_since = now - datetime.timedelta(seconds=settings.EXPORT_DEAD_AFTER_SECONDS)
    dead = ExportJob.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at__isnull=True, started_at__lt=silent_since))
    failed = 0
    for job in dead.only("pk", "language"):
        with translation.override(job.language):
            message = _("The worker writing the export stopped (it was probably restarted). Ask for it again.")
            if _fail(job.pk, message):
                failed += 1
                _remove_files_of(job.pk)
                log.warning("export %s: its worker stopped; the job is failed", job.pk)
    return failed


def purge(now: datetime.datetime | None = None) -> int:
    """Delete expired jobs and their files; give up stale ones. Returns how many jobs
    were deleted. What the beat job calls."""
    now = now or timezone.now()
    _give_up_stale(now)
    deleted = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).only("pk", "file_name").iterator():
        if job.file_name:
            try:
                (settings.EXPORT_DIR / job.file_name).unlink(missing_ok=True)
            except OSError:
                # Keep the row, so the next run tries the file again.
                log.exception("cannot delete the file of expired export %s", job.pk)
                continue
        deleted += ExportJob.objects.filter(pk=job.pk).delete()[0]
    _remove_orphans(now)
    return deleted

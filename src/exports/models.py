"""Exports too large to answer within a web request: one row per request, written by a
Celery worker into a private file that only the requester may download, and deleted
when it expires.

A job names its kind (see ``exports.kinds``) and the filters the requester used; the
worker re-applies both under the requester's scope as it is then, never a wider one.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    # A random key, not a counter: the page's address says nothing about other people's exports.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=32)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    # The code range the requester could see when asking: the worker refuses to run under
    # any other (a user moved or promoted since must ask again), so a job never widens.
    scope_low = models.CharField(_("scope from"), max_length=12)
    scope_high = models.CharField(_("scope to"), max_length=12)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    # The requester's language: the workbook's header and labels are written in it.
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    # Relative to settings.EXPORT_DIR, which is outside MEDIA_ROOT and STATIC_ROOT: nothing serves it but the
    # download view, which checks who is asking.
    file_name = models.CharField(_("file"), max_length=100, blank=True)
    file_size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Moved on with every chunk written: a running job that stops moving is stuck.
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    # Moved on every EXPORT_HEARTBEAT_SECONDS by the worker writing the job, whatever it is
    # doing: a running job whose heartbeat stops lost its worker (killed, restarted).
    heartbeat_at = models.DateTimeField(_("worker last seen"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="exportjob_status_valid"),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(file_name=""), name="exportjob_done_has_file"),
        ]

    def __str__(self):
        return f"{self.kind} {self.pk}"

    @property
    def path(self):
        return settings.EXPORT_DIR / self.file_name if self.file_name else None

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

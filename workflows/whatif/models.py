"""Policy what-ifs (政策测算): a question an administrator asks, and its answer.

- ``WhatIfRun``: one question — a new dibao standard for a county or the city from a
  day, a new township approval limit for temporary assistance, or a new amount band —
  its progress while a Celery worker answers it, and the answer (per county) as JSON.
  Asking changes nothing else: the rules, cases and registry are only read.
- ``WhatIfRow``: one household or case the change would affect (becomes eligible, no
  longer eligible, exits gradually, is paid another amount; a past temporary case that
  would have needed, or no longer needed, the county's approval, or falls outside the new
  band): the list the result page shows and exports, masked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import MONEY_FIELD
from core.scoping import ScopedQuerySet


class Kind(models.TextChoices):
    STANDARD = "standard", _("A new dibao standard")
    TOWNSHIP_LIMIT = "township_limit", _("A new township approval limit")
    BAND = "band", _("A new amount band")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Answered")
    FAILED = "failed", _("Failed")


class Change(models.TextChoices):
    NEWLY_ELIGIBLE = "newly_eligible", _("Becomes eligible")
    NO_LONGER_ELIGIBLE = "no_longer_eligible", _("No longer eligible")
    GRADUAL_EXIT = "gradual_exit", _("Enrolled: exits gradually")
    AMOUNT = "amount", _("Enrolled: amount changes")
    NEEDS_COUNTY = "needs_county", _("Would have needed the county's approval")
    TOWNSHIP_ENOUGH = "township_enough", _("Would not have needed the county's approval")
    PAY_FIRST_ABOVE = "pay_first_above", _("Urgent payment above the new limit")
    BELOW_BAND = "below_band", _("Below the new band")
    ABOVE_BAND = "above_band", _("Above the new band")


class WhatIfRunQuerySet(ScopedQuerySet):
    scope_field = "region_code"


class WhatIfRun(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The city or county the hypothetical rule is for: who may see the run, and what it reads.
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    # What was asked, as entered (amounts as strings), e.g. {"program": "dibao", "on": "2026-07-01",
    # "urban": "1080.00", "rural": "900.00"}.
    params = models.JSONField(_("hypothetical rule"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("to do"), null=True, blank=True)
    # Each start takes the next attempt; a worker whose attempt is no longer the run's stops,
    # so a run taken over after its worker died is answered once.
    attempt = models.PositiveIntegerField(_("attempt"), default=0)
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    result = models.JSONField(_("answer"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT,
                                     related_name="+")
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = WhatIfRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("policy what-if")
        verbose_name_plural = _("policy what-ifs")
        permissions = [("run_whatif", _("Can run policy what-ifs"))]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="whatif_run_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="whatif_run_status_valid"),
        ]

    def __str__(self):
        return f"{self.kind} {self.region_code} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(99, self.progress_done * 100 // self.progress_total)


class WhatIfRowQuerySet(ScopedQuerySet):
    scope_field = "region_code"


class WhatIfRow(models.Model):
    run = models.ForeignKey(WhatIfRun, verbose_name=_("what-if"), on_delete=models.CASCADE, related_name="rows")
    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.CASCADE,
                                  related_name="+")
    application = models.ForeignKey("assistance.Application", verbose_name=_("application"), null=True,
                                    blank=True, on_delete=models.CASCADE, related_name="+")
    # The household's village and county: scoping and the per-county tables read them.
    region_code = models.CharField(_("region code"), max_length=12)
    county_code = models.CharField(_("county"), max_length=12)
    change = models.CharField(_("change"), max_length=20, choices=Change.choices)
    people = models.PositiveSmallIntegerField(_("people"), null=True, blank=True)
    per_capita_income = models.DecimalField(_("per-capita income"), **MONEY_FIELD, null=True, blank=True)
    amount_now = models.DecimalField(_("amount now"), **MONEY_FIELD, null=True, blank=True)
    amount_new = models.DecimalField(_("amount under the new rule"), **MONEY_FIELD, null=True, blank=True)

    objects = WhatIfRowQuerySet.as_manager()

    class Meta:
        ordering = ["run", "county_code", "region_code", "household_id", "id"]
        verbose_name = _("affected household")
        verbose_name_plural = _("affected households")
        indexes = [models.Index(fields=["run", "change"], name="whatif_row_run_change_idx")]
        constraints = [models.CheckConstraint(condition=Q(change__in=Change.values), name="whatif_row_change_valid")]

    def __str__(self):
        return f"#{self.run_id} {self.change} {self.household_id}"

"""The figures behind the statistics pages: one row per township, program and month.

Counting a city's cases, people and money on every page view would scan millions of
rows (a year of rosters alone is 2.4 million lines), so the figures are computed from
the records the cases use (reporting.refresh) and kept here; a region and a period are
sums of these rows. A month is computed whole, for a region, in one transaction: the
rows of a township and month always come from one computation, never half of two.
Every row says when it was computed, and the pages show it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import MONEY_FIELD
from core.scoping import ScopedQuerySet

ZERO = Decimal("0.00")


class FigureQuerySet(ScopedQuerySet):
    scope_field = "township_code"


class MonthlyFigure(models.Model):
    """What one program did in one township in one month."""

    township_code = models.CharField(_("township"), max_length=12)
    # A case program's code, or "price_subsidy" (paid by roster, with no case of its own).
    program = models.CharField(_("program"), max_length=14)
    month = models.DateField(_("month"))

    received = models.PositiveIntegerField(_("received"), default=0)
    approved = models.PositiveIntegerField(_("approved"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    open_at_end = models.PositiveIntegerField(_("open at the end of the month"), default=0)
    # Calendar days from receipt to decision of the cases decided this month, as
    # {"<days>": <cases>}: averages and percentiles of any region and period are read
    # from the merged counts, which a stored average or percentile could not give.
    decision_days = models.JSONField(_("days to decision"), default=dict)

    households_covered = models.PositiveIntegerField(_("households covered"), default=0)
    people_covered = models.PositiveIntegerField(_("people covered"), default=0)

    paid_reserve_fund = models.DecimalField(_("paid from the reserve fund"), **MONEY_FIELD, default=ZERO)
    paid_county = models.DecimalField(_("paid by the county"), **MONEY_FIELD, default=ZERO)
    paid_roster = models.DecimalField(_("paid by roster"), **MONEY_FIELD, default=ZERO)

    new_enrolments = models.PositiveIntegerField(_("new enrolments"), default=0)
    gradual_exits = models.PositiveIntegerField(_("gradual exits begun"), default=0)
    exits = models.PositiveIntegerField(_("exits"), default=0)

    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    objects = FigureQuerySet.as_manager()

    class Meta:
        ordering = ["month", "township_code", "program"]
        verbose_name = _("monthly figure")
        verbose_name_plural = _("monthly figures")
        permissions = [("view_statistics", "Can view program statistics")]
        constraints = [
            models.UniqueConstraint(fields=["township_code", "program", "month"], name="monthly_figure_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="monthly_figure_first_of_month"),
        ]
        indexes = [models.Index(fields=["month", "township_code"], name="monthly_figure_month_idx")]

    def __str__(self):
        return f"{self.township_code} {self.program} {self.month:%Y-%m}"


class RefreshStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RefreshQuerySet(ScopedQuerySet):
    scope_field = "region_code"


class Refresh(models.Model):
    """A request to compute the figures again for a region and a run of months: the
    nightly job's, or one a supervisor asked for from the page (shown with its progress)."""

    region_code = models.CharField(_("region"), max_length=12)
    first_month = models.DateField(_("from month"))
    last_month = models.DateField(_("to month"))
    status = models.CharField(_("status"), max_length=8, choices=RefreshStatus.choices, default=RefreshStatus.QUEUED)
    months_done = models.PositiveSmallIntegerField(_("months done"), default=0)
    months_total = models.PositiveSmallIntegerField(_("months to do"), default=0)
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = RefreshQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("statistics refresh")
        verbose_name_plural = _("statistics refreshes")

    def __str__(self):
        return f"{self.region_code} {self.first_month:%Y-%m}–{self.last_month:%Y-%m} {self.status}"

    @property
    def percent(self) -> int:
        return int(100 * self.months_done / self.months_total) if self.months_total else 0

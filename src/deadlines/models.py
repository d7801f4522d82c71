from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.scoping import ScopedQuerySet
from regions.codes import Level, is_scope_prefix
from staff.roles import Role


class DayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Holiday day off")
    WORKDAY = "workday", _("Make-up working day")


def validate_scope(value: str):
    if not is_scope_prefix(value, (2, 4)):
        raise ValidationError(_("Leave empty for national, or give a 2-digit province or 4-digit city prefix."))


class CalendarDay(models.Model):
    """An exception to the Monday–Friday rule, national or for one province/city."""

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    scope = models.CharField(_("scope"), max_length=4, blank=True, default="", validators=[validate_scope],
                             help_text=_("Empty: national. 2 digits: a province. 4 digits: a city."))
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        ordering = ["date"]
        # The model (a holiday or make-up day in the calendar), not the unit of a time limit.
        verbose_name = pgettext_lazy("calendar model", "calendar day")
        verbose_name_plural = pgettext_lazy("calendar model", "calendar days")
        constraints = [models.UniqueConstraint(fields=["scope", "date"], name="calendar_day_once_per_scope")]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CalendarYear(models.Model):
    """A year whose holidays and make-up days have been loaded and checked. Deadlines
    that reach a year without this row are provisional."""

    year = models.PositiveSmallIntegerField(_("year"))
    scope = models.CharField(_("scope"), max_length=4, blank=True, default="", validators=[validate_scope])
    source = models.CharField(_("source"), max_length=200, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        ordering = ["year"]
        verbose_name = _("confirmed year")
        verbose_name_plural = _("confirmed years")
        constraints = [models.UniqueConstraint(fields=["scope", "year"], name="calendar_year_once_per_scope")]

    def __str__(self):
        return f"{self.year} {self.scope or _('national')}"


class Unit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    HOURS = "hours", _("hours")


class SlaPolicy(models.Model):
    """How long one step may take, when to remind, and whom to escalate to.

    Matched by flow and step, optionally narrowed by program and by region (a
    province, city or county prefix); among matches the most specific wins, then
    the latest ``effective_from`` on or before the day the step started.
    """

    flow = models.CharField(_("flow"), max_length=40)
    step = models.CharField(_("step"), max_length=40)
    program = models.CharField(_("program"), max_length=20, blank=True, default="")
    scope = models.CharField(_("region prefix"), max_length=6, blank=True, default="",
                             help_text=_("Empty: national; or a 2-, 4- or 6-digit region prefix."))
    duration = models.PositiveIntegerField(_("duration"))
    unit = models.CharField(_("unit"), max_length=14, choices=Unit.choices)
    remind_before = models.PositiveIntegerField(_("remind before (same unit)"), default=0,
                                                help_text=_("0: no reminder."))
    move_off_day_end = models.BooleanField(
        _("move an end on a day off to the next working day"), default=False,
        help_text=_("For calendar-day periods. Working-day periods always end on a working day."))
    effective_from = models.DateField(_("effective from"))
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["flow", "step", "program", "scope", "-effective_from"]
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        constraints = [
            models.UniqueConstraint(fields=["flow", "step", "program", "scope", "effective_from"],
                                    name="sla_policy_version_once"),
        ]

    def __str__(self):
        return f"{self.flow}.{self.step} {self.duration} {self.get_unit_display()} ({self.scope or _('national')})"

    def clean(self):
        if not is_scope_prefix(self.scope):
            raise ValidationError({"scope": _("A region prefix has 2, 4 or 6 digits.")})


class EscalationStep(models.Model):
    """One level of a policy's escalation chain, fired ``after_hours`` past the due time."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("level"))
    after_hours = models.PositiveIntegerField(_("hours after the due time"), default=0)
    notify_roles = models.CharField(_("notify roles"), max_length=200,
                                    help_text=_("Comma-separated: township_head, county_reviewer, supervisor…"))
    reassign_to_role = models.CharField(_("reassign to role"), max_length=20, blank=True, choices=Role.choices)
    region_level = models.CharField(
        _("look for them at"), max_length=10, blank=True, choices=Level.choices,
        help_text=_("Empty: the nearest region up the tree that has such staff."))

    class Meta:
        ordering = ["policy", "level"]
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        constraints = [
            models.UniqueConstraint(fields=["policy", "level"], name="escalation_level_once"),
            models.CheckConstraint(condition=Q(level__gte=1), name="escalation_level_from_one"),
        ]

    def __str__(self):
        return f"L{self.level} +{self.after_hours}h → {self.notify_roles}"

    @property
    def roles(self) -> list[str]:
        return [r.strip() for r in self.notify_roles.split(",") if r.strip()]

    def clean(self):
        unknown = [r for r in self.roles if r not in Role.values]
        if unknown:
            raise ValidationError({"notify_roles": _("Unknown role: %(r)s") % {"r": ", ".join(unknown)}})


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAUSED = "paused", _("Paused")
    CLOSED = "closed", _("Closed")


def overdue_condition(now=None) -> models.Q:
    """THE definition of overdue: still open (not paused, not closed) and past its due
    time. A condition, so a grouped query can count overdue rows beside the others
    (Deadline.is_overdue says the same of one row in memory)."""
    return models.Q(status=DeadlineStatus.OPEN, due_at__lt=now or timezone.now())


def overdue_at(status: str, due_at, now) -> bool:
    # Same rule as DeadlineQuerySet.overdue, for one row already in memory (an instance or plain values).
    return status == DeadlineStatus.OPEN and due_at < now


def overdue_hours(status: str, due_at, now) -> int:
    """Whole hours past due at ``now``; 0 for work that is not overdue."""
    return max(0, int((now - due_at).total_seconds() // 3600)) if overdue_at(status, due_at, now) else 0


class DeadlineQuerySet(ScopedQuerySet):
    scope_field = "region_code"

    def overdue(self, now=None):
        """Overdue work, used by every queue, dashboard, API and export (see overdue_condition)."""
        return self.filter(overdue_condition(now))

    def annotate_overdue(self, now=None):
        return self.annotate(is_overdue=models.Case(
            models.When(overdue_condition(now), then=models.Value(True)),
            default=models.Value(False), output_field=models.BooleanField()))


class Deadline(models.Model):
    """The legal clock of one piece of human work: a workflow task or a visit."""

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")

    flow = models.CharField(_("flow"), max_length=40)
    step = models.CharField(_("step"), max_length=40)
    program = models.CharField(_("program"), max_length=20, blank=True, default="")
    region_code = models.CharField(_("region code"), max_length=12)
    # The case this work belongs to, for drill-down from dashboards (null for visits).
    application_id = models.PositiveBigIntegerField(_("application"), null=True, blank=True, db_index=True)
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="deadlines")
    # The role that does this work: with region_code, assignee and due_at this row is the
    # index of every work queue ("mine", "queue", "all"), overdue first.
    role = models.CharField(_("role"), max_length=20, blank=True, choices=Role.choices)

    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    provisional = models.BooleanField(_("provisional"), default=False,
                                      help_text=_("Reaches a year whose holidays are not loaded yet."))
    status = models.CharField(_("status"), max_length=8, choices=DeadlineStatus.choices,
                              default=DeadlineStatus.OPEN)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    pause_reason = models.CharField(_("pause reason"), max_length=200, blank=True)
    remaining_working_days = models.PositiveIntegerField(null=True, blank=True)
    remaining = models.DurationField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_to = models.JSONField(_("escalated to"), default=list, blank=True)
    # When the sweeper next has something to do for this deadline (reminder, breach,
    # next escalation); NULL when nothing is left or the clock is paused/closed. The
    # sweep reads only rows whose time has come, through a partial index.
    next_check_at = models.DateTimeField(null=True, blank=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        permissions = [("view_breaches", _("Can follow deadline breaches and on-time rates"))]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(fields=["subject_type", "subject_id"], name="deadline_once_per_subject"),
        ]
        indexes = [
            models.Index(fields=["next_check_at"], name="deadline_sweep_idx",
                         condition=Q(status="open", next_check_at__isnull=False)),
            # Queues list open and paused work alike (a paused task is still someone's task).
            # The included columns let the dashboard count open work from the index alone.
            models.Index(fields=["region_code", "due_at"], name="deadline_open_region_idx",
                         condition=~Q(status="closed"), include=["id", "status"]),
            # Overdue work (breaches) by township, step and age, from the index alone.
            models.Index(fields=["due_at"], name="deadline_overdue_idx", condition=Q(status="open"),
                         include=["id", "region_code", "flow", "step"]),
            # "My tasks" and "the township's unclaimed tasks": the columns the queues filter
            # on besides the key are included, so their counts are index-only scans (a
            # township queue's count read 161 heap rows in 7 ms at city scale; 0.08 ms now).
            models.Index(fields=["assignee", "due_at"], name="deadline_mine_idx",
                         condition=~Q(status="closed"), include=["region_code", "subject_type"]),
            models.Index(fields=["role", "region_code", "due_at"], name="deadline_unclaimed_idx",
                         condition=~Q(status="closed") & Q(assignee__isnull=True), include=["subject_type"]),
            models.Index(fields=["region_code", "closed_at"], name="deadline_closed_region_idx",
                         condition=Q(status="closed")),
            # The dashboard's trend reads today's finished work by due time (earlier days
            # come from ClosedTally).
            models.Index(fields=["due_at"], name="deadline_closed_due_idx", condition=Q(status="closed"),
                         include=["id", "region_code", "closed_at"]),
        ]

    def __str__(self):
        return f"{self.flow}.{self.step} #{self.subject_id} due {timezone.localtime(self.due_at):%Y-%m-%d %H:%M}"

    def is_overdue(self, now=None) -> bool:
        return overdue_at(self.status, self.due_at, now or timezone.now())

    def overdue_by_hours(self, now=None) -> int:
        return overdue_hours(self.status, self.due_at, now or timezone.now())


class FiringKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    BREACH = "breach", _("Breach")
    ESCALATION = "escalation", _("Escalation")


class DeadlineFiring(models.Model):
    """A reminder, breach or escalation that fired. The unique key is the claim: two
    sweepers racing for the same (deadline, kind, level) cannot both insert it."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="firings")
    kind = models.CharField(_("kind"), max_length=10, choices=FiringKind.choices)
    level = models.PositiveSmallIntegerField(_("level"), default=0)
    fired_at = models.DateTimeField(_("fired at"), default=timezone.now)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)

    class Meta:
        ordering = ["fired_at"]
        verbose_name = _("deadline firing")
        verbose_name_plural = _("deadline firings")
        constraints = [
            models.UniqueConstraint(fields=["deadline", "kind", "level"], name="deadline_firing_claimed_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} L{self.level} @ {self.fired_at:%Y-%m-%d %H:%M}"


class ClosedTallyQuerySet(ScopedQuerySet):
    scope_field = "township"


class ClosedTally(models.Model):
    """How many deadlines of a township closed in a local month were due on each local day,
    and how many of those were closed late: the dashboard's on-time rates and weekly trend
    without reading two million closed deadlines on every page view.

    Kept by database triggers (migration 0003) in the same transaction as every change
    to a deadline row, whoever makes it (a service, a bulk update, the admin), so it is
    always exactly the GROUP BY of the closed deadlines. Months and days are those of
    TIME_ZONE when the migration ran (Asia/Shanghai). Nothing writes it but the triggers.
    """

    township = models.CharField(_("township"), max_length=12)  # the 12-digit township code
    closed_month = models.DateField(_("month closed"))  # first day of the local month
    due_day = models.DateField(_("day due"))  # local date of the due time
    closed = models.IntegerField(_("closed"), default=0)
    late = models.IntegerField(_("closed late"), default=0)

    objects = ClosedTallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("closed-deadline tally")
        verbose_name_plural = _("closed-deadline tallies")
        constraints = [
            models.UniqueConstraint(fields=["closed_month", "township", "due_day"], name="closed_tally_once"),
        ]
        # Covering (on PostgreSQL): the on-time rates by month, the trend by day due.
        indexes = [
            models.Index(fields=["closed_month", "township"], name="closed_tally_month_idx", include=["closed", "late"]),
            models.Index(fields=["due_day", "township"], name="closed_tally_due_idx", include=["closed", "late"]),
        ]

    def __str__(self):
        return f"{self.township} {self.closed_month:%Y-%m} / {self.due_day}: {self.late} of {self.closed} late"

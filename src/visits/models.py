"""Home visits (定期探访): who is visited how often, by whom, and what each visit found.

A person's *plan* comes from tier rules kept as data (DOMAIN.md "Home visits"): a rule
maps age, conditions, disability and benefit to a tier and a period. Rolling
generation turns each active plan into one *visit* per window (this week, this month,
this quarter), each timed by a deadline whose due time is the window's end. A major
event adds a 24-hour round for the high-risk people of a region. Field staff send
*records*; a visit is done by its first record that is not "not home".
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.scoping import ScopedQuerySet
from regions.codes import is_scope_prefix


class Tier(models.TextChoices):
    HIGH_RISK = "high_risk", pgettext_lazy("visit tier", "High risk")
    KEY = "key", pgettext_lazy("visit tier", "Key")
    GENERAL = "general", pgettext_lazy("visit tier", "General")


# The more severe tier wins when several rules match one person.
TIER_RANK = {Tier.HIGH_RISK: 3, Tier.KEY: 2, Tier.GENERAL: 1}


class Period(models.TextChoices):
    WEEK = "week", _("Weekly")
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")


# Shorter periods are more frequent: among rules of the same tier the most frequent wins.
PERIOD_RANK = {Period.WEEK: 1, Period.MONTH: 2, Period.QUARTER: 3}


class BenefitProgram(models.TextChoices):
    TEKUN = "tekun", _("Extreme-poverty support (dispersed, living at home)")
    DIBAO = "dibao", _("Minimum living guarantee")


def validate_scope(value: str):
    if not is_scope_prefix(value):
        raise ValidationError(_("Leave empty for national, or give a 2-, 4- or 6-digit region prefix."))


class TierRule(models.Model):
    """One line of the visiting rules. A person matches when their age is in range, they
    receive the program (if one is named), and they have any of the conditions or, when
    ticked, a disability (of at most the given grade). With neither conditions nor
    disability, age and program alone decide.

    Rules are versioned like deadline policies: for each ``code`` the most local scope
    wins, then the newest ``effective_from`` on or before the day. A local version with
    ``active`` unticked switches the national rule off in that region.
    """

    code = models.SlugField(_("rule code"), max_length=40,
                            help_text=_("Versions with the same code replace each other: a local rule replaces the "
                                        "national one with its code."))
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("region prefix"), max_length=6, blank=True, default="", validators=[validate_scope],
                             help_text=_("Empty: national; or a 2-, 4- or 6-digit region prefix."))
    effective_from = models.DateField(_("effective from"))
    active = models.BooleanField(_("active"), default=True,
                                 help_text=_("Untick in a local version to switch this rule off in that region."))
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    period = models.CharField(_("visit every"), max_length=8, choices=Period.choices)
    min_age = models.PositiveSmallIntegerField(_("age at least"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("age under"), null=True, blank=True,
                                               help_text=_("For children's rules, e.g. 18."))
    conditions = models.JSONField(_("any of these conditions"), default=list, blank=True)
    with_disability = models.BooleanField(_("or a disability"), default=False)
    max_disability_grade = models.PositiveSmallIntegerField(
        _("disability grade at most"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("Grade 1 is the most severe. Empty: any grade."))
    program = models.CharField(_("receives"), max_length=8, blank=True, choices=BenefitProgram.choices)
    basis = models.CharField(_("basis"), max_length=200, blank=True,
                             help_text=_("Where the rule comes from: [S] a source text, [L] a local example, "
                                         "[NF] a local choice."))

    class Meta:
        ordering = ["code", "scope", "-effective_from"]
        verbose_name = _("visit tier rule")
        verbose_name_plural = _("visit tier rules")
        constraints = [
            models.UniqueConstraint(fields=["code", "scope", "effective_from"], name="tier_rule_version_once"),
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="tier_rule_tier_valid"),
            models.CheckConstraint(condition=Q(period__in=Period.values), name="tier_rule_period_valid"),
        ]

    def __str__(self):
        return f"{self.name} → {self.get_tier_display()} / {self.get_period_display()}"

    def clean(self):
        from registry.models import Condition

        unknown = [c for c in self.conditions or [] if c not in Condition.values]
        if unknown:
            raise ValidationError({"conditions": _("Unknown condition: %(c)s") % {"c": ", ".join(map(str, unknown))}})
        if self.min_age is not None and self.max_age is not None and self.max_age <= self.min_age:
            raise ValidationError({"max_age": _("The upper age must be above the lower age.")})


class PlanQuerySet(ScopedQuerySet):
    scope_field = "region_code"


class VisitPlan(models.Model):
    """How often one person is visited. A change of period ends the plan and starts a new
    one (visits are unique per plan and window); a change of tier alone updates it."""

    person = models.ForeignKey("registry.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="visit_plans")
    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="visit_plans")
    # The household's village code, copied: scoping and dashboards filter on it without joins.
    region_code = models.CharField(_("region code"), max_length=12)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    period = models.CharField(_("visit every"), max_length=8, choices=Period.choices)
    rule = models.ForeignKey(TierRule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    rule_name = models.CharField(_("because"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    last_visited_at = models.DateTimeField(_("last visited at"), null=True, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["region_code", "person_id"]
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(active=True), name="visit_plan_one_active"),
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="visit_plan_tier_valid"),
            models.CheckConstraint(condition=Q(period__in=Period.values), name="visit_plan_period_valid"),
        ]
        indexes = [
            models.Index(fields=["region_code", "last_visited_at"], name="visit_plan_active_idx",
                         condition=Q(active=True)),
        ]

    def __str__(self):
        # Codes, not labels: written into an audit row for every plan a recompute touches.
        return f"{self.person_id}: {self.tier} / {self.period}"


class PairingQuerySet(ScopedQuerySet):
    scope_field = "region_code"


class Pairing(models.Model):
    """包帮: the staff member responsible for visiting one household."""

    household = models.OneToOneField("registry.Household", verbose_name=_("household"), on_delete=models.CASCADE,
                                      related_name="visit_pairing")
    cadre = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("paired cadre"), on_delete=models.PROTECT,
                              related_name="paired_households")
    region_code = models.CharField(_("region code"), max_length=12)
    since = models.DateTimeField(_("since"), default=timezone.now)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        indexes = [models.Index(fields=["cadre"], name="pairing_cadre_idx")]

    def __str__(self):
        return f"{self.household_id} → {self.cadre_id}"


class EventKind(models.TextChoices):
    FLOOD = "flood", _("Flood")
    HEAT_WAVE = "heat_wave", _("Heat wave")
    EPIDEMIC_LOCKDOWN = "epidemic_lockdown", _("Epidemic lockdown")
    COLD_WAVE = "cold_wave", _("Cold wave or snowstorm")
    OTHER = "other", _("Other major event")


class EventQuerySet(ScopedQuerySet):
    scope_field = "region__code"


class MajorEvent(models.Model):
    """A flood, heat wave or lockdown declared for a region: every high-risk person there
    is visited within ``round_hours``."""

    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="+")
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("declared by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    round_hours = models.PositiveSmallIntegerField(_("visit everyone within (hours)"),
                                                   validators=[MinValueValidator(1)])
    notes = models.TextField(_("notes"), blank=True)
    visits_created = models.PositiveIntegerField(_("visits scheduled"), default=0)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-declared_at", "-id"]
        verbose_name = _("major event")
        verbose_name_plural = _("major events")
        constraints = [models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="major_event_kind_valid")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self):
        return reverse("visit_event_detail", args=[self.pk])


class VisitKind(models.TextChoices):
    ROUTINE = "routine", _("Scheduled round")
    EVENT = "event", _("Major-event round")


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed (window passed)")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_VISIT_STATUSES = [VisitStatus.SCHEDULED, VisitStatus.MISSED]


class VisitQuerySet(ScopedQuerySet):
    scope_field = "region_code"

    def open(self):
        return self.filter(status__in=OPEN_VISIT_STATUSES)


class Visit(models.Model):
    """One visit to one person in one window. "Missed" means the window ended without a
    visit; the visit stays open (and its deadline escalates) until someone records it,
    a later visit of the same plan is done, or the plan ends."""

    plan = models.ForeignKey(VisitPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="visits")
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="visits")
    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="visits")
    region_code = models.CharField(_("region code"), max_length=12)
    # Copied at generation, so the deadline sweeper can title hundreds of notifications
    # without a query per visit.
    person_name = models.CharField(_("person's name"), max_length=50)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=VisitKind.choices, default=VisitKind.ROUTINE)
    event = models.ForeignKey(MajorEvent, verbose_name=_("major event"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="visits", db_index=False)
    window_start = models.DateTimeField(_("window opens"))
    window_end = models.DateTimeField(_("window closes"))
    status = models.CharField(_("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.SCHEDULED)
    # Indexed for open visits only (visit_open_assignee_idx): every insert pays for each index.
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="assigned_visits", db_index=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    retry_at = models.DateTimeField(_("try again from"), null=True, blank=True)
    retry_reminded_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    in_window = models.BooleanField(_("done within the window"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    deadlines = GenericRelation("deadlines.Deadline", content_type_field="subject_type", object_id_field="subject_id",
                                related_query_name="visit")

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["window_end", "id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        permissions = [
            ("record_visit", _("Can record home visits")),
            ("view_coverage", _("Can follow home-visit coverage")),
            ("declare_event", _("Can declare a major event")),
        ]
        constraints = [
            # One visit per person per window (the plan is the person's, for one period).
            models.UniqueConstraint(fields=["plan", "window_start"], condition=Q(event__isnull=True),
                                    name="visit_once_per_plan_window"),
            models.UniqueConstraint(fields=["plan", "event"], condition=Q(event__isnull=False),
                                    name="visit_once_per_plan_event"),
            models.CheckConstraint(condition=Q(window_end__gt=models.F("window_start")), name="visit_window_ordered"),
            models.CheckConstraint(condition=Q(status__in=VisitStatus.values), name="visit_status_valid"),
            models.CheckConstraint(condition=Q(kind=VisitKind.ROUTINE, event__isnull=True)
                                   | Q(kind=VisitKind.EVENT, event__isnull=False), name="visit_event_with_kind"),
        ]
        indexes = [
            models.Index(fields=["window_end", "region_code"], name="visit_window_region_idx"),
            models.Index(fields=["assigned_to", "window_end"], name="visit_open_assignee_idx",
                         condition=Q(status__in=["scheduled", "missed"])),
            models.Index(fields=["window_end"], name="visit_scheduled_end_idx", condition=Q(status="scheduled")),
            models.Index(fields=["event"], name="visit_event_idx", condition=Q(event__isnull=False)),
            models.Index(fields=["retry_at"], name="visit_retry_idx",
                         condition=Q(retry_at__isnull=False, retry_reminded_at__isnull=True)),
        ]

    def __str__(self):
        return _("Visit to %(name)s, %(start)s – %(end)s") % {
            "name": self.person_name, "start": timezone.localtime(self.window_start).strftime("%Y-%m-%d"),
            "end": self.last_day.strftime("%Y-%m-%d")}

    def get_absolute_url(self):
        return reverse("visit_detail", args=[self.pk])

    @property
    def last_day(self):
        """The last calendar day of the window (the window closes at the next midnight)."""
        return (timezone.localtime(self.window_end) - datetime.timedelta(microseconds=1)).date()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_VISIT_STATUSES

    # What the deadlines engine asks of its subjects (deadlines.subjects).
    def deadline_title(self) -> str:
        if self.kind == VisitKind.EVENT:
            return _("Major-event visit to %(name)s") % {"name": self.person_name}
        return _("Home visit to %(name)s") % {"name": self.person_name}

    def reassign_for_escalation(self, user) -> None:
        Visit.objects.filter(pk=self.pk).update(assigned_to=user)
        self.assigned_to = user


class Method(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Video call")


class Outcome(models.TextChoices):
    OK = "ok", _("All well")
    NEEDS_HELP = "needs_help", _("Needs help")
    NOT_HOME = "not_home", _("Not at home")
    DANGER = "danger", _("In danger")


class FindingArea(models.TextChoices):
    HEALTH = "health", _("Health")
    MONEY = "money", _("Money and living costs")
    SAFETY = "safety", _("Personal safety")
    FAMILY_SUPPORT = "family_support", _("Family support and care")
    HOUSING = "housing", _("Housing and utility hazards")
    SERVICE_NEEDS = "service_needs", _("Service needs")


class FindingLevel(models.TextChoices):
    OK = "ok", _("No problem")
    CONCERN = "concern", _("A problem")
    URGENT = "urgent", _("Urgent")


def photo_path(record, filename: str) -> str:
    # Never the device's file name: it can carry a name or a place.
    stamp = timezone.localtime()
    return f"visits/{stamp:%Y/%m}/{record.client_uuid}{filename[filename.rfind('.'):] if '.' in filename else ''}"


class RecordQuerySet(ScopedQuerySet):
    scope_field = "visit__region_code"


class VisitRecord(models.Model):
    """What one attempt found, as the field device sent it. Records are never changed:
    the client's UUID makes a resent record the same record."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="records")
    client_uuid = models.UUIDField(_("client UUID"), unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                    related_name="+")
    visited_at = models.DateTimeField(_("visited at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    findings = models.JSONField(_("findings"), default=dict, blank=True)
    photo = models.FileField(_("photo"), upload_to=photo_path, blank=True, max_length=200)
    photo_type = models.CharField(_("photo type"), max_length=20, blank=True)
    photo_size = models.PositiveIntegerField(_("photo size (bytes)"), null=True, blank=True)
    photo_sha256 = models.CharField(_("photo SHA-256"), max_length=64, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["visited_at", "id"]
        verbose_name = _("visit record")
        verbose_name_plural = _("visit records")
        constraints = [
            models.CheckConstraint(condition=Q(method__in=Method.values), name="visit_record_method_valid"),
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="visit_record_outcome_valid"),
            models.CheckConstraint(condition=Q(latitude__isnull=True, longitude__isnull=True)
                                   | Q(latitude__isnull=False, longitude__isnull=False),
                                   name="visit_record_location_whole"),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} @ {timezone.localtime(self.visited_at):%Y-%m-%d %H:%M}"

    def finding_rows(self) -> list[dict]:
        """The six areas in order, with their level and note, for pages and the PDF."""
        rows = []
        for area in FindingArea:
            item = (self.findings or {}).get(area.value) or {}
            level = item.get("status", "")
            rows.append({"area": area.value, "label": area.label, "status": level,
                         "status_label": FindingLevel(level).label if level in FindingLevel.values else "",
                         "note": item.get("note", "")})
        return rows


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")


class FollowUpQuerySet(ScopedQuerySet):
    scope_field = "region_code"


class FollowUp(models.Model):
    """The work a "needs help" visit creates, timed by its own deadline."""

    visit = models.OneToOneField(Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="follow_up")
    record = models.ForeignKey(VisitRecord, verbose_name=_("visit record"), on_delete=models.PROTECT,
                               related_name="+")
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="+")
    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="+")
    region_code = models.CharField(_("region code"), max_length=12)
    person_name = models.CharField(_("person's name"), max_length=50)
    description = models.TextField(_("what is needed"))
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="visit_follow_ups")
    status = models.CharField(_("status"), max_length=6, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    resolution = models.TextField(_("what was done"), blank=True)

    deadlines = GenericRelation("deadlines.Deadline", content_type_field="subject_type", object_id_field="subject_id",
                                related_query_name="visit_follow_up")

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("visit follow-up")
        verbose_name_plural = _("visit follow-ups")
        permissions = [("complete_followup", _("Can complete visit follow-ups"))]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=FollowUpStatus.values), name="follow_up_status_valid"),
        ]
        indexes = [models.Index(fields=["region_code", "status"], name="follow_up_region_idx")]

    def __str__(self):
        return _("Follow-up for %(name)s") % {"name": self.person_name}

    def get_absolute_url(self):
        return reverse("visit_follow_up", args=[self.pk])

    def deadline_title(self) -> str:
        return _("Follow-up after a home visit to %(name)s") % {"name": self.person_name}

    def reassign_for_escalation(self, user) -> None:
        FollowUp.objects.filter(pk=self.pk).update(assigned_to=user)
        self.assigned_to = user

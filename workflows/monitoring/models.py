"""Early warning (动态监测预警) and the lists other departments share.

- ``ListImport``: one file a department shared (medical insurance, the disabled persons'
  federation, human resources, public security), imported all or nothing; a rejected file
  keeps its report of rejected rows and imports no entry.
- ``DepartmentEntry``: one person of an imported list, matched to the registry by ID number
  (``person`` empty: not registered). Entries feed the nightly warning rules.
- ``EarlyWarning``: a household (or a person not yet registered) that needs a look, raised by
  the nightly scan under one rule; a task with a deadline in the township's queue, whose
  follow-up (a case opened, a proactive notice sent, or no action with a reason) is kept.
- ``Scan``: one run of the rules, with its progress and what each rule raised.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.money import MONEY_FIELD
from core.scoping import ScopedQuerySet
from registry.idnumber import mask

# What the warnings' deadline rows and SLA policies store as their flow and step.
FLOW_CODE = "warning"
STEP_FOLLOW_UP = "follow_up"


class Department(models.TextChoices):
    MEDICAL = "medical", _("Medical insurance: large out-of-pocket costs")
    DISABILITY = "disability", _("Disabled persons' federation: disability grades")
    UNEMPLOYMENT = "unemployment", _("Human resources: unemployment registrations")
    DEATH = "death", _("Public security: deaths")


class ImportStatus(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    REJECTED = "rejected", _("Rejected, nothing imported")


class ListImportQuerySet(ScopedQuerySet):
    scope_field = "region_code"


class ListImport(models.Model):
    """One department list as uploaded: who, when, which file (its SHA-256), and what came of it."""

    department = models.CharField(_("department list"), max_length=14, choices=Department.choices)
    # The importer's region: the entries lie inside it, and whoever sees it sees the import.
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    as_of = models.DateField(_("list dated"))
    rows = models.PositiveIntegerField(_("rows"), default=0)
    matched = models.PositiveIntegerField(_("matched in the registry"), default=0)
    unmatched = models.PositiveIntegerField(_("not registered"), default=0)
    # Rows about people outside the importer's region: left out, counted (a city's list
    # uploaded by one county imports that county's people).
    outside = models.PositiveIntegerField(_("outside your region"), default=0)
    status = models.CharField(_("status"), max_length=8, choices=ImportStatus.choices)
    # Row number, masked ID number and reason of every rejected row (at most the first 1,000).
    errors = models.JSONField(_("rejected rows"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("rejected rows"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = ListImportQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("department list")
        verbose_name_plural = _("department lists")
        permissions = [("import_list", _("Can import other departments' lists"))]
        constraints = [
            models.CheckConstraint(condition=Q(department__in=Department.values), name="list_department_valid"),
            models.CheckConstraint(condition=Q(status__in=ImportStatus.values), name="list_status_valid"),
            # The same file is imported once into a region.
            models.UniqueConstraint(fields=["region_code", "sha256"], condition=Q(status="imported"),
                                    name="list_imported_once"),
        ]

    def __str__(self):
        return f"{self.get_department_display()} {self.as_of}"

    def get_absolute_url(self):
        return reverse("department_list_detail", args=[self.pk])


class DepartmentEntryQuerySet(ScopedQuerySet):
    scope_field = "region_code"


class DepartmentEntry(models.Model):
    """One person on a department's list, matched to the registry by ID number."""

    list_import = models.ForeignKey(ListImport, verbose_name=_("department list"), on_delete=models.PROTECT,
                                    related_name="entries")
    department = models.CharField(_("department list"), max_length=14, choices=Department.choices)
    id_number = models.CharField(_("ID number"), max_length=18, db_index=True)
    name = models.CharField(_("name"), max_length=50)
    # Where the person lives, as the department gives it; the household's village once matched.
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="department_entries")
    household = models.ForeignKey("registry.Household", verbose_name=_("household"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="department_entries")
    # What the list says: the out-of-pocket cost, the grade, or the day (registration, death).
    amount = models.DecimalField(_("out-of-pocket cost"), null=True, blank=True, **MONEY_FIELD)
    grade = models.PositiveSmallIntegerField(_("disability grade"), null=True, blank=True)
    on = models.DateField(_("date"), null=True, blank=True)

    objects = DepartmentEntryQuerySet.as_manager()

    class Meta:
        ordering = ["list_import_id", "id"]
        verbose_name = _("department list entry")
        verbose_name_plural = _("department list entries")
        constraints = [
            models.UniqueConstraint(fields=["list_import", "id_number"], name="list_entry_once"),
            models.CheckConstraint(condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=4),
                                   name="list_entry_grade_1_to_4"),
        ]
        indexes = [models.Index(fields=["department", "person"], name="list_entry_person_idx")]

    def __str__(self):
        return f"{self.name} {self.masked_id}"

    @property
    def masked_id(self) -> str:
        return mask(self.id_number)


class Rule(models.TextChoices):
    MEANS_ELIGIBLE = "means_eligible", _("Registered, not enrolled, means test says eligible")
    NEAR_DIBAO = "near_dibao", _("Registered, not enrolled, means test says near-dibao")
    VISIT_NO_CASE = "visit_no_case", _("Home visit found need or danger, no case opened")
    ILLNESS_COSTS = "illness_costs", _("Serious illness or disability with large medical costs")
    NOT_FOLLOWED = "not_followed", _("Death or change not followed up")
    INCOME_OVER_LINE = "income_over_line", _("Recipient whose income now exceeds the line")
    NOT_REGISTERED = "not_registered", _("On a department list at serious risk, not registered")


class WarningStatus(models.TextChoices):
    OPEN = "open", _("To follow up")
    DONE = "done", _("Followed up")


class FollowUpOutcome(models.TextChoices):
    CASE_OPENED = "case_opened", _("Case opened")
    NOTICE_SENT = "notice_sent", _("Proactive notice sent")
    NO_ACTION = "no_action", _("No action (with reason)")


class EarlyWarningQuerySet(ScopedQuerySet):
    scope_field = "region_code"


class EarlyWarning(models.Model):
    """A household, or a person on a department list who is not registered, that the
    township should look at. At most one open per rule and household (or ID number)."""

    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    # The rule and whom it is about: what makes two nights' findings the same warning.
    key = models.CharField(max_length=60, editable=False)
    household = models.ForeignKey("registry.Household", verbose_name=_("household"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="warnings")
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(DepartmentEntry, verbose_name=_("department list entry"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="warnings")
    # The household's village, or where the department says a person not registered lives.
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    # Why, kept as its source text and figures and translated when read (as guard findings are).
    msgid = models.TextField(editable=False)
    params = models.JSONField(default=dict, blank=True, editable=False)
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    scan = models.ForeignKey("monitoring.Scan", verbose_name=_("scan"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="warnings")
    status = models.CharField(_("status"), max_length=6, choices=WarningStatus.choices,
                              default=WarningStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=12, choices=FollowUpOutcome.choices, blank=True)
    application = models.ForeignKey("assistance.Application", verbose_name=_("case opened"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey("enrolment.ProactiveNotice", verbose_name=_("proactive notice"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("reason or note"), blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("followed up by"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(_("followed up at"), null=True, blank=True)

    deadlines = GenericRelation("deadlines.Deadline", content_type_field="subject_type", object_id_field="subject_id",
                                related_query_name="early_warning")

    objects = EarlyWarningQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        permissions = [
            ("follow_up_warning", _("Can follow up early warnings")),
            ("view_warning_figures", _("Can see how early warnings were followed up")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=Q(status="open"), name="warning_one_open_per_key"),
            models.CheckConstraint(condition=Q(rule__in=Rule.values), name="warning_rule_valid"),
            models.CheckConstraint(condition=Q(status__in=WarningStatus.values), name="warning_status_valid"),
            models.CheckConstraint(condition=Q(outcome="") | Q(outcome__in=FollowUpOutcome.values),
                                   name="warning_outcome_valid"),
            models.CheckConstraint(condition=Q(status="open", outcome="") | Q(status="done") & ~Q(outcome=""),
                                   name="warning_done_has_outcome"),
            models.CheckConstraint(condition=~Q(outcome="no_action") | ~Q(note=""),
                                   name="warning_no_action_has_reason"),
        ]
        indexes = [
            models.Index(fields=["region_code", "status", "raised_at"], name="warning_region_idx"),
            models.Index(fields=["key", "done_at"], name="warning_key_idx"),
        ]

    def __str__(self):
        return f"{self.get_rule_display()} #{self.pk}"

    def get_absolute_url(self):
        return reverse("warning_detail", args=[self.pk])

    @property
    def reason(self) -> str:
        return gettext(self.msgid) % self.params if self.params else gettext(self.msgid)

    @property
    def is_open(self) -> bool:
        return self.status == WarningStatus.OPEN

    @property
    def deadline(self):
        """The follow-up's deadline (one per warning), from ``prefetch_related("deadlines")`` when loaded so."""
        return next(iter(self.deadlines.all()), None)

    def deadline_title(self) -> str:
        return gettext("Early warning: %(rule)s") % {"rule": self.get_rule_display()}


class ScanStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Scan(models.Model):
    """One run of the warning rules (nightly, or by ``manage.py scan_warnings``)."""

    region_prefix = models.CharField(_("region"), max_length=12, blank=True)
    on = models.DateField(_("as of"))
    status = models.CharField(_("status"), max_length=8, choices=ScanStatus.choices, default=ScanStatus.RUNNING)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # rule → warnings raised, written as each check finishes (the rules done so far, while it runs).
    raised = models.JSONField(_("raised"), default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("warning scan")
        verbose_name_plural = _("warning scans")

    def __str__(self):
        return f"{self.on} {self.region_prefix or '*'} {self.status}"

    @property
    def total_raised(self) -> int:
        return sum(self.raised.values())

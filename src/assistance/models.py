"""The shared case (every program's application) and the rules that govern them.

``Application`` holds what every program's case has: household, applicant, region,
program, dates, decisions with reasons, amounts requested, approved and paid, and
through other apps its documents, payments and history. Its status is a django-fsm
field with ``protected=True`` and no transitions of its own: each program declares
its statuses and transitions on its proxy of this model (workflows/<program>/models.py),
and only that program's step services run them, checking role, region and separation
of duties, locking the row and auditing. No path — web, API, admin or shell — can
pay an unapproved case or approve a paid one.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from core import programs
from core.money import MONEY_FIELD
from core.scoping import ScopedQuerySet
from regions.codes import Level, code_of, township_of


class ApplicationQuerySet(ScopedQuerySet):
    scope_field = "region_code"


class Application(models.Model):
    # Integer key: viewflow's generic references to artifacts are PositiveIntegerField.
    id = models.AutoField(primary_key=True)
    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="applications")
    applicant = models.ForeignKey("registry.Person", verbose_name=_("applicant"), on_delete=models.PROTECT,
                                  related_name="applications")
    # The household's village code, copied at intake: scoping and queues filter on it without joins.
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    program = models.CharField(_("program"), max_length=12)
    cause = models.TextField(_("cause"))
    amount_requested = models.DecimalField(_("amount requested"), **MONEY_FIELD, null=True, blank=True,
                                           validators=[MinValueValidator(Decimal("0.01"))])
    amount_approved = models.DecimalField(_("amount approved"), **MONEY_FIELD, null=True, blank=True)
    amount_paid = models.DecimalField(_("amount paid"), **MONEY_FIELD, default=Decimal("0.00"))
    # Each program's own statuses (its proxy's transitions); a new case starts in its program's initial one.
    status = FSMField(_("status"), max_length=20, default="", protected=True)

    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("received by"),
                                   on_delete=models.PROTECT, related_name="+")
    intake_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("intake by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    investigators = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("investigators"), blank=True,
                                           related_name="+")
    findings = models.TextField(_("findings"), blank=True)
    recommended_amount = models.DecimalField(_("recommended amount"), **MONEY_FIELD, null=True, blank=True)
    missing_documents = models.JSONField(_("missing documents"), default=list, blank=True)
    missing_notified_at = models.DateTimeField(_("told what is missing at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_level = models.CharField(_("decided at level"), max_length=10, blank=True)
    decision_reason = models.TextField(_("reasons"), blank=True)

    # Raised at intake, for reviewers to see: decided by the county (DOMAIN.md, 低保 and 临时救助).
    related_to_staff = models.BooleanField(_("relative of staff or village committee"), default=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [models.Index(fields=["region_code", "status"], name="application_region_status_idx"),
                   models.Index(fields=["household", "created_at"], name="application_household_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_paid__gte=0), name="application_paid_not_negative"),
            # Pay-first money is paid before any approval; once approved, never more than approved.
            models.CheckConstraint(
                condition=Q(amount_approved__isnull=True) | Q(amount_paid__lte=models.F("amount_approved")),
                name="application_paid_within_approved"),
        ]

    def __str__(self):
        return _("Application %(id)s") % {"id": self.pk}

    def get_absolute_url(self):
        return reverse("application_detail", args=[self.pk])

    @property
    def township_code(self) -> str:
        return township_of(self.region_code)

    @property
    def county_code(self) -> str:
        return code_of(self.region_code, Level.COUNTY)

    @property
    def program_label(self) -> str:
        spec = programs.program(self.program)
        return str(spec.label) if spec is not None else self.program

    @property
    def details(self):
        """The program's own fields of this case (its details row), or None for a program without any."""
        return programs.details_of(self)

    @property
    def status_label(self) -> str:
        """The status in words, from the case's program (each program has its own statuses)."""
        return programs.status_label(self.program, self.status)

    def get_status_display(self) -> str:
        return self.status_label

    @property
    def remaining(self) -> Decimal:
        return (self.amount_approved or Decimal("0")) - self.amount_paid


class InstalmentStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    PAID = "paid", _("Paid")
    WAITING_FUNDS = "waiting_funds", _("Waiting for the reserve fund")


class InstalmentSource(models.TextChoices):
    """Where a paid instalment's money came from (empty while it is not paid)."""

    RESERVE_FUND = "reserve_fund", _("Reserve fund")
    COUNTY_TRANSFER = "county_transfer", _("County transfer")


URGENT_INSTALMENT = 0


def instalment_label(number) -> str:
    """How a payment is named to people: the urgent payment (number 0) by what it is,
    the others by their number ("第2期"); never "第0期"."""
    if number is None or number == "":
        return ""
    if int(number) == URGENT_INSTALMENT:
        return str(_("Urgent payment"))
    return str(_("instalment %(number)s") % {"number": number})


class Instalment(models.Model):
    """One payment of an approval (an approval may pay in instalments). Number 0 is
    the urgent pay-first payment made before investigation."""

    Source = InstalmentSource

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="instalments")
    number = models.PositiveSmallIntegerField(_("instalment"))
    amount = models.DecimalField(_("amount"), **MONEY_FIELD, validators=[MinValueValidator(Decimal("0.01"))])
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=InstalmentStatus.choices,
                              default=InstalmentStatus.PLANNED)
    source = models.CharField(_("paid from"), max_length=20, blank=True, choices=InstalmentSource.choices)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["application", "number"]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="instalment_number_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive"),
        ]

    def __str__(self):
        return f"#{self.application_id}/{self.number} {self.amount}"


# --- Rules: every number a row an administrator edits, per region, by date of effect ----------

class RuleScopeMixin(models.Model):
    scope = models.CharField(_("region prefix"), max_length=6, blank=True, default="",
                             help_text=_("Empty: everywhere; or a 2-, 4- or 6-digit region prefix (province, city, county)."))
    effective_from = models.DateField(_("effective from"))

    class Meta:
        abstract = True

    def clean(self):
        from django.core.exceptions import ValidationError

        from regions.codes import is_scope_prefix

        if not is_scope_prefix(self.scope):
            raise ValidationError({"scope": _("A region prefix has 2, 4 or 6 digits.")})


class DibaoStandard(RuleScopeMixin):
    registration = models.CharField(_("registration"), max_length=10,
                                    choices=[("urban", _("Urban")), ("rural", _("Rural"))])
    monthly_amount = models.DecimalField(_("monthly standard (yuan)"), **MONEY_FIELD)

    class Meta:
        ordering = ["scope", "registration", "-effective_from"]
        verbose_name = _("dibao standard")
        verbose_name_plural = _("dibao standards")
        constraints = [models.UniqueConstraint(fields=["scope", "registration", "effective_from"],
                                               name="dibao_standard_once")]

    def __str__(self):
        return f"{self.scope or '*'} {self.get_registration_display()} {self.monthly_amount}"

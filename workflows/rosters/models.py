"""Monthly payment rosters (发放花名册).

- ``Roster``: one per county, program and month. A Celery task fills it from the cases'
  payment schedules (workflows/enrolment BenefitChange), showing its progress; county
  finance reviews it as a draft, regenerates it after a change, and locks it. A locked
  roster's lines and amounts never change again; only the bank's results are recorded.
- ``RosterLine``: one payment per (case, program, month), held by a unique constraint,
  so regenerating, re-running or a second worker never pays a case twice in a month.
  A line that the bank failed is issued again (a new attempt of the same line) once the
  account is corrected, and a paid line never changes.
- ``BankAccount``: where a case is paid; the roster copies it, the pages mask it.
- ``BankResultImport``: each file of results the bank returned, applied all or nothing.
- ``PriceSubsidyRule`` and ``CpiReading``: the price subsidy (价格临时补贴) is a roster of
  its own (program ``price_subsidy``), made when a month's CPI reaches the trigger, paying
  each covered person once per month (``SubsidyRecipient``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistance.models import Application, RuleScopeMixin
from core.money import MONEY_FIELD
from core.scoping import ScopedQuerySet

PRICE_SUBSIDY = "price_subsidy"


class RosterProgram(models.TextChoices):
    DIBAO = "dibao", _("Minimum living guarantee")
    TEKUN = "tekun", _("Extreme-poverty support")
    PRICE_SUBSIDY = PRICE_SUBSIDY, _("Price subsidy")


class RosterStatus(models.TextChoices):
    GENERATING = "generating", _("Being generated")
    DRAFT = "draft", _("Draft: to review")
    LOCKED = "locked", _("Locked: sent to the bank")


class LineStatus(models.TextChoices):
    PENDING = "pending", _("To pay")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class BankAccountQuerySet(ScopedQuerySet):
    scope_field = "application__region_code"


class BankAccount(models.Model):
    """The account a case is paid into (usually the covered person's own, a 社保卡 or
    一卡通). Corrected in place, each change audited; the roster keeps its own copy."""

    application = models.OneToOneField(Application, verbose_name=_("application"), on_delete=models.PROTECT,
                                       related_name="bank_account")
    holder = models.CharField(_("account holder"), max_length=50)
    bank_name = models.CharField(_("bank"), max_length=60)
    account_number = models.CharField(_("account number"), max_length=34)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    objects = BankAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        permissions = [("reveal_account", _("Can see full bank account numbers"))]

    def __str__(self):
        return f"{self.holder} {mask_account(self.account_number)}"


def mask_account(number: str) -> str:
    """6217 **** **** 1234 → the last four digits only, as every page shows it."""
    number = (number or "").replace(" ", "")
    if len(number) <= 4:
        return "*" * len(number)
    return "*" * (len(number) - 4) + number[-4:]


class RosterQuerySet(ScopedQuerySet):
    scope_field = "county_code"


class Roster(models.Model):
    county_code = models.CharField(_("county"), max_length=12, db_index=True)
    program = models.CharField(_("program"), max_length=14, choices=RosterProgram.choices)
    month = models.DateField(_("month"), help_text=_("The first day of the month paid."))
    status = models.CharField(_("status"), max_length=12, choices=RosterStatus.choices,
                              default=RosterStatus.GENERATING)
    # Filled at the end of each generation; the lines are the truth, these are their sums.
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    total = models.DecimalField(_("total"), **MONEY_FIELD, default=Decimal("0.00"))
    # Progress of the running generation: cases done of cases to do.
    progress_done = models.PositiveIntegerField(_("cases done"), default=0)
    progress_total = models.PositiveIntegerField(_("cases to do"), default=0)
    # Each generation takes a new run number; an older run that sees a newer one stops, so
    # two workers never both finish, and a killed one is simply taken over.
    run = models.PositiveIntegerField(_("generation run"), default=0)
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("locked by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    objects = RosterQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "county_code", "program"]
        verbose_name = _("payment roster")
        verbose_name_plural = _("payment rosters")
        permissions = [("lock_roster", _("Can lock payment rosters")),
                       ("reconcile_roster", _("Can import the bank's results of a roster"))]
        constraints = [
            models.UniqueConstraint(fields=["county_code", "program", "month"], name="roster_once_per_county_month"),
            models.CheckConstraint(condition=Q(status__in=RosterStatus.values), name="roster_status_valid"),
            models.CheckConstraint(condition=Q(program__in=RosterProgram.values), name="roster_program_valid"),
            models.CheckConstraint(condition=Q(status="locked", locked_at__isnull=False) | ~Q(status="locked"),
                                   name="roster_locked_has_time"),
        ]

    def __str__(self):
        return f"{self.county_code} {self.program} {self.month:%Y-%m}"

    @property
    def month_label(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def percent(self) -> int:
        if self.status != RosterStatus.GENERATING:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class RosterLineQuerySet(ScopedQuerySet):
    scope_field = "region_code"


class RosterLine(models.Model):
    roster = models.ForeignKey(Roster, verbose_name=_("roster"), on_delete=models.PROTECT, related_name="lines")
    # Copied from the roster so that the unique constraint below holds without a join.
    program = models.CharField(_("program"), max_length=14, choices=RosterProgram.choices)
    month = models.DateField(_("month"))
    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.PROTECT,
                                    related_name="roster_lines")
    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="+")
    region_code = models.CharField(_("region code"), max_length=12)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD, validators=[MinValueValidator(Decimal("0.01"))])
    people = models.PositiveSmallIntegerField(_("people covered"), null=True, blank=True)
    payee = models.CharField(_("payee"), max_length=50, blank=True)
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    account_number = models.CharField(_("account number"), max_length=34, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=LineStatus.choices, default=LineStatus.PENDING)
    # 1 for the first issue; each issue after a failure adds one. The bank's reference
    # for an attempt is "<roster>-<line>-<attempt>".
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    bank_reference = models.CharField(_("bank reference"), max_length=60, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    # Which generation run last wrote this line (a draft's lines not rewritten by the last run are removed).
    run = models.PositiveIntegerField(default=0, editable=False)

    objects = RosterLineQuerySet.as_manager()

    class Meta:
        ordering = ["roster_id", "region_code", "application_id"]
        verbose_name = _("roster line")
        verbose_name_plural = _("roster lines")
        constraints = [
            # The guarantee users fear losing: one payment per case, program and month.
            models.UniqueConstraint(fields=["application", "program", "month"], name="roster_line_once_per_case_month"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="roster_line_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=LineStatus.values), name="roster_line_status_valid"),
            models.CheckConstraint(condition=~Q(status="paid") | Q(settled_at__isnull=False),
                                   name="roster_line_paid_has_time"),
        ]
        indexes = [models.Index(fields=["roster", "status"], name="roster_line_status_idx"),
                   models.Index(fields=["roster", "run"], name="roster_line_run_idx")]

    def __str__(self):
        return f"{self.roster_id}/{self.pk} #{self.application_id} {self.amount}"

    @property
    def payment_reference(self) -> str:
        return f"{self.roster_id}-{self.pk}-{self.attempt}"

    @property
    def masked_account(self) -> str:
        return mask_account(self.account_number)


class SubsidyRecipient(models.Model):
    """A person the price subsidy pays for a month: at most once (the unique constraint),
    whichever program or county covers them."""

    line = models.ForeignKey(RosterLine, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="+")
    month = models.DateField(_("month"))

    class Meta:
        verbose_name = _("price subsidy recipient")
        verbose_name_plural = _("price subsidy recipients")
        constraints = [models.UniqueConstraint(fields=["person", "month"], name="price_subsidy_once_per_person_month")]

    def __str__(self):
        return f"{self.person_id} {self.month:%Y-%m}"


class ImportStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected: nothing applied")


class BankResultImport(models.Model):
    roster = models.ForeignKey(Roster, verbose_name=_("roster"), on_delete=models.PROTECT, related_name="imports")
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    paid = models.PositiveIntegerField(_("paid"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    unchanged = models.PositiveIntegerField(_("already recorded"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices)
    errors = models.JSONField(_("rejected rows"), default=list, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("bank result import")
        verbose_name_plural = _("bank result imports")

    def __str__(self):
        return f"{self.roster_id} {self.uploaded_at:%Y-%m-%d %H:%M} {self.status}"


class PriceSubsidyRule(RuleScopeMixin):
    """When the price subsidy is paid and how much: per region prefix, from a date."""

    cpi_trigger = models.DecimalField(_("CPI year-on-year trigger (%)"), max_digits=5, decimal_places=2,
                                      default=Decimal("3.50"))
    food_trigger = models.DecimalField(_("food CPI year-on-year trigger (%)"), max_digits=5, decimal_places=2,
                                       default=Decimal("6.00"))
    per_person = models.DecimalField(_("monthly subsidy per person"), **MONEY_FIELD,
                                     validators=[MinValueValidator(Decimal("0.01"))])
    programs = models.CharField(_("covered programs"), max_length=60, default="dibao,tekun",
                                help_text=_("Comma-separated program codes, e.g. dibao,tekun."))

    class Meta:
        ordering = ["scope", "-effective_from"]
        verbose_name = _("price subsidy rule")
        verbose_name_plural = _("price subsidy rules")
        constraints = [models.UniqueConstraint(fields=["scope", "effective_from"], name="price_subsidy_rule_once")]

    def __str__(self):
        return f"{self.scope or '*'} {self.effective_from} {self.per_person}"

    @property
    def program_codes(self) -> list[str]:
        return [code.strip() for code in self.programs.split(",") if code.strip()]


class CpiReading(models.Model):
    """A month's consumer price index, year on year, as the statistics bureau published it."""

    scope = models.CharField(_("region prefix"), max_length=6, help_text=_("2-, 4- or 6-digit region prefix."))
    month = models.DateField(_("month"))
    cpi_yoy = models.DecimalField(_("CPI year on year (%)"), max_digits=5, decimal_places=2)
    food_yoy = models.DecimalField(_("food CPI year on year (%)"), max_digits=5, decimal_places=2, null=True,
                                   blank=True)
    triggered = models.BooleanField(_("subsidy triggered"), default=False)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-month", "scope"]
        verbose_name = _("CPI reading")
        verbose_name_plural = _("CPI readings")
        constraints = [models.UniqueConstraint(fields=["scope", "month"], name="cpi_reading_once")]

    def __str__(self):
        return f"{self.scope} {self.month:%Y-%m} {self.cpi_yoy}%"

"""Temporary assistance's status machine, on its proxy of the shared case.

The shared case (assistance.Application) holds what every program's case has; its
``status`` is a protected django-fsm field without transitions of its own. This proxy
adds temporary assistance's statuses and transitions. They change only through the
program's step services (workflows/temporary/services.py), which check role, region
and separation of duties, lock the row and audit. No path — web, API, admin or shell —
can pay an unapproved case or approve a paid one.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from assistance.models import Application, RuleScopeMixin
from core.money import MONEY_FIELD

# The program's code: Application.program, deadline rows and SLA policies store it.
CODE = "temporary"


class Kind(models.TextChoices):
    URGENT = "urgent", _("Urgent (sudden hardship)")
    EXPENSE = "expense", _("Expense (unavoidable spending)")


class CauseCategory(models.TextChoices):
    MAJOR_ILLNESS = "major_illness", _("Major illness")
    SCHOOL = "school", _("School costs")
    MINOR_EMERGENCY = "minor_emergency", _("Minor emergency")
    FIRE = "fire", _("Fire")
    ACCIDENT = "accident", _("Accident")
    DISASTER = "disaster", _("Natural disaster")
    MAJOR_HARDSHIP = "major_hardship", _("Major hardship (case by case)")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    INTAKE = "intake", _("Awaiting intake check")
    INCOMPLETE = "incomplete", _("Waiting for documents")
    URGENT_PAYMENT = "urgent_payment", _("Awaiting urgent payment")
    INVESTIGATION = "investigation", _("Under investigation")
    PAPERWORK = "paperwork", _("Paid first, completing paperwork")
    TOWNSHIP_REVIEW = "township_review", _("Township review")
    COUNTY_REVIEW = "county_review", _("County review")
    APPROVED = "approved", _("Approved, awaiting payment")
    PAYING = "paying", _("Being paid in instalments")
    PAID = "paid", _("Paid, to be filed with the county")
    FILED = "filed", _("Filed with the county (closed)")
    REJECTED = "rejected", _("Rejected")
    REFERRED_OUT = "referred_out", _("Referred to the relief station")


OPEN_STATUSES = frozenset({Status.INTAKE, Status.INCOMPLETE, Status.URGENT_PAYMENT, Status.INVESTIGATION,
                           Status.PAPERWORK, Status.TOWNSHIP_REVIEW, Status.COUNTY_REVIEW, Status.APPROVED,
                           Status.PAYING, Status.PAID})
DECIDED_STATUSES = frozenset({Status.APPROVED, Status.PAYING, Status.PAID, Status.FILED})
PAYABLE_STATUSES = frozenset({Status.APPROVED, Status.PAYING})


class TemporaryCase(Application):
    class Meta:
        proxy = True
        verbose_name = _("temporary-assistance case")
        verbose_name_plural = _("temporary-assistance cases")
        # The permissions of the flow's steps (steps.py names which step needs which);
        # the roles get them from the step table.
        permissions = [
            ("do_intake", _("Can take in applications and their documents")),
            ("investigate", _("Can investigate applications")),
            ("pay_first", _("Can pay urgent assistance before investigation")),
            ("township_approve", _("Can approve at the township")),
            ("county_approve", _("Can approve at the county")),
            ("disburse", _("Can record disbursements")),
            ("file_with_county", _("Can file approvals with the county")),
        ]

    def is_payable(self) -> bool:
        return self.status in PAYABLE_STATUSES

    # --- transitions: only this program's services call these ------------------------------------
    @transition(field="status", source=Status.INTAKE, target=Status.INVESTIGATION)
    def accept(self):
        pass

    @transition(field="status", source=Status.INTAKE, target=Status.URGENT_PAYMENT)
    def accept_urgent(self):
        pass

    @transition(field="status", source=Status.INTAKE, target=Status.INCOMPLETE)
    def mark_incomplete(self):
        pass

    @transition(field="status", source=Status.INCOMPLETE, target=Status.INTAKE)
    def documents_received(self):
        pass

    @transition(field="status", source=Status.INTAKE, target=Status.REFERRED_OUT)
    def refer_out(self):
        pass

    @transition(field="status", source=Status.URGENT_PAYMENT, target=Status.PAPERWORK)
    def paid_first(self):
        pass

    @transition(field="status", source=[Status.INVESTIGATION, Status.PAPERWORK], target=Status.TOWNSHIP_REVIEW)
    def investigated(self):
        pass

    @transition(field="status", source=Status.TOWNSHIP_REVIEW, target=Status.APPROVED)
    def township_approve(self):
        pass

    @transition(field="status", source=Status.TOWNSHIP_REVIEW, target=Status.COUNTY_REVIEW)
    def refer_to_county(self):
        pass

    @transition(field="status", source=Status.COUNTY_REVIEW, target=Status.APPROVED)
    def county_approve(self):
        pass

    @transition(field="status", source=[Status.TOWNSHIP_REVIEW, Status.COUNTY_REVIEW], target=Status.REJECTED)
    def reject(self):
        pass

    @transition(field="status", source=[Status.APPROVED, Status.PAYING], target=Status.PAYING)
    def pay_part(self):
        pass

    @transition(field="status", source=[Status.APPROVED, Status.PAYING], target=Status.PAID)
    def pay_rest(self):
        pass

    @transition(field="status", source=Status.PAID, target=Status.FILED)
    def file_with_county(self):
        pass

    @transition(field="status", source=[Status.PAID, Status.FILED], target=Status.PAYING)
    def payment_reversed(self):
        """Money paid out came back (payments.record_reversal): the case is being paid
        again, not paid."""


class TemporaryDetails(models.Model):
    """Temporary assistance's own fields of a case: what the shared case does not hold.
    One row per case, created with it (assistance.services.open_application)."""

    # The related name is the program's code: shared pages reach a program's details by it.
    case = models.OneToOneField(Application, primary_key=True, on_delete=models.CASCADE, related_name=CODE)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, blank=True)
    cause_category = models.CharField(_("cause category"), max_length=20, choices=CauseCategory.choices,
                                      default=CauseCategory.OTHER)
    repeat_of = models.ForeignKey(Application, verbose_name=_("repeats application"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    new_cause = models.TextField(_("new cause (for a repeat application)"), blank=True)
    local_registration = models.BooleanField(_("local registration or residence permit"), default=True)
    filed_at = models.DateTimeField(_("filed with the county at"), null=True, blank=True)

    class Meta:
        verbose_name = _("temporary-assistance details")
        verbose_name_plural = _("temporary-assistance details")
        # The repeat check looks up a household's earlier cases of a cause.
        indexes = [models.Index(fields=["cause_category"], name="temporary_cause_idx")]

    def __str__(self):
        return f"{self.case_id} {self.kind} {self.cause_category}"


# --- Rules: every number a row an administrator edits, per region, by date of effect ----------

class AssistanceRule(RuleScopeMixin):
    township_limit = models.DecimalField(_("township direct-approval limit (yuan)"), **MONEY_FIELD,
                                         help_text=_("Shandong: 3,000 yuan."))
    repeat_period_days = models.PositiveIntegerField(_("repeat application period (days)"), default=365)
    max_instalments = models.PositiveSmallIntegerField(_("most instalments per approval"), default=6)

    class Meta:
        ordering = ["scope", "-effective_from"]
        verbose_name = _("temporary-assistance rule")
        verbose_name_plural = _("temporary-assistance rules")
        db_table = "assistance_assistancerule"  # the table it had in the shared app: moved without copying
        constraints = [models.UniqueConstraint(fields=["scope", "effective_from"], name="assistance_rule_once")]

    def __str__(self):
        return f"{self.scope or '*'} {self.effective_from}: ≤ {self.township_limit}"




class AmountBand(RuleScopeMixin):
    """How much one cause may receive: a range in multiples of the monthly dibao
    standard, and/or a ceiling in yuan."""

    cause_category = models.CharField(_("cause category"), max_length=20, choices=CauseCategory.choices)
    min_multiple = models.DecimalField(_("at least × dibao standard"), max_digits=5, decimal_places=2, null=True,
                                       blank=True)
    max_multiple = models.DecimalField(_("at most × dibao standard"), max_digits=5, decimal_places=2, null=True,
                                       blank=True)
    max_amount = models.DecimalField(_("at most (yuan)"), **MONEY_FIELD, null=True, blank=True)

    class Meta:
        ordering = ["scope", "cause_category", "-effective_from"]
        verbose_name = _("amount band")
        verbose_name_plural = _("amount bands")
        db_table = "assistance_amountband"
        constraints = [models.UniqueConstraint(fields=["scope", "cause_category", "effective_from"],
                                               name="amount_band_once")]

    def __str__(self):
        # Labels, not codes: this is how the admin's list and the audit trail name the band.
        low, high = self.min_multiple, self.max_multiple
        band = f"{low if low is not None else '—'}–{high if high is not None else '—'}×"
        return f"{self.scope or '*'} {self.get_cause_category_display()}: {band}" + (
            f" / ≤ {self.max_amount}" if self.max_amount is not None else "")

"""What happens to a 低保 or 特困 case after approval, while it is paid.

- ``ReviewRule``: how often a case is reviewed (yearly when stable, every six months when
  income is irregular or a member can work, and what counts as either), how long a
  gradual exit pays, how soon a death is re-checked and how many refusals of work cost a
  member their share — per program, region prefix and date of effect.
- ``Review``: one review of one case (复核), periodic or opened by a reported change; the
  artifact of the review flow (investigate, then decide). At most one open per case.
- ``ChangeReport``: a change of circumstance reported by township staff (a death, an
  income or household change); it opens a review or joins the open one.
- ``WorkRefusal``: a member refusing suitable work; the limit in a row cuts their share.
- ``BenefitNotice``: the written notice of a stop, cut, adjustment, or a gradual exit's
  start or end (a PDF with its SHA-256), one per schedule entry; it never changes.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistance.models import Application, RuleScopeMixin
from core.money import MONEY_FIELD
from core.scoping import ScopedQuerySet
from documents.models import ImmutableDocumentError
from workflows.enrolment.models import BenefitChange, ProgramCode

# What the review flow's deadline rows and SLA policies store as their flow.
FLOW_CODE = "review"


class ReviewRule(RuleScopeMixin):
    """One version of the review settings of a program for a region, from a day on."""

    program = models.CharField(_("program"), max_length=12, choices=ProgramCode.choices)
    months_stable = models.PositiveSmallIntegerField(
        _("review every (months), stable household"), default=12, validators=[MinValueValidator(1)])
    months_irregular = models.PositiveSmallIntegerField(
        _("review every (months), irregular income or a member able to work"), default=6,
        validators=[MinValueValidator(1)])
    irregular_income_kinds = models.CharField(
        _("income kinds counted as irregular"), max_length=100, blank=True, default="business,other",
        help_text=_("Comma-separated income kinds (wage, business, farming, pension, support, property, other)."))
    work_age_from = models.PositiveSmallIntegerField(_("able to work from age"), default=16)
    work_age_under = models.PositiveSmallIntegerField(_("able to work under age"), default=60)
    unable_disability_grade = models.PositiveSmallIntegerField(
        _("a disability up to this grade means unable to work"), default=2,
        validators=[MinValueValidator(1), MaxValueValidator(4)])
    gradual_exit_months = models.PositiveSmallIntegerField(
        _("gradual exit (months paid)"), default=6, validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text=_("National rule: at most 6 months after income passes the line."))
    death_recheck_months = models.PositiveSmallIntegerField(
        _("re-check after a death within (months)"), default=3, validators=[MinValueValidator(1)])
    work_refusals_limit = models.PositiveSmallIntegerField(
        _("refusals of suitable work in a row that cut the member's share"), default=3,
        validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["program", "scope", "-effective_from"]
        verbose_name = _("review rule")
        verbose_name_plural = _("review rules")
        constraints = [
            models.UniqueConstraint(fields=["program", "scope", "effective_from"], name="review_rule_once"),
            models.CheckConstraint(condition=Q(program__in=ProgramCode.values), name="review_rule_program_valid"),
        ]

    def __str__(self):
        return f"{self.get_program_display()} {self.scope or '*'} {self.effective_from}"

    def irregular_kinds(self) -> set[str]:
        return {k.strip() for k in (self.irregular_income_kinds or "").split(",") if k.strip()}


class ReviewKind(models.TextChoices):
    PERIODIC = "periodic", _("Periodic review")
    DEATH = "death", _("Re-check after a death")
    CHANGE = "change", _("Change of circumstance")
    WORK_REFUSAL = "work_refusal", _("Refusal of suitable work")


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DECIDED = "decided", _("Decided")


class Outcome(models.TextChoices):
    CONTINUE = "continue", _("Continue unchanged")
    ADJUST = "adjust", _("Adjust the amount")
    GRADUAL_EXIT = "gradual_exit", _("Gradual exit")
    STOP = "stop", _("Stop payment")


class ReviewQuerySet(ScopedQuerySet):
    scope_field = "region_code"


class Review(models.Model):
    """A review (复核) of an enrolled case: the township investigates and re-runs the
    means test, the township head decides; the decision writes the payment schedule."""

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.PROTECT,
                                    related_name="reviews")
    program = models.CharField(_("program"), max_length=12, choices=ProgramCode.choices)
    # The household's village (scoping reads it like the case's).
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    kind = models.CharField(_("kind"), max_length=14, choices=ReviewKind.choices)
    due_reason = models.TextField(_("why it is due"), blank=True)
    # A death is re-checked within the rule's months: the day it must be done by.
    due_by = models.DateField(_("to be done by"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    findings = models.TextField(_("findings"), blank=True)
    investigators = models.JSONField(_("investigators"), default=list, blank=True)
    investigated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("investigated by"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+")
    investigated_at = models.DateTimeField(_("investigated at"), null=True, blank=True)
    # The means test as re-run by the investigation: its figures, and what it gives this case.
    means = models.JSONField(_("means test"), default=dict, blank=True)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices, blank=True)
    new_amount = models.DecimalField(_("new monthly amount"), null=True, blank=True, **MONEY_FIELD)
    reasons = models.TextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        permissions = [
            ("review_investigate", _("Can investigate a review of an enrolled case")),
            ("review_decide", _("Can decide a review of an enrolled case")),
        ]
        constraints = [
            # One open review per case: the daily run and a reported change cannot both open one.
            models.UniqueConstraint(fields=["application"], condition=Q(status="open"),
                                    name="review_one_open_per_case"),
            models.CheckConstraint(condition=Q(kind__in=ReviewKind.values), name="review_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values), name="review_status_valid"),
            models.CheckConstraint(condition=Q(outcome="") | Q(outcome__in=Outcome.values),
                                   name="review_outcome_valid"),
            models.CheckConstraint(condition=~Q(status="decided") | ~Q(outcome=""),
                                   name="review_decided_has_outcome"),
        ]
        indexes = [models.Index(fields=["region_code", "status", "opened_at"], name="review_region_idx")]

    def __str__(self):
        return f"#{self.application_id} {self.kind} {self.opened_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status == ReviewStatus.OPEN


class ChangeKind(models.TextChoices):
    DEATH = "death", _("Death of a member")
    INCOME = "income", _("Income changed")
    HOUSEHOLD = "household", _("Household changed")
    OTHER = "other", _("Other change")


class ChangeReportQuerySet(ScopedQuerySet):
    scope_field = "region_code"


class ChangeReport(models.Model):
    """A change of circumstance of an enrolled household, as township staff recorded it."""

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.PROTECT,
                                    related_name="change_reports")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    kind = models.CharField(_("change"), max_length=10, choices=ChangeKind.choices)
    member = models.ForeignKey("registry.Person", verbose_name=_("member"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    occurred_on = models.DateField(_("occurred on"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # The review it opened, or the open review it joined.
    review = models.ForeignKey(Review, verbose_name=_("review"), on_delete=models.PROTECT,
                               related_name="changes")

    objects = ChangeReportQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("change of circumstance")
        verbose_name_plural = _("changes of circumstance")
        constraints = [models.CheckConstraint(condition=Q(kind__in=ChangeKind.values), name="change_kind_valid")]

    def __str__(self):
        return f"#{self.application_id} {self.kind} {self.occurred_on}"


class WorkRefusalQuerySet(ScopedQuerySet):
    scope_field = "region_code"


class WorkRefusal(models.Model):
    """A member of an enrolled household refused suitable work that was offered."""

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.PROTECT,
                                    related_name="work_refusals")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    member = models.ForeignKey("registry.Person", verbose_name=_("member"), on_delete=models.PROTECT,
                               related_name="+")
    offered = models.CharField(_("work offered"), max_length=200)
    on = models.DateField(_("refused on"))
    # Its place in the member's run of refusals (since their share was last cut).
    number = models.PositiveSmallIntegerField(_("refusal in a row"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # The cut this refusal brought about (the limit's one), if any.
    benefit_change = models.OneToOneField(BenefitChange, verbose_name=_("cut"), null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="work_refusal")

    objects = WorkRefusalQuerySet.as_manager()

    class Meta:
        ordering = ["application_id", "member_id", "on", "id"]
        verbose_name = _("refusal of work")
        verbose_name_plural = _("refusals of work")

    def __str__(self):
        return f"#{self.application_id} {self.member_id} {self.on}"


class NoticeKind(models.TextChoices):
    ADJUST = "adjust", _("Amount adjusted")
    CUT = "cut", _("Member's share cut (refusal of work)")
    GRADUAL_EXIT = "gradual_exit", _("Gradual exit begins")
    GRADUAL_EXIT_END = "gradual_exit_end", _("Gradual exit ends")
    STOP = "stop", _("Payment stopped")


class BenefitNoticeQuerySet(ScopedQuerySet):
    scope_field = "region_code"

    def update(self, **kwargs):
        raise ImmutableDocumentError("Benefit notices are immutable.")

    def delete(self):
        raise ImmutableDocumentError("Benefit notices are immutable.")

    def bulk_update(self, *args, **kwargs):
        raise ImmutableDocumentError("Benefit notices are immutable.")

    def store_pdf(self, content: bytes, sha256: str) -> int:
        """Write the PDF of rows not rendered yet (``sha256`` empty), once."""
        return models.QuerySet.update(self.filter(sha256=""), content=content, sha256=sha256)


class BenefitNotice(models.Model):
    """The written notice (with reasons, and appeal routes where it takes something away)
    of one entry of a case's payment schedule. The row is written with the decision; its
    PDF is rendered after commit and stored once with its SHA-256."""

    benefit_change = models.OneToOneField(BenefitChange, verbose_name=_("benefit change"), on_delete=models.PROTECT,
                                          related_name="notice")
    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.PROTECT,
                                    related_name="benefit_notices")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    previous_amount = models.DecimalField(_("amount before"), null=True, blank=True, **MONEY_FIELD)
    content = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", editable=False)

    objects = BenefitNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("benefit notice")
        verbose_name_plural = _("benefit notices")
        constraints = [models.CheckConstraint(condition=Q(kind__in=NoticeKind.values),
                                              name="benefit_notice_kind_valid")]

    def __str__(self):
        return f"#{self.application_id} {self.kind} {self.created_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableDocumentError("Benefit notices are immutable: write a new one instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableDocumentError("Benefit notices are immutable and are never deleted.")

    @property
    def takes_away(self) -> bool:
        """A stop, a cut, a gradual exit or a lower amount: the notice names the appeal routes."""
        if self.kind == NoticeKind.ADJUST:
            return self.previous_amount is None or self.benefit_change.monthly_amount < self.previous_amount
        return True

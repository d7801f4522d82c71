"""What 低保 (dibao) and 特困 (tekun) enrolment share.

- ``EnrolmentCase``: the proxy of the shared case carrying the status machine both
  programs follow. Each program's folder adds its own proxy of this one with its step
  permissions. The law forbids enrolling anyone without intake, investigation and
  confirmation: the only way into ``approved`` is ``confirm`` from a notice or a
  confirmation, reached only through review, reached only through investigation.
- ``EnrolmentDetails``: the own fields of a case, one row per case (each program's
  concrete model adds the one-to-one named by its code).
- ``EnrolmentRule``: the numbers a county sets — whether the first-review notice is
  kept and for how long, how names are masked, whether confirmation is delegated to the
  township, 特困's unable-to-work criteria and spot-check share —
  per program, region prefix and date of effect.
- ``PublicNotice`` and ``Objection``: what is posted in the village (as a PDF with its
  SHA-256), and what was said against it.
- ``ProactiveNotice``: the letter (救助主动告知) telling a household whose means test says
  it qualifies, but which has no case, that it may apply; immutable like a document.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from assistance.models import Application, RuleScopeMixin
from core.scoping import ScopedQuerySet
from documents.models import ImmutableDocumentError


class ProgramCode(models.TextChoices):
    DIBAO = "dibao", _("Minimum living guarantee")
    TEKUN = "tekun", _("Extreme-poverty support")


class Status(models.TextChoices):
    INTAKE = "intake", _("Awaiting intake check")
    INCOMPLETE = "incomplete", _("Waiting for documents")
    INVESTIGATION = "investigation", _("Under investigation")
    VERIFICATION = "verification", _("Data verification (county)")
    TOWNSHIP_REVIEW = "township_review", _("Township review")
    NOTICE = "notice", _("Public notice, then confirmation")
    REINVESTIGATION = "reinvestigation", _("Objection: re-investigation")
    CONFIRMATION = "confirmation", _("Awaiting confirmation")
    APPROVED = "approved", _("Approved: paid monthly")
    REJECTED = "rejected", _("Rejected")
    # After approval (an ongoing case): the payment schedule (BenefitChange) says what is paid when.
    GRADUAL_EXIT = "gradual_exit", _("Gradual exit: paid for a last period")
    STOPPED = "stopped", _("Payment stopped")


OPEN_STATUSES = frozenset({Status.INTAKE, Status.INCOMPLETE, Status.INVESTIGATION, Status.VERIFICATION,
                           Status.TOWNSHIP_REVIEW, Status.NOTICE, Status.REINVESTIGATION, Status.CONFIRMATION})
DECIDED_STATUSES = frozenset({Status.APPROVED, Status.GRADUAL_EXIT, Status.STOPPED})
# Enrolled and still paid: the cases reviews and changes of circumstance apply to.
ONGOING_STATUSES = frozenset({Status.APPROVED, Status.GRADUAL_EXIT})
CONFIRMABLE_STATUSES = (Status.NOTICE, Status.CONFIRMATION)


class EnrolmentCase(Application):
    """The status machine of 低保 and 特困 cases (a proxy: no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = _("enrolment case")
        verbose_name_plural = _("enrolment cases")
        permissions = [("extend_case", _("Can extend a case's whole-case time limit"))]

    # --- transitions: only the programs' step services call these ---------------------------------
    @transition(field="status", source=Status.INTAKE, target=Status.INVESTIGATION)
    def accept(self):
        pass

    @transition(field="status", source=Status.INTAKE, target=Status.INCOMPLETE)
    def mark_incomplete(self):
        pass

    @transition(field="status", source=Status.INCOMPLETE, target=Status.INTAKE)
    def documents_received(self):
        pass

    @transition(field="status", source=Status.INVESTIGATION, target=Status.VERIFICATION)
    def investigated(self):
        pass

    @transition(field="status", source=Status.VERIFICATION, target=Status.TOWNSHIP_REVIEW)
    def verified(self):
        pass

    @transition(field="status", source=Status.REINVESTIGATION, target=Status.TOWNSHIP_REVIEW)
    def reinvestigated(self):
        pass

    @transition(field="status", source=Status.TOWNSHIP_REVIEW, target=Status.NOTICE)
    def recommend_with_notice(self):
        pass

    @transition(field="status", source=Status.TOWNSHIP_REVIEW, target=Status.CONFIRMATION)
    def recommend(self):
        pass

    @transition(field="status", source=Status.NOTICE, target=Status.REINVESTIGATION)
    def objected(self):
        pass

    @transition(field="status", source=list(CONFIRMABLE_STATUSES), target=Status.APPROVED)
    def confirm(self):
        pass

    @transition(field="status", source=[Status.TOWNSHIP_REVIEW, *CONFIRMABLE_STATUSES], target=Status.REJECTED)
    def reject(self):
        pass

    # --- after approval: only the ongoing-case services (reviews, changes) call these ------------
    @transition(field="status", source=Status.APPROVED, target=Status.GRADUAL_EXIT)
    def begin_gradual_exit(self):
        pass

    @transition(field="status", source=Status.GRADUAL_EXIT, target=Status.APPROVED)
    def resume(self):
        pass

    @transition(field="status", source=list(ONGOING_STATUSES), target=Status.STOPPED)
    def stop(self):
        pass


class SelfCare(models.TextChoices):
    """特困's self-care grading from the six daily activities."""

    SELF_CARING = "self_caring", _("Self-caring")
    PARTLY = "partly_dependent", _("Partly dependent")
    FULLY = "fully_dependent", _("Fully dependent")


class EnrolmentDetails(models.Model):
    """The own fields of a 低保 or 特困 case. Concrete per program (each adds its ``case``)."""

    # Individual coverage (单人保): the one member the case covers; empty: the whole household.
    covered_member = models.ForeignKey("registry.Person", verbose_name=_("covered alone (individual coverage)"),
                                       null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Taken from the county's rule at intake: who confirms, and so the whole-case limit.
    delegated = models.BooleanField(_("confirmation delegated to the township"), default=False)
    family_signed = models.BooleanField(_("investigation record signed by the family"), default=False)
    verification = models.JSONField(_("data verification results"), default=dict, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verified by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("first review by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("first review at"), null=True, blank=True)
    review_reason = models.TextField(_("first-review opinion"), blank=True)
    notice_rounds = models.PositiveSmallIntegerField(_("notices posted"), default=0)
    household_size = models.PositiveSmallIntegerField(_("people covered"), null=True, blank=True)
    # The means test the decision rested on, as shown then (its lines and reasons).
    means = models.JSONField(_("means test at the decision"), default=dict, blank=True)
    extension_reason = models.TextField(_("reason for extending the limit"), blank=True)
    extended_at = models.DateTimeField(_("limit extended at"), null=True, blank=True)
    extended_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("limit extended by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    paid_from = models.DateField(_("paid from (month)"), null=True, blank=True)

    class Meta:
        abstract = True

    def found_sources(self) -> list[str]:
        return [source for source, result in (self.verification or {}).items() if result == "found"]


class Masking(models.TextChoices):
    """How a name is printed on a posted list."""

    MIDDLE = "middle", _("First and last character (张*三)")
    SURNAME = "surname", _("Surname only (张**)")
    NONE = "none", _("Full name")


class EnrolmentRule(RuleScopeMixin):
    """One version of a county's enrolment settings for one program, from a day on."""

    program = models.CharField(_("program"), max_length=12, choices=ProgramCode.choices)
    keeps_notice = models.BooleanField(
        _("post the first-review opinion for public notice"), default=True,
        help_text=_("National rule (2021): kept, 7 days. Jining's 2020 practice: dropped."))
    notice_days = models.PositiveSmallIntegerField(_("public notice (calendar days)"), default=7,
                                                   validators=[MinValueValidator(1)])
    name_masking = models.CharField(_("names on posted lists"), max_length=8, choices=Masking.choices,
                                    default=Masking.MIDDLE)
    delegated = models.BooleanField(_("confirmation delegated to the township"), default=False)
    # 特困: who cannot work (《特困人员认定办法》第七条), and the county's spot checks.
    unable_age_from = models.PositiveSmallIntegerField(_("unable to work from age"), null=True, blank=True)
    unable_age_under = models.PositiveSmallIntegerField(_("unable to work under age"), null=True, blank=True)
    unable_grade_mental = models.PositiveSmallIntegerField(
        _("unable to work: intellectual or mental disability grade up to"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)])
    unable_grade_physical = models.PositiveSmallIntegerField(
        _("unable to work: physical disability grade up to"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)])
    unable_grade_visual = models.PositiveSmallIntegerField(
        _("unable to work: visual disability grade up to"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)])
    spot_check_share = models.DecimalField(
        _("county spot checks (share of cases)"), max_digits=4, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("特困: at least 0.30."))

    class Meta:
        ordering = ["program", "scope", "-effective_from"]
        verbose_name = _("enrolment rule")
        verbose_name_plural = _("enrolment rules")
        constraints = [
            models.UniqueConstraint(fields=["program", "scope", "effective_from"], name="enrolment_rule_once"),
            models.CheckConstraint(condition=Q(program__in=ProgramCode.values), name="enrolment_rule_program_valid"),
            models.CheckConstraint(condition=Q(name_masking__in=Masking.values), name="enrolment_rule_masking_valid"),
        ]

    def __str__(self):
        return f"{self.get_program_display()} {self.scope or '*'} {self.effective_from}"



class NoticeKind(models.TextChoices):
    FIRST_REVIEW = "first_review", _("First-review opinion (for objections)")
    APPROVED = "approved", _("Approved (published)")


class PublicNoticeQuerySet(models.QuerySet):
    def running(self, now=None):
        now = now or timezone.now()
        return self.filter(kind=NoticeKind.FIRST_REVIEW, starts_at__lte=now, ends_at__gt=now, withdrawn_at=None)


class PublicNotice(models.Model):
    """A list posted in the case's village: the names (masked as the county says),
    household sizes and monthly amounts only — never an ID number, an address or bank
    data. Its PDF is archived with its SHA-256 and never changes."""

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.PROTECT,
                                    related_name="public_notices")
    program = models.CharField(_("program"), max_length=12, choices=ProgramCode.choices)
    kind = models.CharField(_("kind"), max_length=14, choices=NoticeKind.choices)
    # Where it is posted: the household's village (scoping reads it like a case's region).
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    starts_at = models.DateTimeField(_("posted at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    # An objection ends a notice early: the case goes back to investigation and a new notice follows.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    entries = models.JSONField(_("entries"), default=list)
    content = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("posted by"), null=True,
                                   on_delete=models.PROTECT, related_name="+")

    objects = PublicNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        constraints = [
            models.UniqueConstraint(fields=["application", "kind", "round"], name="public_notice_once_per_round"),
            models.CheckConstraint(condition=Q(kind__in=NoticeKind.values), name="public_notice_kind_valid"),
        ]
        indexes = [models.Index(fields=["region_code", "program", "kind"], name="public_notice_region_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.application_id}/{self.round}"

    def is_running(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.kind == NoticeKind.FIRST_REVIEW and self.withdrawn_at is None and self.starts_at <= now
                and (self.ends_at is None or now < self.ends_at))


class ObjectionOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Objection(models.Model):
    """Something said against a posted first-review opinion, recorded by township staff.
    It opens a re-investigation; the outcome is recorded there."""

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.PROTECT,
                                    related_name="objections")
    notice = models.ForeignKey(PublicNotice, verbose_name=_("notice"), on_delete=models.PROTECT,
                               related_name="objections")
    text = models.TextField(_("objection"))
    raised_by = models.CharField(_("raised by"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=10, choices=ObjectionOutcome.choices, blank=True)
    findings = models.TextField(_("re-investigation findings"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self):
        return f"#{self.application_id}: {self.text[:30]}"


class SpotCheck(models.Model):
    """A case the county drew for its own check (特困: at least 30 % of the cases it
    confirmed in a period). Drawn at random, once per case."""

    application = models.OneToOneField(Application, verbose_name=_("application"), on_delete=models.PROTECT,
                                       related_name="spot_check")
    county_code = models.CharField(_("county"), max_length=12, db_index=True)
    period = models.CharField(_("period"), max_length=7, help_text=_("YYYY-MM"))
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drawn by"), on_delete=models.PROTECT,
                                 related_name="+")
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    finding = models.TextField(_("finding"), blank=True)

    class Meta:
        ordering = ["-drawn_at", "application_id"]
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")

    def __str__(self):
        return f"{self.county_code} {self.period} #{self.application_id}"




class ProactiveNoticeQuerySet(ScopedQuerySet):
    scope_field = "region_code"

    def update(self, **kwargs):
        raise ImmutableDocumentError("Proactive notices are immutable.")

    def delete(self):
        raise ImmutableDocumentError("Proactive notices are immutable.")

    def bulk_update(self, *args, **kwargs):
        raise ImmutableDocumentError("Proactive notices are immutable.")


class ProactiveNotice(models.Model):
    """A letter (救助主动告知) to a household whose means test says it qualifies (or that
    one member qualifies for individual coverage) but which has no open or approved case
    of the program: it may apply. The means test as it stood, and the PDF with its
    SHA-256, are stored with it; like a document, it is made once and never changes."""

    household = models.ForeignKey("registry.Household", verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="proactive_notices")
    program = models.CharField(_("program"), max_length=12, choices=ProgramCode.choices)
    # The household's village when the letter was written (scoping reads it like a case's region).
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    means = models.JSONField(_("means test"), default=dict)
    content = models.BinaryField(_("PDF"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", editable=False)

    objects = ProactiveNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("proactive notice")
        verbose_name_plural = _("proactive notices")
        constraints = [
            models.CheckConstraint(condition=Q(program__in=ProgramCode.values), name="proactive_notice_program_valid"),
        ]
        indexes = [models.Index(fields=["household", "program", "created_at"], name="proactive_notice_household_idx")]

    def __str__(self):
        return f"{self.program} #{self.household_id} {self.created_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableDocumentError("Proactive notices are immutable: write a new one instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableDocumentError("Proactive notices are immutable and are never deleted.")


class DeliveryMethod(models.TextChoices):
    IN_PERSON = "in_person", _("Handed over in person")
    POST = "post", _("Sent by post")
    VILLAGE = "village", _("Through the village committee")
    PHONE = "phone", _("Read out by phone, letter to follow")


class ProactiveDeliveryQuerySet(ScopedQuerySet):
    scope_field = "notice__region_code"

    def update(self, **kwargs):
        raise ImmutableDocumentError("A delivery record is never changed: record the next delivery instead.")

    def delete(self):
        raise ImmutableDocumentError("Delivery records are never deleted.")


class ProactiveDelivery(models.Model):
    """How and when a proactive notice reached the household (append-only): the letter
    itself never changes, so its delivery is a record of its own. The dashboard's
    conversion rate reads these and the applications that followed."""

    notice = models.ForeignKey(ProactiveNotice, verbose_name=_("proactive notice"), on_delete=models.PROTECT,
                               related_name="deliveries")
    method = models.CharField(_("how"), max_length=10, choices=DeliveryMethod.choices)
    delivered_on = models.DateField(_("delivered on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")

    objects = ProactiveDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["delivered_on", "id"]
        verbose_name = _("delivery of a proactive notice")
        verbose_name_plural = _("deliveries of proactive notices")
        constraints = [models.CheckConstraint(condition=Q(method__in=DeliveryMethod.values),
                                              name="proactive_delivery_method_valid")]

    def __str__(self):
        return f"{self.notice_id} {self.method} {self.delivered_on}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableDocumentError("A delivery record is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableDocumentError("Delivery records are never deleted.")


# --- What an enrolled case is paid, month by month --------------------------------------------------

class BenefitKind(models.TextChoices):
    START = "start", _("Payment starts")
    ADJUST = "adjust", _("Amount adjusted")
    GRADUAL_EXIT = "gradual_exit", _("Gradual exit")
    STOP = "stop", _("Payment stops")


class AppendOnlyQuerySet(ScopedQuerySet):
    scope_field = "region_code"

    def update(self, **kwargs):
        raise ImmutableDocumentError("The benefit schedule is append-only: add a new change instead.")

    def delete(self):
        raise ImmutableDocumentError("The benefit schedule is append-only and is never deleted.")

    def bulk_update(self, *args, **kwargs):
        raise ImmutableDocumentError("The benefit schedule is append-only: add a new change instead.")


class BenefitChange(models.Model):
    """One entry of an enrolled case's payment schedule: from ``month`` on, the case is
    paid ``monthly_amount`` (a start or an adjustment), keeps being paid up to
    ``until_month`` (a gradual exit), or is no longer paid (a stop, amount 0).

    The schedule is append-only: what a month's roster pays is the entry in force for
    that month — the one with the latest ``month`` not after it, the latest written of
    those on a tie. Approval writes the start (from the month after it); reviews and
    changes of circumstance write the rest, each with its reasons."""

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.PROTECT,
                                    related_name="benefit_changes")
    program = models.CharField(_("program"), max_length=12, choices=ProgramCode.choices)
    # The household's village, and its county: rosters are made per county, program and month.
    region_code = models.CharField(_("region code"), max_length=12)
    county_code = models.CharField(_("county"), max_length=12)
    month = models.DateField(_("from month"), help_text=_("The first day of the first month it applies to."))
    kind = models.CharField(_("change"), max_length=14, choices=BenefitKind.choices)
    monthly_amount = models.DecimalField(_("monthly amount"), max_digits=14, decimal_places=2,
                                         validators=[MinValueValidator(Decimal("0"))])
    # A gradual exit: the last month still paid.
    until_month = models.DateField(_("paid until (month)"), null=True, blank=True)
    household_size = models.PositiveSmallIntegerField(_("people covered"), null=True, blank=True)
    reason = models.TextField(_("reasons"), blank=True)
    # What decided it: "approval", "review:<id>", "change:<id>", ...
    source = models.CharField(_("decided in"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("decided at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["application_id", "month", "id"]
        verbose_name = _("benefit change")
        verbose_name_plural = _("benefit changes")
        constraints = [
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="benefit_change_amount_not_negative"),
            models.CheckConstraint(condition=~Q(kind="stop") | Q(monthly_amount=0), name="benefit_change_stop_pays_nothing"),
            models.CheckConstraint(condition=Q(until_month__isnull=True) | Q(until_month__gte=models.F("month")),
                                   name="benefit_change_until_after_month"),
            models.CheckConstraint(condition=Q(kind__in=BenefitKind.values), name="benefit_change_kind_valid"),
        ]
        indexes = [models.Index(fields=["county_code", "program", "month"], name="benefit_change_roster_idx"),
                   models.Index(fields=["application", "month"], name="benefit_change_case_idx")]

    def __str__(self):
        return f"#{self.application_id} {self.kind} {self.month:%Y-%m} {self.monthly_amount}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableDocumentError("The benefit schedule is append-only: add a new change instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableDocumentError("The benefit schedule is append-only and is never deleted.")

    def pays_in(self, month) -> bool:
        """Whether this entry, when it is the one in force for ``month``, pays that month."""
        if self.kind == BenefitKind.STOP or self.monthly_amount <= 0:
            return False
        return self.until_month is None or month <= self.until_month

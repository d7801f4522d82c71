"""Township reserve funds (临时救助备用金): cash the county advances to a township so
urgent temporary assistance can be paid the same day.

The fund row holds the current balance; the ledger holds why. Every change of the
balance is one ledger entry appended under a row lock on the fund, in the same
transaction as the balance update, so the balance always equals the sum of the
ledger. Entries are never edited or deleted: corrections are new entries. The
database itself keeps the balance from going negative (check constraint), pays an
instalment once (unique idempotency key), and refuses UPDATE/DELETE of entries and
new entries dated in a signed-off month (triggers, migration 0002).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat, Left
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import CENT, MONEY_FIELD
from core.scoping import ScopedQuerySet

ZERO = Decimal("0.00")


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a ledger entry or a month's sign-off."""


def month_of(at: datetime.datetime) -> datetime.date:
    """The accounting month of a moment: the first day of its month in local time."""
    return timezone.localtime(at).date().replace(day=1)


class FundStatus(models.TextChoices):
    OK = "ok", _("Sufficient")
    LOW = "low", _("Below the low-water mark")
    REPLENISHING = "replenishing", _("Replenishment requested")


class ReserveFundQuerySet(ScopedQuerySet):
    # The township's code is the foreign key's column: scoping needs no join.
    scope_field = "township__code"

    def with_status(self):
        open_request = ReplenishmentRequest.objects.filter(fund=OuterRef("pk"), status=RequestStatus.OPEN)
        return self.annotate(has_open_request=Exists(open_request))


class ReserveFund(models.Model):
    """One per township."""

    township = models.OneToOneField("regions.Region", verbose_name=_("township"), on_delete=models.PROTECT,
                                    related_name="reserve_fund", limit_choices_to={"level": "township"})
    # Changed only by funds.services, together with a ledger entry, under a row lock.
    balance = models.DecimalField(_("balance"), **MONEY_FIELD, default=ZERO, editable=False)
    low_water_mark = models.DecimalField(
        _("low-water mark"), **MONEY_FIELD, default=ZERO,
        help_text=_("When a payment leaves the balance below this, a replenishment request goes to county finance."))
    target_balance = models.DecimalField(
        _("standard amount"), **MONEY_FIELD, default=ZERO,
        help_text=_("The amount the county tops the fund up to; a replenishment request asks for the difference."))
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    objects = ReserveFundQuerySet.as_manager()

    class Meta:
        ordering = ["township_id"]
        verbose_name = _("reserve fund")
        verbose_name_plural = _("reserve funds")
        permissions = [
            ("allocate", _("Can allocate money to reserve funds")),
            ("adjust", _("Can adjust reserve-fund balances")),
            ("sign_off", _("Can sign off a reserve fund's month")),
            ("approve_replenishment", _("Can approve replenishment of reserve funds")),
            ("request_replenishment", _("Can request replenishment of a reserve fund")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="reserve_fund_balance_not_negative"),
            models.CheckConstraint(condition=Q(low_water_mark__gte=0), name="reserve_fund_mark_not_negative"),
            models.CheckConstraint(condition=Q(target_balance__gte=models.F("low_water_mark")),
                                   name="reserve_fund_target_above_mark"),
        ]

    def __str__(self):
        return _("Reserve fund of %(township)s") % {"township": self.township.name}

    @property
    def is_low(self) -> bool:
        return self.balance < self.low_water_mark

    @property
    def status(self) -> str:
        has_open = getattr(self, "has_open_request", None)
        if has_open is None:
            has_open = self.replenishments.filter(status=RequestStatus.OPEN).exists()
        if has_open:
            return FundStatus.REPLENISHING
        return FundStatus.LOW if self.is_low else FundStatus.OK

    def get_status_display(self) -> str:
        return FundStatus(self.status).label


class _Balance(Subquery):
    def get_db_converters(self, connection):
        # SQLite gives a computed decimal without its places (2500, where the column reads
        # 2500.00): give it back as the column would.
        return [*super().get_db_converters(connection), _to_cents]


def _to_cents(value, expression, connection):
    return value if value is None else value.quantize(CENT)


def township_balance(region_code: str = "region_code") -> Subquery:
    """The balance of the reserve fund of the township that the row's ``region_code`` (a
    village's or the township's own) lies in, as a subquery to annotate a list with: None
    when the township has no fund. A page of rows gets its balances with its rows."""
    township = Concat(Left(OuterRef(region_code), 9), Value("000"))
    return _Balance(ReserveFund.objects.filter(township_id=township).order_by().values("balance")[:1])


class EntryKind(models.TextChoices):
    ALLOCATION = "allocation", _("Allocation from the county")
    DISBURSEMENT = "disbursement", _("Disbursement")
    REVERSAL = "reversal", _("Reversal of a payout")
    ADJUSTMENT = "adjustment", _("Adjustment")


class Direction(models.IntegerChoices):
    IN = 1, _("in")
    OUT = -1, _("out")


class LedgerQuerySet(ScopedQuerySet):
    scope_field = "fund__township__code"

    def update(self, **kwargs):
        raise AppendOnlyError("Reserve-fund ledger entries are append-only.")

    def delete(self):
        raise AppendOnlyError("Reserve-fund ledger entries are append-only.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("Reserve-fund ledger entries are append-only.")


class LedgerEntry(models.Model):
    """One movement of a fund's money. ``amount`` is always positive; ``direction``
    says whether it came in or went out; ``balance_after`` is the fund's balance
    right after it, so every entry proves the one before it."""

    # A database trigger refuses UPDATE and DELETE (core.integrity checks it is there).
    append_only = True

    fund = models.ForeignKey(ReserveFund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    direction = models.SmallIntegerField(_("direction"), choices=Direction.choices)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    balance_after = models.DecimalField(_("balance after"), **MONEY_FIELD)
    at = models.DateTimeField(_("at"), default=timezone.now)
    # The local month of ``at``: statements, sign-off and the month lock work on it.
    month = models.DateField(_("month"))
    application = models.ForeignKey("assistance.Application", verbose_name=_("application"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="fund_entries")
    instalment_number = models.PositiveSmallIntegerField(_("instalment"), null=True, blank=True)
    reverses = models.OneToOneField("self", verbose_name=_("reverses"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reversal")
    # application:<id>:instalment:<n> for a payout; unique, so a repeated call cannot pay twice.
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["fund", "month", "id"], name="ledger_fund_month_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="ledger_balance_not_negative"),
            models.CheckConstraint(condition=Q(direction__in=[1, -1]), name="ledger_direction_valid"),
            models.CheckConstraint(
                condition=(Q(kind="allocation", direction=1) | Q(kind="disbursement", direction=-1)
                           | Q(kind="reversal", direction=1) | Q(kind="adjustment")),
                name="ledger_kind_direction"),
            models.CheckConstraint(
                condition=~Q(kind="disbursement") | Q(application__isnull=False, instalment_number__isnull=False,
                                                      idempotency_key__isnull=False),
                name="ledger_disbursement_identified"),
            models.CheckConstraint(condition=~Q(kind="reversal") | Q(reverses__isnull=False),
                                   name="ledger_reversal_linked"),
            models.UniqueConstraint(fields=["idempotency_key"], name="ledger_idempotency_key_once"),
        ]

    def __str__(self):
        sign = "+" if self.direction > 0 else "−"
        return f"#{self.pk} {self.get_kind_display()} {sign}{self.amount}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Reserve-fund ledger entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Reserve-fund ledger entries are append-only.")

    @property
    def change(self) -> Decimal:
        return self.amount * self.direction


class MonthlySignOffQuerySet(ScopedQuerySet):
    scope_field = "fund__township__code"

    def update(self, **kwargs):
        raise AppendOnlyError("A signed-off month cannot be changed.")

    def delete(self):
        raise AppendOnlyError("A signed-off month cannot be changed.")


class MonthlySignOff(models.Model):
    """County finance has reconciled one month of one fund. Its totals are kept as
    they were signed; from then on no entry may be dated in that month."""

    append_only = True

    fund = models.ForeignKey(ReserveFund, verbose_name=_("fund"), on_delete=models.PROTECT,
                             related_name="sign_offs")
    month = models.DateField(_("month"))
    opening = models.DecimalField(_("opening balance"), **MONEY_FIELD)
    allocations = models.DecimalField(_("allocations"), **MONEY_FIELD)
    disbursements = models.DecimalField(_("disbursements"), **MONEY_FIELD)
    reversals = models.DecimalField(_("reversals"), **MONEY_FIELD)
    adjustments = models.DecimalField(_("adjustments (net)"), **MONEY_FIELD)
    closing = models.DecimalField(_("closing balance"), **MONEY_FIELD)
    entry_count = models.PositiveIntegerField(_("entries"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed off by"),
                                  on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed off at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    # The statement as it was signed, kept as the record: rendered again later it could
    # differ (a township renamed, a template corrected). Empty for months signed off
    # before statements were kept.
    statement_pdf = models.BinaryField(_("signed statement (PDF)"), null=True, editable=False)
    # Nullable so that adding it leaves the table (and its append-only triggers) as it is on SQLite.
    statement_sha256 = models.CharField(_("SHA-256"), max_length=64, null=True, blank=True, editable=False)

    objects = MonthlySignOffQuerySet.as_manager()

    class Meta:
        ordering = ["fund_id", "month"]
        verbose_name = _("month sign-off")
        verbose_name_plural = _("month sign-offs")
        constraints = [
            models.UniqueConstraint(fields=["fund", "month"], name="fund_month_signed_once"),
        ]

    def __str__(self):
        return f"{self.fund_id} {self.month:%Y-%m}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("A signed-off month cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("A signed-off month cannot be changed.")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for county finance")
    APPROVED = "approved", _("Approved and allocated")
    REJECTED = "rejected", _("Rejected")


class RequestOrigin(models.TextChoices):
    LOW_WATER = "low_water", _("Balance fell below the low-water mark")
    SHORTFALL = "shortfall", _("A payment could not be covered")
    TOWNSHIP = "township", _("Requested by the township")


class ReplenishmentQuerySet(ScopedQuerySet):
    scope_field = "fund__township__code"


class ReplenishmentRequest(models.Model):
    """A request to county finance to top a fund up; the artifact of a replenishment
    process (workflows.replenishment)."""

    # Integer key: viewflow's generic references to artifacts are PositiveIntegerField.
    id = models.AutoField(primary_key=True)
    fund = models.ForeignKey(ReserveFund, verbose_name=_("fund"), on_delete=models.PROTECT,
                             related_name="replenishments")
    origin = models.CharField(_("origin"), max_length=10, choices=RequestOrigin.choices)
    amount = models.DecimalField(_("amount requested"), **MONEY_FIELD)
    balance_at_request = models.DecimalField(_("balance when requested"), **MONEY_FIELD)
    reason = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    allocation = models.OneToOneField(LedgerEntry, verbose_name=_("allocation"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="replenishment")

    objects = ReplenishmentQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("replenishment request")
        verbose_name_plural = _("replenishment requests")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="replenishment_amount_positive"),
            # At most one open request per fund, whoever or whatever asks.
            models.UniqueConstraint(fields=["fund"], condition=Q(status="open"), name="replenishment_one_open"),
            models.CheckConstraint(condition=~Q(status="approved") | Q(allocation__isnull=False),
                                   name="replenishment_approved_allocated"),
        ]

    def __str__(self):
        return _("Replenishment request %(id)s") % {"id": self.pk}

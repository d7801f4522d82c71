"""State changes of the township reserve funds: one function per change.

Every change of a balance follows the same path: check the role (permission) and
the region (core.scoping), validate the input, then in one transaction lock the
fund row, append a ledger entry, move the balance and write the audit row. Side
effects (replenishment requests) are queued with ``transaction.on_commit``.

Money is Decimal with two places throughout (core.money.parse_amount).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from assistance.services import lock_case
from audit import services as audit
from core import programs
from core.errors import Conflict, InvalidInput, NotPermitted
from core.money import MAX_AMOUNT, figures, parse_amount
from core.scoping import code_visible_to
from core.tasks import queue_after_commit

from . import waiting
from .models import (
    ZERO,
    Direction,
    EntryKind,
    LedgerEntry,
    MonthlySignOff,
    ReplenishmentRequest,
    RequestOrigin,
    RequestStatus,
    ReserveFund,
    month_of,
)

log = logging.getLogger(__name__)

FLOW = "reserve_fund"


class InsufficientFunds(Conflict):
    """The balance cannot cover a payment. Nothing was written; the payment waits
    until the fund is replenished (a replenishment request is queued after commit)."""

    def __init__(self, fund: ReserveFund, amount: Decimal):
        self.fund_id = fund.pk
        self.balance = fund.balance
        self.amount = amount
        self.shortfall = amount - fund.balance
        super().__init__(_(
            "The reserve fund of %(township)s holds %(balance)s yuan and cannot cover this payment of "
            "%(amount)s yuan. The payment waits until county finance replenishes the fund."
        ) % {"township": fund.township.name, "balance": figures(fund.balance), "amount": figures(amount)})


def disbursement_key(application_id: int, instalment_number: int) -> str:
    return f"application:{application_id}:instalment:{instalment_number}"


# --- helpers ------------------------------------------------------------------------------------

def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _require(actor, perm: str, fund: ReserveFund, message: str) -> None:
    """Role first (403), then region: the views answer 404 for another region before
    calling; a service called from elsewhere still refuses."""
    if _user(actor) is None or not actor.has_perm(perm):
        raise NotPermitted(message)
    if not code_visible_to(actor, fund.township_id):
        raise NotPermitted(_("This reserve fund is outside your region."))


def _text(value, field: str, *, max_length: int, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise InvalidInput({field: [_("This field is required.")]})
    if len(text) > max_length:
        raise InvalidInput({field: [_("At most %(n)d characters.") % {"n": max_length}]})
    return text


def _lock(fund_id: int) -> ReserveFund:
    # Lock the fund row: without it two payments can both see enough balance.
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    return ReserveFund.objects.select_for_update(of=("self",)).get(pk=fund_id)


def _append(fund: ReserveFund, *, kind: str, direction: int, amount: Decimal, actor, **fields) -> LedgerEntry:
    """Append one entry to a fund the caller has locked, and move its balance."""
    now = timezone.now()
    month = month_of(now)
    if MonthlySignOff.objects.filter(fund=fund, month=month).exists():
        raise Conflict(_("%(month)s has been signed off: no entry may be dated in it.") % {
            "month": formats.date_format(month, "YEAR_MONTH_FORMAT")})
    balance = fund.balance + direction * amount
    if balance < 0:
        raise InsufficientFunds(fund, amount)
    if balance > MAX_AMOUNT:
        raise InvalidInput({"amount": [_("The balance would exceed the largest amount the ledger can hold.")]})
    entry = LedgerEntry.objects.create(fund=fund, kind=kind, direction=direction, amount=amount,
                                       balance_after=balance, at=now, month=month, actor=_user(actor), **fields)
    fund.balance = balance
    fund.save(update_fields=["balance"])
    return entry


def _record(event: str, actor, entry: LedgerEntry, request=None, reason: str = "", **extra) -> None:
    audit.record(event, actor=_user(actor), obj=entry.fund, region_code=entry.fund.township_id,
                 after={"entry": entry.pk, "kind": entry.kind, "amount": entry.amount, "direction": entry.direction,
                        "balance_after": entry.balance_after},
                 reason=reason, extra=extra, request=request)


def _replenish_after_commit(fund_id: int, origin: str, needed: Decimal | None = None) -> None:
    """Queue the replenishment check once the caller's transaction commits. Robust: a
    failure to queue is logged and never undoes or fails the payment that committed."""

    queue_after_commit("funds.request_replenishment", fund_id, origin, str(needed) if needed is not None else None,
                       robust=True)


# --- disbursement: the contract with assistance.services ----------------------------------------

def _live_payment(base_key: str) -> tuple[str, LedgerEntry | None]:
    """(key to pay under, existing payment). A payment that was reversed (a failed
    payout) no longer counts: the next attempt gets a key derived from the reversal,
    so the instalment is still paid at most once at any time, and a retry of that
    attempt finds it in turn."""
    key = base_key
    while True:
        entry = LedgerEntry.objects.filter(idempotency_key=key).first()
        if entry is None:
            return key, None
        reversal_id = LedgerEntry.objects.filter(reverses_id=entry.pk).values_list("pk", flat=True).first()
        if reversal_id is None:
            return key, entry
        key = f"{base_key}:after-reversal:{reversal_id}"


def _check_payable(application, instalment) -> None:
    # The fund is held for the programs that declare they pay from it (temporary assistance).
    spec = programs.program(application.program)
    if spec is None or spec.may_pay is None:
        raise Conflict(_("The reserve fund pays temporary assistance only."))
    if not spec.may_pay(application, instalment.number):
        raise Conflict(_("Application %(id)s is not approved for payment (status: %(status)s): "
                         "the reserve fund pays approved applications only.") % {
            "id": application.pk, "status": application.status_label})


def fund_for(township_code: str) -> ReserveFund:
    fund = ReserveFund.objects.select_related("township").filter(township_id=township_code).first()
    if fund is None:
        raise Conflict(_("Township %(code)s has no reserve fund.") % {"code": township_code})
    return fund


def disburse(actor, *, application, instalment, request=None) -> LedgerEntry:
    """Pay one instalment of an application from its township's reserve fund.

    Idempotent: the same application and instalment pay once, whoever calls and how
    often (also concurrently); a repeat returns the first entry and writes nothing.
    Raises InsufficientFunds (a Conflict) when the balance cannot cover it.
    """
    if instalment.application_id != application.pk:
        raise InvalidInput({"instalment": [_("This instalment belongs to another application.")]})
    base_key = disbursement_key(application.pk, instalment.number)
    _key, existing = _live_payment(base_key)
    if existing is not None:
        return existing
    _check_payable(application, instalment)
    amount = parse_amount(instalment.amount)
    fund = fund_for(application.township_code)
    if _user(actor) is not None and not code_visible_to(actor, fund.township_id):
        raise NotPermitted(_("This reserve fund is outside your region."))
    try:
        with transaction.atomic():
            locked = _lock(fund.pk)
            locked.township = fund.township
            # Under the lock a concurrent call for the same instalment has committed, and is seen here.
            key, existing = _live_payment(base_key)
            if existing is not None:
                return existing
            entry = _append(locked, kind=EntryKind.DISBURSEMENT, direction=Direction.OUT, amount=amount, actor=actor,
                            application=application, instalment_number=instalment.number, idempotency_key=key)
            _record("funds.ledger.disbursed", actor, entry, request,
                    application=application.pk, instalment=instalment.number)
    except InsufficientFunds:
        # Outside the rolled-back savepoint: runs when the caller's transaction commits.
        _replenish_after_commit(fund.pk, RequestOrigin.SHORTFALL, amount)
        raise
    except IntegrityError:
        # The unique key stopped a second payment the lock did not serialize: return the first.
        _key, existing = _live_payment(base_key)
        if existing is None:
            raise
        return existing
    if entry.balance_after < locked.low_water_mark:
        _replenish_after_commit(fund.pk, RequestOrigin.LOW_WATER)
    return entry


def may_reverse(actor) -> bool:
    """County finance (``funds.adjust``) only: money paid out comes back into the fund, and
    its case is paid again, on a second person's word, not on that of whoever pays out."""
    return _user(actor) is not None and actor.has_perm("funds.adjust")


def reverse(actor, entry: LedgerEntry, reason: str, request=None) -> LedgerEntry:
    """A payout that failed or was cancelled: its money goes back into the fund as a
    new entry linked to the original, dated now (also when the original's month is
    signed off), and its case no longer counts it and is paid again (its program's
    ``payment_reversed``). Done by county finance, never by whoever made the payout.
    Never twice: a repeat returns the first reversal."""
    fund = ReserveFund.objects.select_related("township").get(pk=entry.fund_id)
    if not may_reverse(actor):
        raise NotPermitted(_("Only county finance may reverse a payout."))
    if not code_visible_to(actor, fund.township_id):
        raise NotPermitted(_("This reserve fund is outside your region."))
    if entry.kind != EntryKind.DISBURSEMENT:
        raise Conflict(_("Only a disbursement can be reversed."))
    if entry.actor_id is not None and entry.actor_id == actor.pk:
        raise NotPermitted(_("You made this payout, so someone else must reverse it."))
    reason = _text(reason, "reason", max_length=1000)
    existing = LedgerEntry.objects.filter(reverses_id=entry.pk).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            application = lock_case(entry.application_id) if entry.application_id else None
            locked = _lock(fund.pk)
            locked.township = fund.township
            existing = LedgerEntry.objects.filter(reverses_id=entry.pk).first()
            if existing is not None:
                return existing
            reversal = _append(locked, kind=EntryKind.REVERSAL, direction=Direction.IN, amount=entry.amount,
                               actor=actor, application_id=entry.application_id,
                               instalment_number=entry.instalment_number, reverses=entry,
                               idempotency_key=f"reversal:{entry.pk}", reason=reason)
            _record("funds.ledger.reversed", actor, reversal, request, reason=reason, reverses=entry.pk,
                    application=entry.application_id, instalment=entry.instalment_number)
            spec = programs.program(application.program) if application is not None else None
            if spec is not None and spec.payment_reversed is not None:
                # The case stops counting the money in the same transaction (its instalment
                # can be paid again), or it would read "paid" for money that came back.
                spec.payment_reversed(actor, application.pk, instalment_number=entry.instalment_number,
                                      amount=entry.amount, reason=reason, reversal_id=reversal.pk, request=request)
            waiting.announce_after_commit(fund.pk)
    except IntegrityError:
        existing = LedgerEntry.objects.filter(reverses_id=entry.pk).first()
        if existing is None:
            raise
        return existing
    return reversal


# --- county finance -----------------------------------------------------------------------------

def _allocate(actor, fund: ReserveFund, amount: Decimal, reference: str, *, request=None,
              idempotency_key: str | None = None, replenishment: ReplenishmentRequest | None = None) -> LedgerEntry:
    if idempotency_key:
        existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            locked = _lock(fund.pk)
            locked.township = fund.township
            if idempotency_key:
                existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
                if existing is not None:
                    return existing
            entry = _append(locked, kind=EntryKind.ALLOCATION, direction=Direction.IN, amount=amount, actor=actor,
                            reference=reference, idempotency_key=idempotency_key or None)
            _record("funds.ledger.allocated", actor, entry, request, reference=reference,
                    replenishment=replenishment.pk if replenishment else None)
            waiting.announce_after_commit(fund.pk)
    except IntegrityError:
        existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None
        if existing is None:
            raise
        return existing
    fund.balance = locked.balance
    return entry


def allocate(actor, fund: ReserveFund, amount, reference, request=None, *,
             idempotency_key: str | None = None) -> LedgerEntry:
    """County finance advances money to a township's fund. ``idempotency_key`` (e.g.
    from the API's Idempotency-Key header) makes a repeated request allocate once."""
    _require(actor, "funds.allocate", fund, _("Only county finance may allocate money to a reserve fund."))
    amount = parse_amount(amount)
    reference = _text(reference, "reference", max_length=100)
    return _allocate(actor, fund, amount, reference, request=request, idempotency_key=idempotency_key)


def adjust(actor, fund: ReserveFund, amount, reason, request=None, *,
           idempotency_key: str | None = None) -> LedgerEntry:
    """County finance corrects a balance by a signed amount, with a reason.
    ``idempotency_key`` (e.g. the page's form key) makes a repeated request adjust once."""
    _require(actor, "funds.adjust", fund, _("Only county finance may adjust a reserve fund."))
    amount = parse_amount(amount, signed=True)
    reason = _text(reason, "reason", max_length=1000)
    if idempotency_key:
        existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            locked = _lock(fund.pk)
            locked.township = fund.township
            if idempotency_key:
                existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
                if existing is not None:
                    return existing
            if locked.balance + amount < 0:
                raise Conflict(_("This adjustment would leave the balance at %(after)s yuan: a reserve fund's "
                                 "balance can never be negative.") % {"after": figures(locked.balance + amount)})
            direction = Direction.IN if amount > 0 else Direction.OUT
            entry = _append(locked, kind=EntryKind.ADJUSTMENT, direction=direction, amount=abs(amount),
                            actor=actor, reason=reason, idempotency_key=idempotency_key or None)
            _record("funds.ledger.adjusted", actor, entry, request, reason=reason)
            if direction == Direction.IN:
                waiting.announce_after_commit(fund.pk)
    except IntegrityError:
        existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None
        if existing is None:
            raise
        return existing
    fund.balance = locked.balance
    if locked.is_low:
        _replenish_after_commit(fund.pk, RequestOrigin.LOW_WATER)
    return entry


def open_fund(actor, township, *, low_water_mark="0", target_balance="0", request=None) -> ReserveFund:
    """Set up a township's fund (administrators). Its money comes only through allocations."""
    if _user(actor) is None or not actor.has_perm("funds.add_reservefund"):
        raise NotPermitted(_("Only an administrator may open a reserve fund."))
    if township.level != "township":
        raise InvalidInput({"township": [_("A reserve fund belongs to a township or street.")]})
    if not code_visible_to(actor, township.code):
        raise NotPermitted(_("This township is outside your region."))
    mark, target = validate_limits(low_water_mark, target_balance)
    if ReserveFund.objects.filter(township=township).exists():
        raise Conflict(_("This township already has a reserve fund."))
    with transaction.atomic():
        fund = ReserveFund.objects.create(township=township, low_water_mark=mark, target_balance=target)
        audit.record("funds.fund.opened", actor=actor, obj=fund, region_code=township.code,
                     after={"low_water_mark": mark, "target_balance": target}, request=request)
    return fund


def validate_limits(low_water_mark, target_balance) -> tuple[Decimal, Decimal]:
    mark = parse_amount(low_water_mark, "low_water_mark", allow_zero=True)
    target = parse_amount(target_balance, "target_balance", allow_zero=True)
    if target < mark:
        raise InvalidInput({"target_balance": [_("The standard amount cannot be below the low-water mark.")]})
    return mark, target


def set_limits(actor, fund: ReserveFund, *, low_water_mark, target_balance, request=None) -> ReserveFund:
    """County finance sets the low-water mark and the standard amount of a fund."""
    _require(actor, "funds.allocate", fund, _("Only county finance may change a reserve fund's limits."))
    mark, target = validate_limits(low_water_mark, target_balance)
    with transaction.atomic():
        locked = _lock(fund.pk)
        before = {"low_water_mark": locked.low_water_mark, "target_balance": locked.target_balance}
        locked.low_water_mark, locked.target_balance = mark, target
        locked.save(update_fields=["low_water_mark", "target_balance"])
        audit.record("funds.fund.limits_changed", actor=actor, obj=fund, region_code=fund.township_id,
                     before=before, after={"low_water_mark": mark, "target_balance": target}, request=request)
    fund.low_water_mark, fund.target_balance = mark, target
    if locked.is_low:
        _replenish_after_commit(fund.pk, RequestOrigin.LOW_WATER)
    return fund


# --- replenishment ------------------------------------------------------------------------------

def _open_request(fund: ReserveFund, *, origin: str, amount: Decimal, actor=None, reason: str = "",
                  request=None) -> ReplenishmentRequest:
    """Create the request and start its process (the caller holds the fund's lock). The
    flow is the replenishment folder's (workflows/replenishment), started through the
    flow table so that this domain app never imports a workflow."""
    replenishment = ReplenishmentRequest.objects.create(
        fund=fund, origin=origin, amount=amount, balance_at_request=fund.balance, reason=reason,
        requested_by=_user(actor))
    audit.record("funds.replenishment.requested", actor=_user(actor), obj=replenishment,
                 region_code=fund.township_id,
                 after={"amount": amount, "balance": fund.balance, "origin": origin}, reason=reason,
                 request=request)
    programs.flow(FLOW).start(replenishment)
    return replenishment


def ensure_replenishment(fund_id: int, *, origin: str = RequestOrigin.LOW_WATER,
                         needed: Decimal | None = None) -> ReplenishmentRequest | None:
    """Ask county finance to top the fund up to its standard amount (or to what a
    waiting payment needs), unless a request is already open or the need has passed.
    Run after commit, by a task; safe to run twice."""
    try:
        with transaction.atomic():
            fund = _lock(fund_id)
            open_request = fund.replenishments.filter(status=RequestStatus.OPEN).first()
            if open_request is not None:
                return open_request
            if origin == RequestOrigin.SHORTFALL:
                if needed is None or fund.balance >= needed:
                    return None
            elif not fund.is_low:
                return None
            amount = max(fund.target_balance, needed or ZERO) - fund.balance
            if amount <= 0:
                return None
            if origin == RequestOrigin.SHORTFALL:
                reason = _("A payment of %(amount)s yuan could not be covered.") % {"amount": figures(needed)}
            else:
                reason = _("The balance fell below the low-water mark of %(mark)s yuan.") % {
                    "mark": figures(fund.low_water_mark)}
            return _open_request(fund, origin=origin, amount=amount, reason=reason)
    except IntegrityError:
        # Another request opened at the same moment: the partial unique index keeps one.
        return ReplenishmentRequest.objects.filter(fund_id=fund_id, status=RequestStatus.OPEN).first()


def request_replenishment(actor, fund: ReserveFund, *, amount=None, reason="", request=None) -> ReplenishmentRequest:
    """The township head asks county finance for money."""
    _require(actor, "funds.request_replenishment", fund,
             _("Only the township head may request replenishment of the reserve fund."))
    reason = _text(reason, "reason", max_length=1000)
    if amount in (None, ""):
        amount = fund.target_balance - fund.balance
        if amount <= 0:
            raise InvalidInput({"amount": [_("The fund holds its standard amount: say how much is needed.")]})
    else:
        amount = parse_amount(amount)
    try:
        with transaction.atomic():
            locked = _lock(fund.pk)
            locked.township = fund.township
            if locked.replenishments.filter(status=RequestStatus.OPEN).exists():
                raise Conflict(_("A replenishment request for this fund is already waiting for county finance."))
            return _open_request(locked, origin=RequestOrigin.TOWNSHIP, amount=amount, actor=actor, reason=reason,
                                 request=request)
    except IntegrityError:
        raise Conflict(_("A replenishment request for this fund is already waiting for county finance.")) from None


class Decision:
    APPROVE = "approve"
    REJECT = "reject"


def decide_replenishment(actor, task, *, decision, amount=None, reference="", reason="", request=None):
    """The step service of the ``replenish`` task (workflows.engine.complete calls it):
    approve, which allocates the money, or reject with a reason."""
    if decision not in (Decision.APPROVE, Decision.REJECT):
        raise InvalidInput({"decision": [_("Choose approve or reject.")]})
    replenishment = ReplenishmentRequest.objects.select_related("fund__township").get(
        pk=task.process.artifact_object_id)
    fund = replenishment.fund
    _require(actor, "funds.approve_replenishment", fund,
             _("Only county finance may decide on replenishment requests."))
    if decision == Decision.APPROVE:
        amount = replenishment.amount if amount in (None, "") else parse_amount(amount)
        # The county's payment voucher, as for a direct allocation: money never arrives unrecorded.
        reference = _text(reference, "reference", max_length=100)
        reason = _text(reason, "reason", max_length=1000, required=False)
    else:
        reason = _text(reason, "reason", max_length=1000)
    with transaction.atomic():
        replenishment = ReplenishmentRequest.objects.select_for_update(of=("self",)).get(pk=replenishment.pk)
        replenishment.fund = fund
        if replenishment.status != RequestStatus.OPEN:
            raise Conflict(_("This replenishment request has already been decided."))
        before = {"status": replenishment.status}
        if decision == Decision.APPROVE:
            replenishment.allocation = _allocate(actor, fund, amount, reference, request=request,
                                                 idempotency_key=f"replenishment:{replenishment.pk}",
                                                 replenishment=replenishment)
            replenishment.status = RequestStatus.APPROVED
        else:
            replenishment.status = RequestStatus.REJECTED
        replenishment.decided_by, replenishment.decided_at = actor, timezone.now()
        replenishment.decision_reason = reason
        replenishment.save(update_fields=["status", "allocation", "decided_by", "decided_at", "decision_reason"])
        audit.record(f"funds.replenishment.{replenishment.status}", actor=actor, obj=replenishment,
                     region_code=fund.township_id, before=before,
                     after={"status": replenishment.status, "amount": amount if decision == Decision.APPROVE else None},
                     reason=reason, request=request)
    return replenishment


# --- monthly reconciliation ---------------------------------------------------------------------

def sign_off_month(actor, fund: ReserveFund, month: datetime.date, *, note: str = "",
                   request=None) -> MonthlySignOff:
    """County finance signs a month off after checking its statement: from then on no
    entry may be dated in that month. Months are signed in order, once they have ended,
    and only when the statement balances and the ledger agrees with the balance."""
    from .statements import build_statement, check_fund, statement_pdf

    _require(actor, "funds.sign_off", fund, _("Only county finance may sign off a reserve fund's month."))
    month = month.replace(day=1)
    note = _text(note, "note", max_length=1000, required=False)
    label = formats.date_format(month, "YEAR_MONTH_FORMAT")
    if month >= month_of(timezone.now()):
        raise Conflict(_("%(month)s has not ended yet: a month is signed off after it ends.") % {"month": label})
    with transaction.atomic():
        locked = _lock(fund.pk)
        locked.township = fund.township
        if MonthlySignOff.objects.filter(fund=locked, month=month).exists():
            raise Conflict(_("%(month)s has already been signed off.") % {"month": label})
        last_signed = MonthlySignOff.objects.filter(fund=locked).order_by("-month").values_list("month", flat=True)
        last_signed = last_signed.first()
        earlier = locked.entries.filter(month__lt=month)
        if last_signed is not None:
            earlier = earlier.filter(month__gt=last_signed)
        unsigned = earlier.order_by("month").values_list("month", flat=True).first()
        if unsigned is not None:
            raise Conflict(_("Sign off %(month)s first: months are signed off in order.") % {
                "month": formats.date_format(unsigned, "YEAR_MONTH_FORMAT")})
        check = check_fund(locked)
        if not check.ok:
            raise Conflict(_("The ledger does not agree with the balance (difference %(difference)s yuan): "
                             "the month cannot be signed off until this is resolved.") % {
                "difference": figures(check.difference)})
        statement = build_statement(locked, month)
        if not statement.balances:
            raise Conflict(_("The statement does not balance (difference %(difference)s yuan).") % {
                "difference": figures(statement.difference)})
        sign_off = MonthlySignOff(
            fund=locked, month=month, opening=statement.opening, allocations=statement.allocations,
            disbursements=statement.disbursements, reversals=statement.reversals,
            adjustments=statement.adjustments, closing=statement.closing, entry_count=len(statement.entries),
            signed_by=actor, signed_at=timezone.now(), note=note)
        # The PDF that says who signed and when is rendered before the row is written: a
        # sign-off row can never be updated (a trigger refuses it), so it is stored whole.
        statement.sign_off = sign_off
        with translation.override(settings.LANGUAGE_CODE):  # the record is in the official language
            sign_off.statement_pdf = statement_pdf(statement)
        sign_off.statement_sha256 = hashlib.sha256(sign_off.statement_pdf).hexdigest()
        sign_off.save(force_insert=True)
        audit.record("funds.month.signed_off", actor=actor, obj=locked, region_code=locked.township_id,
                     after={"month": month, "opening": statement.opening, "closing": statement.closing,
                            "entries": len(statement.entries), "statement_sha256": sign_off.statement_sha256},
                     reason=note, request=request)
    return sign_off


def record_discrepancy(fund: ReserveFund, check) -> None:
    """The periodic check found a fund whose ledger and balance disagree."""
    log.error("Reserve fund %s: balance %s, ledger sum %s, %d chain breaks", fund.pk, check.balance,
              check.ledger_sum, len(check.breaks))
    audit.record("funds.fund.discrepancy", obj=fund, region_code=fund.township_id,
                 after={"balance": check.balance, "ledger_sum": check.ledger_sum, "difference": check.difference,
                        "breaks": [b.entry_id for b in check.breaks][:50]})

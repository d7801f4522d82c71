"""The step services of temporary assistance: one function per state change.

Each runs inside the caller's transaction (workflows.engine.complete wraps it), locks
the case as a TemporaryCase (the proxy with this program's transitions), checks role,
region and separation of duties, runs the transition, writes the audit row, and
queues documents and notifications with transaction.on_commit.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assistance.models import Instalment, InstalmentStatus
from assistance.services import (
    check_separation,
    county_staff,
    investigation_team,
    locked_case,
    record,
    save_status,
)
from audit import services as audit
from core.errors import Conflict, InvalidInput
from core.money import figures, parse_amount
from core.programs import Finding
from documents import services as documents
from funds import services as funds
from notifications.services import notify
from registry.models import Person
from workflows.engine import KeepOpen

from . import rules
from .models import (
    CODE,
    DECIDED_STATUSES,
    PAYABLE_STATUSES,
    CauseCategory,
    Kind,
    Status,
    TemporaryCase,
    TemporaryDetails,
)

# --- opening a case: the program's own fields ------------------------------------------------------


def open_case(actor, *, household, errors: dict, kind: str = "", cause_category: str = CauseCategory.OTHER,
              amount_requested=None, new_cause: str = "") -> dict:
    """Check temporary assistance's own fields of a new case (shared.open_application checks
    the rest and collects ``errors``); refuse a repeat for the same cause without a new one."""
    if kind not in Kind.values:
        errors["kind"] = [_("Choose urgent or expense.")]
    if cause_category not in CauseCategory.values:
        errors["cause_category"] = [_("Choose a cause category from the list.")]
    if amount_requested is None and "amount_requested" not in errors:
        errors["amount_requested"] = [_("Enter the amount requested.")]
    if errors or household is None:
        return {}
    rule = rules.assistance_rule(household.region_id)
    since = timezone.now() - datetime.timedelta(days=rule.repeat_period_days)
    earlier = (TemporaryCase.objects.filter(household=household, program=CODE,
                                            temporary__cause_category=cause_category, created_at__gte=since)
               .exclude(status__in=[Status.REFERRED_OUT]).order_by("-created_at").first())
    if earlier is not None and cause_category != CauseCategory.OTHER and not (new_cause or "").strip():
        raise InvalidInput({"new_cause": [
            _("This household applied for the same cause on %(date)s (application %(id)s). A repeat "
              "application needs a new cause.") % {"date": timezone.localtime(earlier.created_at).date(),
                                                  "id": earlier.pk}]})
    return {"kind": kind, "cause_category": cause_category, "repeat_of": earlier, "new_cause": (new_cause or "").strip()}


def overlaps(case) -> list[Finding]:
    """Temporary assistance for the same cause inside the repeat period (the county's rule),
    to the household or to any of its members in another household: what the duplicate-
    benefit guard shows before the case is granted. A repeat is allowed with a new cause,
    which the approver weighs; "other" causes are not compared."""
    details = case.details
    if details is None or details.cause_category == CauseCategory.OTHER:
        return []
    rule = rules.assistance_rule(case.region_code)
    since = case.created_at - datetime.timedelta(days=rule.repeat_period_days)
    members = Person.objects.filter(household_id=case.household_id).values("pk")
    earlier = (TemporaryCase.objects.filter(program=CODE, temporary__cause_category=details.cause_category,
                                            created_at__gte=since, created_at__lte=case.created_at)
               .filter(Q(household_id=case.household_id) | Q(applicant_id__in=members))
               .filter(Q(status__in=list(DECIDED_STATUSES)) | Q(amount_paid__gt=0))
               .exclude(pk=case.pk).order_by("created_at", "pk"))
    return [Finding("repeat_cause", gettext_noop(
        "Temporary assistance for the same cause (%(cause)s) on %(date)s: application %(application)s, "
        "%(amount)s yuan, inside the %(days)s-day repeat period."),
        {"cause": str(CauseCategory(details.cause_category).label),
         "date": timezone.localtime(other.created_at).date().isoformat(), "application": other.pk,
         "amount": figures(other.amount_approved if other.amount_approved is not None else other.amount_paid),
         "days": rule.repeat_period_days}, application_id=other.pk, household_id=other.household_id)
        for other in earlier]


def request_document(application, kind: str, actor=None, instalment=None) -> None:
    documents.request_document(application, kind, actor=actor, instalment=instalment)


def may_pay(application, instalment_number: int) -> bool:
    """The reserve fund pays an approved case, and an urgent case's pay-first instalment (number 0)."""
    return application.status in PAYABLE_STATUSES or (instalment_number == 0
                                                       and application.status == Status.URGENT_PAYMENT)


# --- steps -------------------------------------------------------------------------------------------

def intake(user, task, *, complete: bool, missing=None, local: bool = True, request=None) -> TemporaryCase:
    application = locked_case(task, TemporaryCase)
    before = application.status
    if not local:
        application.refer_out()
        application.intake_by = user
        application.decision_reason = _("No local household registration or residence permit: referred to "
                                        "the relief station.")
        save_status(application, "intake_by", "decision_reason")
        TemporaryDetails.objects.filter(case=application).update(local_registration=False)
        record("referred_out", user, application, before, request=request)
        request_document(application, "referral_letter", user)
        return application
    if complete is True:
        application.intake_by = user
        if application.temporary.kind == Kind.URGENT:
            application.accept_urgent()
        else:
            application.accept()
        save_status(application, "intake_by")
        record("accepted", user, application, before, request=request)
        return application
    if complete is not False:
        raise InvalidInput({"complete": [_("Say whether the documents are complete.")]})
    items = [str(m).strip() for m in (missing or []) if str(m).strip()]
    if not items:
        raise InvalidInput({"missing": [_("List everything that is missing, all at once.")]})
    if application.missing_notified_at is not None:
        raise InvalidInput({"complete": [
            _("The applicant was already told on %(date)s what is missing; they may be told only once.")
            % {"date": timezone.localtime(application.missing_notified_at).date()}]})
    application.mark_incomplete()
    application.missing_documents, application.missing_notified_at = items, timezone.now()
    save_status(application, "missing_documents", "missing_notified_at")
    record("incomplete", user, application, before, extra={"missing": items}, request=request)
    request_document(application, "missing_documents_notice", user)
    return application


def receive_documents(user, task, *, request=None) -> TemporaryCase:
    application = locked_case(task, TemporaryCase)
    before = application.status
    application.documents_received()
    save_status(application)
    record("documents_received", user, application, before, request=request)
    return application


def _record_investigation(user, task, field_prefix, *, investigators, findings, recommended_amount=None,
                          request=None) -> TemporaryCase:
    application = locked_case(task, TemporaryCase)
    team = investigation_team("investigators", investigators, application)
    findings = (findings or "").strip()
    if not findings:
        raise InvalidInput({"findings": [_("Write down what the investigation found.")]})
    amount = None
    if recommended_amount not in (None, ""):
        amount = parse_amount(recommended_amount, "recommended_amount")
        rules.check_amount("recommended_amount", amount, application.region_code,
                           application.household.registration, application.temporary.cause_category)
    before = application.status
    application.investigated()
    application.findings, application.recommended_amount = findings, amount
    save_status(application, "findings", "recommended_amount")
    application.investigators.set(team)
    record(field_prefix, user, application, before,
           extra={"investigators": [u.username for u in team], "recommended_amount": amount}, request=request)
    return application


def investigate(user, task, *, investigators, findings, recommended_amount=None, request=None) -> TemporaryCase:
    return _record_investigation(user, task, "investigated", investigators=investigators, findings=findings,
                                 recommended_amount=recommended_amount, request=request)


def complete_paperwork(user, task, *, investigators, findings, recommended_amount=None, request=None):
    return _record_investigation(user, task, "paperwork_completed", investigators=investigators,
                                 findings=findings, recommended_amount=recommended_amount, request=request)


def _pay(user, application: TemporaryCase, instalment: Instalment, request=None):
    """Pay one instalment: from the township's reserve fund for township decisions and
    urgent payments, by county transfer for county decisions. Returns None when paid,
    or the reason it must wait."""
    if application.decision_level == "county" and instalment.number > 0:
        instalment.source = Instalment.Source.COUNTY_TRANSFER
    else:
        try:
            funds.disburse(user, application=application, instalment=instalment, request=request)
        except funds.InsufficientFunds as exc:
            instalment.status = InstalmentStatus.WAITING_FUNDS
            instalment.note = exc.message[:200]
            instalment.save(update_fields=["status", "note"])
            audit.record("assistance.instalment.waiting_funds", actor=user, obj=application,
                         region_code=application.region_code, reason=exc.message,
                         extra={"instalment": instalment.number, "amount": instalment.amount}, request=request)
            return KeepOpen(exc.message)
        instalment.source = Instalment.Source.RESERVE_FUND
    instalment.status, instalment.paid_at, instalment.paid_by = InstalmentStatus.PAID, timezone.now(), user
    instalment.note = ""
    instalment.save(update_fields=["status", "paid_at", "paid_by", "source", "note"])
    application.amount_paid += instalment.amount
    request_document(application, "disbursement_voucher", user, instalment)
    return None


def pay_first(user, task, *, amount, note: str = "", request=None):
    """Urgent help before investigation (Shandong: within 24 hours), from the reserve fund."""
    application = locked_case(task, TemporaryCase)
    check_separation(user, application, task)
    amount = parse_amount(amount, "amount")
    limit = rules.assistance_rule(application.region_code).township_limit
    if amount > limit:
        raise InvalidInput({"amount": [_("A township may pay at most %(limit)s yuan before investigation.")
                                       % {"limit": figures(limit)}]})
    instalment, _created = Instalment.objects.get_or_create(application=application, number=0,
                                                            defaults={"amount": amount, "note": note[:200]})
    if instalment.status == InstalmentStatus.PAID:
        raise Conflict(_("The urgent payment was already made."))
    if instalment.amount != amount:
        instalment.amount = amount
        instalment.save(update_fields=["amount"])
    before = application.status
    waiting = _pay(user, application, instalment, request)
    if waiting:
        return waiting
    application.paid_first()
    save_status(application, "amount_paid")
    record("paid_first", user, application, before, extra={"amount": amount}, reason=note, request=request)
    return application


def _plan_instalments(application: TemporaryCase, approved: Decimal, instalments, max_instalments: int) -> list:
    remainder = approved - application.amount_paid
    if remainder < 0:
        raise InvalidInput({"amount_approved": [_("The approved amount cannot be less than the %(paid)s yuan "
                                                  "already paid.") % {"paid": application.amount_paid}]})
    if remainder == 0:
        return []
    if not instalments:
        return [remainder]
    if not isinstance(instalments, list | tuple) or len(instalments) > max_instalments:
        raise InvalidInput({"instalments": [_("At most %(n)d instalments.") % {"n": max_instalments}]})
    parts = [parse_amount(part, "instalments") for part in instalments]
    if sum(parts) != remainder:
        raise InvalidInput({"instalments": [_("The instalments must add up to %(total)s yuan.")
                                            % {"total": remainder}]})
    return parts


def _decide(user, task, level: str, *, decision: str, amount_approved=None, reason: str = "", instalments=None,
            request=None) -> TemporaryCase:
    application = locked_case(task, TemporaryCase)
    check_separation(user, application, task)
    reason = (reason or "").strip()
    before = application.status
    allowed = ("approve", "reject", "refer") if level == "township" else ("approve", "reject")
    if decision not in allowed:
        raise InvalidInput({"decision": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)}]})
    rule = rules.assistance_rule(application.region_code)
    if decision == "refer":
        application.refer_to_county()
        application.decision_reason = reason
        save_status(application, "decision_reason")
        record("referred", user, application, before, reason=reason, request=request)
        return application
    if decision == "reject":
        if not reason:
            raise InvalidInput({"reason": [_("A rejection must give its reasons in writing.")]})
        application.reject()
    else:
        amount = parse_amount(amount_approved, "amount_approved")
        if level == "township":
            if application.related_to_staff:
                raise InvalidInput({"decision": [_("This case concerns a relative of staff: refer it to the "
                                                   "county.")]})
            if amount > rule.township_limit:
                raise InvalidInput({"amount_approved": [
                    _("Above the township limit of %(limit)s yuan: refer it to the county.")
                    % {"limit": figures(rule.township_limit)}]})
        rules.check_amount("amount_approved", amount, application.region_code, application.household.registration,
                           application.temporary.cause_category)
        parts = _plan_instalments(application, amount, instalments, rule.max_instalments)
        (application.township_approve if level == "township" else application.county_approve)()
        application.amount_approved = amount
        today = timezone.localdate()
        Instalment.objects.bulk_create([  # number 0 is reserved for the urgent pay-first payment
            Instalment(application=application, number=i + 1, amount=part,
                       due_on=today + datetime.timedelta(days=30 * i)) for i, part in enumerate(parts)])
        if not parts:
            application.pay_rest()  # the urgent payment already covered the approval
    application.decided_by, application.decided_at = user, timezone.now()
    application.decision_level, application.decision_reason = level, reason
    save_status(application, "amount_approved", "decided_by", "decided_at", "decision_level", "decision_reason")
    record("approved" if decision == "approve" else "rejected", user, application, before, reason=reason,
           extra={"level": level, "amount_approved": application.amount_approved}, request=request)
    if decision == "approve":
        request_document(application, "approval_form", user)
        request_document(application, "decision_notice", user)
    else:
        request_document(application, "approval_form", user)  # the form records the decision either way
        request_document(application, "rejection_notice", user)
    return application


def township_approve(user, task, *, decision, amount_approved=None, reason="", instalments=None, request=None):
    return _decide(user, task, "township", decision=decision, amount_approved=amount_approved, reason=reason,
                   instalments=instalments, request=request)


def county_approve(user, task, *, decision, amount_approved=None, reason="", instalments=None, request=None):
    return _decide(user, task, "county", decision=decision, amount_approved=amount_approved, reason=reason,
                   instalments=instalments, request=request)


def disburse(user, task, *, request=None):
    """Pay the next instalment due (not by whoever decided the case)."""
    application = locked_case(task, TemporaryCase)
    check_separation(user, application, task)
    instalment = (Instalment.objects.select_for_update().filter(application=application)
                  .exclude(status=InstalmentStatus.PAID).order_by("number").first())
    if instalment is None:
        raise Conflict(_("Every instalment of this approval has been paid."))
    before = application.status
    waiting = _pay(user, application, instalment, request)
    if waiting:
        return waiting
    more = Instalment.objects.filter(application=application).exclude(status=InstalmentStatus.PAID).exists()
    application.pay_part() if more else application.pay_rest()
    save_status(application, "amount_paid")
    record("paid", user, application, before, extra={"instalment": instalment.number, "amount": instalment.amount},
           request=request)
    return application


def file_with_county(user, task, *, request=None) -> TemporaryCase:
    """报备: the township files its approval and payment with the county."""
    application = locked_case(task, TemporaryCase)
    before = application.status
    application.file_with_county()
    save_status(application)
    TemporaryDetails.objects.filter(case=application).update(filed_at=timezone.now())
    record("filed", user, application, before, request=request)
    notify(county_staff(application), event="assistance.application.filed",
           title=_("Filed: application %(id)s, %(amount)s yuan paid.") % {"id": application.pk,
                                                                          "amount": application.amount_paid},
           link=application.get_absolute_url())
    return application

"""State changes of assistance applications — one function per change.

Each runs inside the caller's transaction (workflows.engine.complete wraps the step
services), locks the application row, checks role, region and separation of duties,
runs the django-fsm transition, writes the audit row, and queues documents and
notifications with transaction.on_commit. Nothing else saves an application's status.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from core.errors import Conflict, InvalidInput, NotPermitted
from core.money import figures, parse_amount
from core.scoping import code_visible_to
from notifications.services import notify
from registry.models import Household
from staff.directory import role_holders

from . import rules
from .models import Application, CauseCategory, Instalment, InstalmentStatus, Kind, Program, Status

# --- helpers -------------------------------------------------------------------------------------

def _locked(task) -> Application:
    return Application.objects.select_for_update(of=("self",)).select_related("household").get(
        pk=task.process.artifact_object_id)


def _document(application: Application, kind: str, actor=None, instalment=None) -> None:
    from documents import services as documents

    documents.request_document(application, kind, actor=actor, instalment=instalment)


def _audit(event: str, actor, application: Application, before: str, *, reason: str = "", extra=None, request=None):
    audit.record(f"assistance.application.{event}", actor=actor, obj=application,
                 region_code=application.region_code, before={"status": before},
                 after={"status": application.status}, reason=reason, extra=extra or {}, request=request)


def _save(application: Application, *fields: str) -> None:
    application.save(update_fields=["status", *fields])


def _county_staff(application: Application) -> list:
    return role_holders("county_reviewer", application.region_code, "county")


def _staff_by_username(field: str, usernames, application: Application) -> list:
    if not isinstance(usernames, list | tuple) or not all(isinstance(u, str) for u in usernames):
        raise InvalidInput({field: [_("List the usernames of the investigators.")]})
    names = list(dict.fromkeys(u.strip() for u in usernames if u.strip()))
    if len(names) < 2:
        raise InvalidInput({field: [_("An investigation needs two different staff members.")]})
    users = list(get_user_model().objects.filter(username__in=names, is_active=True).select_related("region"))
    found = {u.username: u for u in users}
    problems = [n for n in names if n not in found or not code_visible_to(found[n], application.region_code)]
    if problems:
        raise InvalidInput({field: [_("Not staff of this application's region: %(names)s.")
                                    % {"names": ", ".join(problems)}]})
    return [found[n] for n in names]


def _check_separation(user, application: Application) -> None:
    """Whoever approves must not have taken in or investigated the case."""
    if user.pk == application.intake_by_id or user.pk == application.created_by_id:
        raise NotPermitted(_("You took in this application, so someone else must decide it."))
    if application.investigators.filter(pk=user.pk).exists():
        raise NotPermitted(_("You investigated this application, so someone else must decide it."))


# --- opening a case ---------------------------------------------------------------------------------

def open_application(actor, *, household: int, program: str, cause: str, kind: str = "",
                     cause_category: str = CauseCategory.OTHER, amount_requested=None, applicant: int | None = None,
                     related_to_staff: bool = False, new_cause: str = "", request=None) -> Application:
    if not actor.has_perm("assistance.add_application"):
        raise NotPermitted(_("Only a caseworker can receive applications."))
    errors: dict[str, list[str]] = {}
    hh = Household.objects.visible_to(actor).filter(pk=household).first() if household else None
    if hh is None:
        errors["household"] = [_("No such household in your region.")]
    if program != Program.TEMPORARY:
        errors["program"] = [_("Only temporary assistance can be applied for in this version.")]
    if kind not in Kind.values:
        errors["kind"] = [_("Choose urgent or expense.")]
    if cause_category not in CauseCategory.values:
        errors["cause_category"] = [_("Choose a cause category from the list.")]
    cause = (cause or "").strip()
    if not cause:
        errors["cause"] = [_("Describe the cause of the hardship.")]
    amount = None
    try:
        amount = parse_amount(amount_requested, "amount_requested")
    except InvalidInput as exc:
        errors.update(exc.errors)
    person = None
    if hh is not None:
        members = list(hh.members.all())
        person = next((m for m in members if m.pk == applicant), None) if applicant else hh.head
        if person is None:
            errors["applicant"] = [_("The applicant must be a member of the household.")]
    if errors:
        raise InvalidInput(errors)

    rule = rules.assistance_rule(hh.region_id)
    since = timezone.now() - datetime.timedelta(days=rule.repeat_period_days)
    earlier = (Application.objects.filter(household=hh, cause_category=cause_category, created_at__gte=since)
               .exclude(status__in=[Status.REFERRED_OUT]).order_by("-created_at").first())
    if earlier is not None and cause_category != CauseCategory.OTHER and not (new_cause or "").strip():
        raise InvalidInput({"new_cause": [
            _("This household applied for the same cause on %(date)s (application %(id)s). A repeat "
              "application needs a new cause.") % {"date": timezone.localtime(earlier.created_at).date(),
                                                  "id": earlier.pk}]})

    from workflows.temporary.flows import TemporaryAssistanceFlow

    with transaction.atomic():
        application = Application.objects.create(
            household=hh, applicant=person, region_code=hh.region_id, program=program, kind=kind,
            cause_category=cause_category, cause=cause, amount_requested=amount, created_by=actor,
            repeat_of=earlier, new_cause=(new_cause or "").strip(), related_to_staff=bool(related_to_staff))
        audit.record("assistance.application.opened", actor=actor, obj=application, region_code=application.region_code,
                     after={"status": application.status, "program": program, "kind": kind,
                            "amount_requested": amount, "repeat_of": earlier.pk if earlier else None,
                            "related_to_staff": application.related_to_staff}, request=request)
        if application.related_to_staff:
            # Cases of staff relatives are registered separately and decided by the county.
            notify(_county_staff(application), event="assistance.application.staff_relative",
                   title=_("Application %(id)s concerns a relative of staff: the county decides it.")
                   % {"id": application.pk}, link=application.get_absolute_url())
        TemporaryAssistanceFlow.start.run(application=application)
    return application


# --- steps -------------------------------------------------------------------------------------------

def intake(user, task, *, complete: bool, missing=None, local: bool = True, request=None) -> Application:
    application = _locked(task)
    before = application.status
    if not local:
        application.refer_out()
        application.intake_by = user
        application.decision_reason = _("No local household registration or residence permit: referred to "
                                        "the relief station.")
        _save(application, "intake_by", "decision_reason")
        _audit("referred_out", user, application, before, request=request)
        _document(application, "referral_letter", user)
        return application
    if complete is True:
        application.intake_by = user
        if application.kind == Kind.URGENT:
            application.accept_urgent()
        else:
            application.accept()
        _save(application, "intake_by")
        _audit("accepted", user, application, before, request=request)
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
    _save(application, "missing_documents", "missing_notified_at")
    _audit("incomplete", user, application, before, extra={"missing": items}, request=request)
    _document(application, "missing_documents_notice", user)
    return application


def receive_documents(user, task, *, request=None) -> Application:
    application = _locked(task)
    before = application.status
    application.documents_received()
    _save(application)
    _audit("documents_received", user, application, before, request=request)
    return application


def _record_investigation(user, task, field_prefix, *, investigators, findings, recommended_amount=None,
                          request=None) -> Application:
    application = _locked(task)
    team = _staff_by_username("investigators", investigators, application)
    findings = (findings or "").strip()
    if not findings:
        raise InvalidInput({"findings": [_("Write down what the investigation found.")]})
    amount = None
    if recommended_amount not in (None, ""):
        amount = parse_amount(recommended_amount, "recommended_amount")
        rules.check_amount("recommended_amount", amount, application.region_code,
                           application.household.registration, application.cause_category)
    before = application.status
    application.investigated()
    application.findings, application.recommended_amount = findings, amount
    _save(application, "findings", "recommended_amount")
    application.investigators.set(team)
    _audit(field_prefix, user, application, before,
           extra={"investigators": [u.username for u in team], "recommended_amount": amount}, request=request)
    return application


def investigate(user, task, *, investigators, findings, recommended_amount=None, request=None) -> Application:
    return _record_investigation(user, task, "investigated", investigators=investigators, findings=findings,
                                 recommended_amount=recommended_amount, request=request)


def complete_paperwork(user, task, *, investigators, findings, recommended_amount=None, request=None):
    return _record_investigation(user, task, "paperwork_completed", investigators=investigators,
                                 findings=findings, recommended_amount=recommended_amount, request=request)


def _pay(user, application: Application, instalment: Instalment, request=None):
    """Pay one instalment: from the township's reserve fund for township decisions and
    urgent payments, by county transfer for county decisions. Returns None when paid,
    or the reason it must wait."""
    from funds import services as funds
    from workflows.engine import KeepOpen

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
        instalment.source = "reserve_fund"
    instalment.status, instalment.paid_at, instalment.paid_by = InstalmentStatus.PAID, timezone.now(), user
    instalment.note = ""
    instalment.save(update_fields=["status", "paid_at", "paid_by", "source", "note"])
    application.amount_paid += instalment.amount
    _document(application, "disbursement_voucher", user, instalment)
    return None


def pay_first(user, task, *, amount, note: str = "", request=None):
    """Urgent help before investigation (Shandong: within 24 hours), from the reserve fund."""
    application = _locked(task)
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
    _save(application, "amount_paid")
    _audit("paid_first", user, application, before, extra={"amount": amount}, reason=note, request=request)
    return application


def _plan_instalments(application: Application, approved: Decimal, instalments, max_instalments: int) -> list:
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
            request=None) -> Application:
    application = _locked(task)
    _check_separation(user, application)
    reason = (reason or "").strip()
    before = application.status
    allowed = ("approve", "reject", "refer") if level == "township" else ("approve", "reject")
    if decision not in allowed:
        raise InvalidInput({"decision": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)}]})
    rule = rules.assistance_rule(application.region_code)
    if decision == "refer":
        application.refer_to_county()
        application.decision_reason = reason
        _save(application, "decision_reason")
        _audit("referred", user, application, before, reason=reason, request=request)
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
                           application.cause_category)
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
    _save(application, "amount_approved", "decided_by", "decided_at", "decision_level", "decision_reason")
    _audit("approved" if decision == "approve" else "rejected", user, application, before, reason=reason,
           extra={"level": level, "amount_approved": application.amount_approved}, request=request)
    if decision == "approve":
        _document(application, "approval_form", user)
        _document(application, "decision_notice", user)
    else:
        _document(application, "approval_form", user)  # the form records the decision either way
        _document(application, "rejection_notice", user)
    return application


def township_approve(user, task, *, decision, amount_approved=None, reason="", instalments=None, request=None):
    return _decide(user, task, "township", decision=decision, amount_approved=amount_approved, reason=reason,
                   instalments=instalments, request=request)


def county_approve(user, task, *, decision, amount_approved=None, reason="", instalments=None, request=None):
    return _decide(user, task, "county", decision=decision, amount_approved=amount_approved, reason=reason,
                   instalments=instalments, request=request)


def disburse(user, task, *, request=None):
    """Pay the next instalment due."""
    application = _locked(task)
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
    _save(application, "amount_paid")
    _audit("paid", user, application, before, extra={"instalment": instalment.number, "amount": instalment.amount},
           request=request)
    return application


def file_with_county(user, task, *, request=None) -> Application:
    """报备: the township files its approval and payment with the county."""
    application = _locked(task)
    before = application.status
    application.file_with_county()
    application.filed_at = timezone.now()
    _save(application, "filed_at")
    _audit("filed", user, application, before, request=request)
    notify(_county_staff(application), event="assistance.application.filed",
           title=_("Filed: application %(id)s, %(amount)s yuan paid.") % {"id": application.pk,
                                                                          "amount": application.amount_paid},
           link=application.get_absolute_url())
    return application


STEP_SERVICES = {
    "intake": intake,
    "receive_documents": receive_documents,
    "investigate": investigate,
    "pay_first": pay_first,
    "complete_paperwork": complete_paperwork,
    "township_approve": township_approve,
    "county_approve": county_approve,
    "disburse": disburse,
    "file_with_county": file_with_county,
}

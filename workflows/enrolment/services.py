"""The step services of 低保 and 特困 enrolment: one function per state change.

Each runs inside the caller's transaction (workflows.engine.complete wraps it), locks
the case, checks role, region and separation of duties, runs the transition of
``EnrolmentCase``, writes the history row and queues documents after commit. The
program folders (workflows/dibao, workflows/tekun) name these in their step tables;
特困 adds its self-care grading and unable-to-work check around them.

Objections and extensions are not tasks: township staff record an objection while a
notice runs (``raise_objection``), the county extends the whole-case limit
(``extend``); both lock the case like a step.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance.models import Application
from assistance.services import (
    check_separation,
    county_staff,
    investigation_team,
    lock_case,
    locked_case,
    record,
    save_status,
)
from audit import services as audit
from core import programs
from core.errors import Conflict, InvalidInput, NotPermitted
from core.money import figures, parse_amount
from core.scoping import code_visible_to
from deadlines import services as deadlines
from deadlines.models import Deadline
from deadlines.policies import compute_due, find_policy
from documents import services as documents
from means.services import means_test
from notifications.services import notify
from regions.codes import Level, within
from registry.models import Person

from . import benefits, notices
from .flows import reopen_for_objection
from .models import (
    CONFIRMABLE_STATUSES,
    BenefitKind,
    EnrolmentCase,
    NoticeKind,
    Objection,
    ObjectionOutcome,
    PublicNotice,
    Status,
)
from .rules import enrolment_rule

# The data verification's sources (核对, 《最低生活保障审核确认办法》第十五条).
SOURCES = ("registration", "tax", "social_insurance", "property", "vehicle", "business", "deposit", "securities")
RESULTS = ("clear", "found")
CASE_CLOCK, CASE_CLOCK_DELEGATED, CASE_CLOCK_EXTENDED = "case", "case_delegated", "case_extended"


def details_of(case):
    return programs.details_of(case)


def _update_details(case, **values) -> None:
    details = details_of(case)
    for name, value in values.items():
        setattr(details, name, value)
    details.save(update_fields=list(values))


# --- opening a case ----------------------------------------------------------------------------------

def open_case(actor, *, household, errors: dict, amount_requested=None, covered_member=None, program: str) -> dict:
    """The own fields of a new 低保/特困 case: who confirms it (the county's rule now) and,
    for individual coverage (单人保), the one member covered — refused when the household
    qualifies as a whole (a qualifying household is never covered only in part)."""
    if errors or household is None:
        return {}
    rule = enrolment_rule(program, household.region_id)
    own: dict = {"delegated": rule.delegated}
    if covered_member in (None, ""):
        return own
    try:
        member_id = int(covered_member)
    except (TypeError, ValueError):
        raise InvalidInput({"covered_member": [_("Choose a member of the household.")]}) from None
    member = Person.objects.filter(pk=member_id, household=household).first()
    if member is None:
        raise InvalidInput({"covered_member": [_("Choose a member of the household.")]})
    result = means_test(household, program)
    if result.eligible:
        raise InvalidInput({"covered_member": [
            _("The household qualifies as a whole: a qualifying household is covered whole, never only in part.")]})
    if not any(i.person_id == member.pk for i in result.individual_coverage):
        raise InvalidInput({"covered_member": [
            _("%(name)s does not qualify for individual coverage: only a member with a severe disability or a "
              "serious illness in a near-dibao household does.") % {"name": member.name}]})
    own["covered_member"] = member
    return own


# --- the whole-case clock (低保: 30 working days from intake; 20 when delegated; up to 45) ----------

def _clock_name(details) -> str:
    if details.extended_at is not None:
        return CASE_CLOCK_EXTENDED
    return CASE_CLOCK_DELEGATED if details.delegated else CASE_CLOCK


def _subject(case) -> Application:
    """The clock's subject is the shared case (not the program's proxy): one content type
    for every program's cases, whose page is the case page."""
    return Application(pk=case.pk, region_code=case.region_code)


def open_case_clock(case) -> Deadline | None:
    spec = programs.program(case.program)
    name = _clock_name(details_of(case))
    if name not in spec.clocks:
        return None
    return deadlines.open_deadline(_subject(case), flow=case.program, step=name, role="county_reviewer",
                                   region_code=case.region_code, program=case.program, application_id=case.pk)


def case_clock(case) -> Deadline | None:
    return deadlines.deadline_for(_subject(case))


def close_case_clock(case) -> None:
    deadlines.close_deadline(_subject(case))


@transaction.atomic  # its own unit of work (not a task step): the case is locked for the change
def extend(actor, application_id: int, *, reason: str, request=None):
    """Extend a case's whole-case limit (低保: to 45 working days from intake) with a recorded reason."""
    if not actor.has_perm("enrolment.extend_case"):
        raise NotPermitted(_("Only the county may extend a case's time limit."))
    case = EnrolmentCase.objects.filter(pk=application_id).first()
    if case is None or not code_visible_to(actor, case.region_code):
        raise NotPermitted(_("No such application in your region."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": [_("Give the reason for the extension: it is kept on the case.")]})
    lock_case(application_id)
    case = locked_case_by_id(application_id)
    details = details_of(case)
    if case.status not in (set(Status.values) - {Status.APPROVED, Status.REJECTED}):
        raise Conflict(_("The case is decided: there is no limit to extend."))
    if details.extended_at is not None:
        raise Conflict(_("The limit was already extended on %(date)s.")
                       % {"date": timezone.localtime(details.extended_at).date()})
    clock = case_clock(case)
    spec = programs.program(case.program)
    if clock is None or CASE_CLOCK_EXTENDED not in spec.clocks:
        raise Conflict(_("This case has no whole-case limit to extend."))
    policy = find_policy(case.program, CASE_CLOCK_EXTENDED, program=case.program, region_code=case.region_code,
                         on=timezone.localtime(clock.started_at).date())
    due = compute_due(policy, clock.started_at, case.region_code)
    before_due = clock.due_at
    clock.policy, clock.step, clock.due_at, clock.remind_at = policy, CASE_CLOCK_EXTENDED, due.due_at, due.remind_at
    clock.provisional = due.provisional
    clock.next_check_at = deadlines.next_check(clock, set())
    clock.breached_at = None if clock.due_at > timezone.now() else clock.breached_at
    clock.save(update_fields=["policy", "step", "due_at", "remind_at", "provisional", "next_check_at",
                              "breached_at"])
    _update_details(case, extension_reason=reason, extended_at=timezone.now(), extended_by=actor)
    audit.record("assistance.application.extended", actor=actor, obj=case, region_code=case.region_code,
                 reason=reason, before={"due_at": before_due.isoformat()}, after={"due_at": clock.due_at.isoformat()},
                 request=request)
    return case


def locked_case_by_id(application_id: int) -> EnrolmentCase:
    return EnrolmentCase.objects.select_for_update(of=("self",)).select_related(
        "household", *programs.detail_relations()).get(pk=application_id)


# --- steps -----------------------------------------------------------------------------------------

def intake(user, task, *, complete: bool, missing=None, request=None) -> EnrolmentCase:
    """受理: complete → investigation (and the whole-case clock starts); incomplete → the
    applicant is told once, in writing, everything that is missing."""
    case = locked_case(task, EnrolmentCase)
    before = case.status
    if complete is True:
        case.accept()
        case.intake_by = user
        save_status(case, "intake_by")
        record("accepted", user, case, before, request=request)
        open_case_clock(case)
        return case
    if complete is not False:
        raise InvalidInput({"complete": [_("Say whether the documents are complete.")]})
    items = [str(m).strip() for m in (missing or []) if str(m).strip()]
    if not items:
        raise InvalidInput({"missing": [_("List everything that is missing, all at once.")]})
    if case.missing_notified_at is not None:
        raise InvalidInput({"complete": [
            _("The applicant was already told on %(date)s what is missing; they may be told only once.")
            % {"date": timezone.localtime(case.missing_notified_at).date()}]})
    case.mark_incomplete()
    case.missing_documents, case.missing_notified_at = items, timezone.now()
    save_status(case, "missing_documents", "missing_notified_at")
    record("incomplete", user, case, before, extra={"missing": items}, request=request)
    documents.request_document(case, "missing_documents_notice", actor=user)
    return case


def receive_documents(user, task, *, request=None) -> EnrolmentCase:
    case = locked_case(task, EnrolmentCase)
    before = case.status
    case.documents_received()
    save_status(case)
    record("documents_received", user, case, before, request=request)
    return case


def county_team(usernames, case) -> list:
    """A staff relative's case is investigated by the county (DOMAIN.md): at least two
    county staff of the case's county."""
    names = list(dict.fromkeys(u.strip() for u in (usernames or []) if isinstance(u, str) and u.strip()))
    if len(names) < 2:
        raise InvalidInput({"investigators": [_("An investigation needs two different staff members.")]})
    found = {u.username: u for u in get_user_model().objects.filter(
        within("region__code", case.region_code, Level.COUNTY), region__level=Level.COUNTY, is_active=True,
        username__in=names)}
    problems = [n for n in names if n not in found]
    if problems:
        raise InvalidInput({"investigators": [_("Not county staff of this application: %(names)s.")
                                              % {"names": ", ".join(problems)}]})
    return [found[n] for n in names]


def investigate(user, task, *, investigators, findings, family_signed, request=None, **own) -> EnrolmentCase:
    """The household investigation (入户调查): two or more staff, the record signed by the
    team and the family. ``own``: a program's own findings (特困: self-care), saved on its details."""
    case = locked_case(task, EnrolmentCase)
    county = case.related_to_staff
    team = county_team(investigators, case) if county else investigation_team("investigators", investigators, case)
    findings = (findings or "").strip()
    if not findings:
        raise InvalidInput({"findings": [_("Write down what the investigation found.")]})
    if family_signed is not True:
        raise InvalidInput({"family_signed": [
            _("The investigation record must be signed by the team and the family.")]})
    before = case.status
    case.investigated()
    case.findings = findings
    save_status(case, "findings")
    case.investigators.set(team)
    _update_details(case, family_signed=True, **own)
    record("investigated", user, case, before, request=request,
           extra={"investigators": [u.username for u in team], "by_county": county,
                  **{k: (v if isinstance(v, str | int | bool | dict | list) else str(v)) for k, v in own.items()}})
    return case


def verify(user, task, *, results, note: str = "", request=None) -> EnrolmentCase:
    """The county's data verification (核对): a result for every source."""
    case = locked_case(task, EnrolmentCase)
    if not isinstance(results, dict):
        raise InvalidInput({"results": [_("Give a result for every source.")]})
    unknown = sorted(set(results) - set(SOURCES))
    missing = [s for s in SOURCES if s not in results]
    bad = sorted(s for s, r in results.items() if s in SOURCES and r not in RESULTS)
    if unknown or missing or bad:
        raise InvalidInput({"results": [_("Give clear or found for each of: %(sources)s.")
                                        % {"sources": ", ".join(SOURCES)}]})
    before = case.status
    case.verified()
    save_status(case)
    _update_details(case, verification={s: results[s] for s in SOURCES}, verification_note=(note or "").strip(),
                    verified_by=user, verified_at=timezone.now())
    found = [s for s in SOURCES if results[s] == "found"]
    record("verified", user, case, before, extra={"found": found}, reason=(note or "").strip(), request=request)
    return case


def assessment(case, on: datetime.date | None = None):
    """The means test a decision of ``case`` rests on, and what it gives: (result, amount,
    people covered). Refused, with the test's reasons, when it does not qualify."""
    result = means_test(case.household, case.program, on)
    reasons = "；".join(str(r) for r in result.reasons)
    if not result.complete:
        raise InvalidInput({"decision": [_("The means test cannot be completed: %(reasons)s")
                                         % {"reasons": reasons}]})
    details = details_of(case)
    if details.covered_member_id is not None:
        if result.eligible:
            raise InvalidInput({"decision": [_("The household now qualifies as a whole: a qualifying household is "
                                               "covered whole, never only in part. Reject and apply for the "
                                               "household.")]})
        coverage = next((i for i in result.individual_coverage if i.person_id == details.covered_member_id), None)
        if coverage is None:
            raise InvalidInput({"decision": [_("The member no longer qualifies for individual coverage: %(reasons)s")
                                             % {"reasons": reasons}]})
        return result, coverage.amount, 1
    if not result.eligible:
        raise InvalidInput({"decision": [_("The means test says the household does not qualify: %(reasons)s")
                                         % {"reasons": reasons}]})
    return result, result.monthly_amount, result.members


def means_snapshot(result) -> dict:
    """What the decision notice and the case page show of the test (its arithmetic, as read then)."""
    return {"on": result.on.isoformat(), "program": result.program, "standard": str(result.standard),
            "members": result.members, "per_capita_income": str(result.per_capita_income),
            "monthly_amount": str(result.monthly_amount), "eligible": result.eligible,
            "near_dibao": result.near_dibao,
            "lines": [{"label": line.label, "amount": str(line.amount)} for line in result.lines],
            "reasons": [str(r) for r in result.reasons]}


def _check_amount(amount, field: str, calculated) -> None:
    if amount > calculated:
        raise InvalidInput({field: [_("More than the means test gives (%(amount)s yuan a month).")
                                    % {"amount": figures(calculated)}]})


def _reject(user, case, before, *, reason: str, level: str, request=None) -> EnrolmentCase:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": [_("A rejection must give its reasons in writing.")]})
    case.reject()
    case.decided_by, case.decided_at, case.decision_level, case.decision_reason = user, timezone.now(), level, reason
    save_status(case, "decided_by", "decided_at", "decision_level", "decision_reason")
    record("rejected", user, case, before, reason=reason, extra={"level": level}, request=request)
    documents.request_document(case, "rejection_notice", actor=user)
    close_case_clock(case)
    return case


def township_review(user, task, *, decision: str, amount=None, reason: str = "", request=None,
                    check=None) -> EnrolmentCase:
    """The township's first review: recommend (the list is posted where the county keeps a
    notice) or reject with written reasons. ``check(case)``: a program's own condition."""
    case = locked_case(task, EnrolmentCase)
    check_separation(user, case, task)
    before = case.status
    if decision == "reject":
        return _reject(user, case, before, reason=reason, level="township", request=request)
    if decision != "recommend":
        raise InvalidInput({"decision": [_("Choose one of: %(choices)s.") % {"choices": "recommend, reject"}]})
    if check is not None:
        check(case)
    result, calculated, size = assessment(case)
    amount = parse_amount(amount, "amount") if amount not in (None, "") else calculated
    _check_amount(amount, "amount", calculated)
    details = details_of(case)
    rule = enrolment_rule(case.program, case.region_code)
    keeps_notice = rule.keeps_notice
    (case.recommend_with_notice if keeps_notice else case.recommend)()
    case.recommended_amount = amount
    save_status(case, "recommended_amount")
    _update_details(case, reviewed_by=user, reviewed_at=timezone.now(), review_reason=(reason or "").strip(),
                    household_size=size, means=means_snapshot(result),
                    notice_rounds=details.notice_rounds + (1 if keeps_notice else 0))
    record("recommended", user, case, before, reason=(reason or "").strip(),
           extra={"amount": amount, "household_size": size, "notice": keeps_notice}, request=request)
    if keeps_notice:
        notices.post(case, NoticeKind.FIRST_REVIEW, actor=user, amount=amount, household_size=size,
                     name=_covered_name(case))
    return case


def _covered_name(case) -> str:
    details = details_of(case)
    return details.covered_member.name if details.covered_member_id else case.applicant.name


def running_notice(case) -> PublicNotice | None:
    return PublicNotice.objects.running().filter(application=case).order_by("-round").first()


def reinvestigate(user, task, *, findings: str, outcome: str, request=None) -> EnrolmentCase:
    """The re-investigation an objection opened: its findings and whether the objection
    was upheld. The township reviews the case again, and a new notice follows."""
    case = locked_case(task, EnrolmentCase)
    findings = (findings or "").strip()
    if not findings:
        raise InvalidInput({"findings": [_("Write down what the re-investigation found.")]})
    if outcome not in ObjectionOutcome.values:
        raise InvalidInput({"outcome": [_("Say whether the objection was upheld or dismissed.")]})
    before = case.status
    case.reinvestigated()
    case.findings = f"{case.findings}\n\n{findings}".strip()
    save_status(case, "findings")
    Objection.objects.filter(application=case, answered_at=None).update(
        outcome=outcome, findings=findings, answered_at=timezone.now())
    record("reinvestigated", user, case, before, extra={"outcome": outcome}, reason=findings, request=request)
    return case


def confirm(user, task, *, decision: str, amount_approved=None, reason: str = "", level: str = "county",
            request=None, check=None) -> EnrolmentCase:
    """Confirmation (审核确认) by the county, or the township where it is delegated.
    Refused (409) while the notice runs or an objection is unanswered. An approval is paid
    from the month after it; its list is published, and the decision notice shows the
    means test's arithmetic."""
    case = locked_case(task, EnrolmentCase)
    check_separation(user, case, task)
    notice = running_notice(case)
    if notice is not None:
        raise Conflict(_("The public notice runs until %(end)s: the case can be confirmed after it ends.")
                       % {"end": timezone.localtime(notice.ends_at).strftime("%Y-%m-%d %H:%M")})
    if Objection.objects.filter(application=case, answered_at=None).exists():
        raise Conflict(_("An objection is not answered yet: the case is re-investigated first."))
    if case.status not in CONFIRMABLE_STATUSES:
        raise Conflict(_("This step cannot be done in the case's current state."))
    before = case.status
    if decision == "reject":
        return _reject(user, case, before, reason=reason, level=level, request=request)
    if decision != "approve":
        raise InvalidInput({"decision": [_("Choose one of: %(choices)s.") % {"choices": "approve, reject"}]})
    if check is not None:
        check(case)
    result, calculated, size = assessment(case)
    amount = (parse_amount(amount_approved, "amount_approved") if amount_approved not in (None, "")
              else case.recommended_amount or calculated)
    _check_amount(amount, "amount_approved", calculated)
    case.confirm()
    now = timezone.now()
    today = timezone.localdate(now)
    paid_from = benefits.following_month(today)
    case.amount_approved, case.decided_by, case.decided_at = amount, user, now
    case.decision_level, case.decision_reason = level, (reason or "").strip()
    save_status(case, "amount_approved", "decided_by", "decided_at", "decision_level", "decision_reason")
    _update_details(case, household_size=size, means=means_snapshot(result), paid_from=paid_from)
    benefits.record_change(case, kind=BenefitKind.START, month=paid_from, amount=amount, household_size=size,
                           reason=case.decision_reason, source="approval", actor=user)
    record("approved", user, case, before, reason=case.decision_reason,
           extra={"level": level, "amount_approved": amount, "household_size": size,
                  "paid_from": paid_from.isoformat()}, request=request)
    documents.request_document(case, "decision_notice", actor=user)
    notices.post(case, NoticeKind.APPROVED, actor=user, amount=amount, household_size=size, name=_covered_name(case))
    close_case_clock(case)
    return case


# --- objections ---------------------------------------------------------------------------------------

@transaction.atomic  # its own unit of work (not a task step): the case and its process are locked for it
def raise_objection(actor, application_id: int, *, text: str, raised_by: str = "", request=None) -> Objection:
    """Record an objection to the case's running notice (township staff). The notice is
    withdrawn, the waiting confirmation task is cancelled and a re-investigation opens
    (``reopen(case)``, the flow's part); a new review and a new notice follow. 409 when no
    notice is running."""
    if not actor.has_perm("enrolment.add_objection"):
        raise NotPermitted(_("Only township staff record objections."))
    case = EnrolmentCase.objects.filter(pk=application_id).first()
    if case is None or not code_visible_to(actor, case.region_code):
        raise NotPermitted(_("No such application in your township."))
    text = (text or "").strip()
    if not text:
        raise InvalidInput({"text": [_("Write down the objection.")]})
    lock_case(application_id)
    case = locked_case_by_id(application_id)
    notice = running_notice(case)
    if notice is None or case.status != Status.NOTICE:
        raise Conflict(_("No public notice of this case is running: an objection is recorded while it runs."))
    objection = Objection.objects.create(application=case, notice=notice, text=text,
                                         raised_by=(raised_by or "").strip()[:100], recorded_by=actor)
    PublicNotice.objects.filter(pk=notice.pk).update(withdrawn_at=timezone.now())
    before = case.status
    case.objected()
    save_status(case)
    record("objected", actor, case, before, reason=text, extra={"notice": notice.pk, "raised_by": raised_by},
           request=request)
    reopen_for_objection(programs.program(case.program).flow(), case)
    notify(county_staff(case), event="assistance.application.objection",
           title=_("Objection to the notice of application %(id)s: re-investigation.") % {"id": case.pk},
           link=case.get_absolute_url())
    return objection


"""Ongoing 低保 and 特困 cases: one function per state change.

- ``schedule_due`` opens the periodic reviews that are due (the daily beat task and the
  ``schedule_reviews`` command): yearly for a stable household, every six months when
  its income is irregular or a member is able to work (ReviewRule).
- ``investigate`` and ``decide`` are the review flow's steps (called through
  workflows.engine.complete, which holds the review's process lock).
- ``report_change`` records a change of circumstance: a death opens a re-check due
  within the rule's months, any other change a review that re-runs the means test.
- ``record_work_refusal``: the rule's number of refusals in a row cuts the member's share.
- ``end_gradual_exits`` stops the cases whose gradual exit has run out (daily).

Every decision that changes what is paid writes one entry of the case's payment
schedule (workflows.enrolment.benefits.record_change) from the month after it, and a
written notice (reviews.notices), rendered after commit.

Locks: a case is locked as its enrolment process row then its own row
(assistance.services.lock_case), so these services and a step of the case's own flow
take rows in one order.
"""

from __future__ import annotations

import calendar
import datetime
import logging
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assistance.models import Application
from assistance.services import investigation_team, lock_case, record, save_status
from audit import services as audit
from core import programs
from core.errors import Conflict, InvalidInput, NotPermitted
from core.money import figures, parse_amount
from core.scoping import code_visible_to
from means.services import means_test
from registry.models import Condition, Income, Person, PersonCondition
from workflows.enrolment import benefits
from workflows.enrolment.models import ONGOING_STATUSES, BenefitChange, BenefitKind, EnrolmentCase, Status
from workflows.enrolment.services import locked_case_by_id, means_snapshot

from . import notices
from .models import (
    FLOW_CODE,
    ChangeKind,
    ChangeReport,
    NoticeKind,
    Outcome,
    Review,
    ReviewKind,
    ReviewRule,
    ReviewStatus,
    WorkRefusal,
)
from .rules import RuleBook, review_rule

log = logging.getLogger(__name__)

PROGRAMS = ("dibao", "tekun")
CENT = Decimal("0.01")
# Reviews whose decision rests on a fresh means test: the periodic clock restarts from them.
MEANS_REVIEWS = (ReviewKind.PERIODIC, ReviewKind.DEATH, ReviewKind.CHANGE)


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    first = benefits.add_months(day.replace(day=1), months)
    return first.replace(day=min(day.day, calendar.monthrange(first.year, first.month)[1]))


def _chinese(func, *args, **kwargs):
    """Reasons and notices are kept in the language of the written notices (Chinese)."""
    with translation.override(settings.LANGUAGE_CODE):
        return func(*args, **kwargs)


def _lock(application_id: int) -> EnrolmentCase:
    lock_case(application_id)
    return locked_case_by_id(application_id)


def _visible_case(actor, application_id: int, permission: str) -> Application:
    if not actor.has_perm(permission):
        raise NotPermitted(_("Only township staff record this."))
    case = Application.objects.filter(pk=application_id, program__in=PROGRAMS).first()
    if case is None or not code_visible_to(actor, case.region_code):
        raise NotPermitted(_("No such application in your township."))
    return case


def _check_ongoing(case) -> None:
    if case.status not in ONGOING_STATUSES:
        raise Conflict(_("The case is not being paid (status: %(status)s): there is nothing to review.")
                       % {"status": case.status_label})


# --- opening a review ---------------------------------------------------------------------------------

def open_review(case, *, kind: str, reason: str, actor=None, due_by: datetime.date | None = None,
                request=None) -> tuple[Review, bool]:
    """The case's open review, or a new one with its flow started (the caller holds the
    case's lock). (review, created)."""
    existing = Review.objects.filter(application_id=case.pk, status=ReviewStatus.OPEN).first()
    if existing is not None:
        return existing, False
    review = Review.objects.create(application_id=case.pk, program=case.program, region_code=case.region_code,
                                   kind=kind, due_reason=reason, due_by=due_by, opened_by=actor)
    audit.record("reviews.review.opened", actor=actor, obj=review, region_code=case.region_code, reason=reason,
                 extra={"application": case.pk, "kind": kind, "due_by": due_by.isoformat() if due_by else None},
                 request=request)
    programs.flow(FLOW_CODE).start(review)
    return review, True


# --- the periodic schedule ----------------------------------------------------------------------------

def _able_to_work(rule: ReviewRule, born: datetime.date, kind, grade, ill: bool, on: datetime.date) -> bool:
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if not (rule.work_age_from <= age < rule.work_age_under):
        return False
    if grade is not None and grade <= rule.unable_disability_grade:
        return False
    return not ill


def _household_facts(household_ids, on: datetime.date) -> tuple[dict, dict]:
    """household → income kinds in force on ``on``; household → (birth, disability kind, grade, ill) per member."""
    kinds: dict[int, set[str]] = {}
    for household_id, kind in (Income.objects.filter(household_id__in=household_ids).in_force(on).order_by()
                               .values_list("household_id", "kind")):
        kinds.setdefault(household_id, set()).add(kind)
    ill = set(PersonCondition.objects.filter(person__household_id__in=household_ids,
                                             condition=Condition.SERIOUS_ILLNESS).values_list("person_id", flat=True))
    members: dict[int, list[tuple]] = {}
    for pk, household_id, born, kind, grade in (Person.objects.filter(household_id__in=household_ids).order_by()
                                                .values_list("pk", "household_id", "birth_date", "disability_kind",
                                                             "disability_grade")):
        members.setdefault(household_id, []).append((born, kind, grade, pk in ill))
    return kinds, members


def irregular(rule: ReviewRule, income_kinds: set[str], members: list[tuple], on: datetime.date) -> bool:
    """Irregular income (a kind the rule names) or a member able to work: reviewed more often."""
    if income_kinds & rule.irregular_kinds():
        return True
    return any(_able_to_work(rule, *member, on) for member in members)


def due_cases(on: datetime.date | None = None, region_prefix: str = "", *, chunk: int = 500):
    """(case id, reason) of every ongoing case due for its periodic review on ``on`` and
    with no open review, in case order."""
    on = on or timezone.localdate()
    book = RuleBook(on)
    open_reviews = Review.objects.filter(application=OuterRef("pk"), status=ReviewStatus.OPEN)
    cases = (Application.objects.filter(program__in=PROGRAMS, status__in=sorted(ONGOING_STATUSES))
             .exclude(Exists(open_reviews))
             .annotate(last_review=Max("reviews__decided_at", filter=Q(reviews__status=ReviewStatus.DECIDED,
                                                                        reviews__kind__in=MEANS_REVIEWS))))
    if region_prefix:
        cases = cases.filter(region_code__startswith=region_prefix)
    last_pk = 0
    while True:
        rows = list(cases.filter(pk__gt=last_pk).order_by("pk")
                    .values_list("pk", "program", "region_code", "household_id", "decided_at", "last_review")[:chunk])
        if not rows:
            return
        last_pk = rows[-1][0]
        kinds, members = _household_facts({r[3] for r in rows}, on)
        for pk, program, region_code, household_id, decided_at, last_review in rows:
            rule = book.get(program, region_code)
            if rule is None:
                log.error("no %s review rule for %s: case %s is not scheduled", program, region_code, pk)
                continue
            moments = [m for m in (decided_at, last_review) if m is not None]
            if not moments:
                continue
            since = timezone.localtime(max(moments)).date()
            often = irregular(rule, kinds.get(household_id, set()), members.get(household_id, []), on)
            months = rule.months_irregular if often else rule.months_stable
            if months_after(since, months) <= on:
                yield pk, _chinese(_due_reason, often, months, since)


def _due_reason(often: bool, months: int, since: datetime.date) -> str:
    if often:
        return _("Review every %(months)s months (irregular income or a member able to work); last reviewed or "
                 "approved on %(date)s.") % {"months": months, "date": since.isoformat()}
    return _("Review every %(months)s months (stable household); last reviewed or approved on %(date)s.") % {
        "months": months, "date": since.isoformat()}


def schedule_due(on: datetime.date | None = None, region_prefix: str = "", *, dry_run: bool = False) -> list[int]:
    """Open a periodic review for every case that is due; the ids of the cases (that would
    be) reviewed. Run twice, it opens nothing the second time: a case with an open review
    is not due, and the case lock and the one-open-review index keep two runs apart."""
    opened = []
    for case_id, reason in list(due_cases(on, region_prefix)):
        if dry_run:
            opened.append(case_id)
            continue
        with transaction.atomic():
            case = _lock(case_id)
            if case.status not in ONGOING_STATUSES:
                continue
            _review, created = open_review(case, kind=ReviewKind.PERIODIC, reason=reason)
            if created:
                opened.append(case_id)
    return opened


# --- the means test of a review -----------------------------------------------------------------------

def deceased(case) -> set[int]:
    """Members reported dead on this case: no longer counted by its means test (the
    registry keeps people; it has no record of a death)."""
    return set(ChangeReport.objects.filter(application_id=case.pk, kind=ChangeKind.DEATH, member__isnull=False)
               .values_list("member_id", flat=True))


def assess(case, on: datetime.date | None = None) -> dict:
    """The means test of the case's household as of ``on`` (today), without the members
    reported dead, and what it gives this case: the snapshot a review keeps."""
    on = on or timezone.localdate()
    dead = deceased(case)
    people = (Person.objects.filter(household_id=case.household_id).exclude(pk__in=dead)
              .prefetch_related("conditions").order_by("pk"))
    incomes = Income.objects.filter(household_id=case.household_id).in_force(on).exclude(person_id__in=dead)
    result = means_test(case.household, case.program, on, people=people, incomes=incomes)
    details = programs.details_of(case)
    covered = getattr(details, "covered_member_id", None)
    if covered is not None:
        coverage = next((i for i in result.individual_coverage if i.person_id == covered), None)
        eligible, amount, size = coverage is not None, coverage.amount if coverage else Decimal("0.00"), 1
    else:
        eligible = result.complete and result.eligible
        amount, size = (result.monthly_amount if eligible else Decimal("0.00")), result.members
    snapshot = _chinese(means_snapshot, result)
    snapshot.update({"complete": result.complete, "case_eligible": eligible, "case_amount": str(amount),
                     "case_size": size, "covered_member": covered,
                     "not_counted": sorted(dead)})
    return snapshot


# --- the review's steps -------------------------------------------------------------------------------

def _locked_review(task) -> Review:
    return Review.objects.select_for_update().get(pk=task.process.artifact_object_id)


def investigate(user, task, *, investigators, findings: str, request=None) -> Review:
    """The review's investigation: two or more township staff, their findings, and the
    means test run again as of today (kept on the review for the decision)."""
    review = _locked_review(task)
    case = _lock(review.application_id)
    if review.status != ReviewStatus.OPEN:
        raise Conflict(_("This review is already decided."))
    team = investigation_team("investigators", investigators, case)
    findings = (findings or "").strip()
    if not findings:
        raise InvalidInput({"findings": [_("Write down what the review found.")]})
    snapshot = assess(case)
    if not snapshot["complete"]:
        raise InvalidInput({"findings": [_("The means test cannot be completed: %(reasons)s")
                                         % {"reasons": "；".join(snapshot["reasons"])}]})
    review.findings, review.investigators = findings, [u.username for u in team]
    review.investigated_by, review.investigated_at, review.means = user, timezone.now(), snapshot
    review.save(update_fields=["findings", "investigators", "investigated_by", "investigated_at", "means"])
    audit.record("reviews.review.investigated", actor=user, obj=review, region_code=review.region_code,
                 extra={"application": case.pk, "investigators": review.investigators,
                        "eligible": snapshot["case_eligible"], "amount": snapshot["case_amount"]}, request=request)
    return review


def _require_reasons(reasons: str) -> str:
    reasons = (reasons or "").strip()
    if not reasons:
        raise InvalidInput({"reasons": [_("A change of payment must give its reasons in writing.")]})
    return reasons


def decide(user, task, *, decision: str, new_amount=None, reasons: str = "", request=None) -> Review:
    """The township head's decision on the means test the investigation re-ran:
    continue, adjust (at most what the test gives), begin a gradual exit (the household no
    longer qualifies; only from approved) or stop — each change with written reasons, from
    the month after the decision."""
    review = _locked_review(task)
    case = _lock(review.application_id)
    if review.status != ReviewStatus.OPEN:
        raise Conflict(_("This review is already decided."))
    if user.username in (review.investigators or []) or user.pk == review.investigated_by_id:
        raise NotPermitted(_("You investigated this review, so someone else must decide it."))
    _check_ongoing(case)
    means = review.means or {}
    if "case_eligible" not in means:
        raise Conflict(_("The review has no means test yet: it is investigated first."))
    if decision not in Outcome.values:
        raise InvalidInput({"decision": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Outcome.values)}]})
    eligible, calculated, size = means["case_eligible"], Decimal(means["case_amount"]), means["case_size"]
    today = timezone.localdate()
    start = benefits.following_month(today)
    entry = benefits.in_force(case.pk, start)
    previous = entry.monthly_amount if entry is not None else case.amount_approved
    before = case.status
    source = f"review:{review.pk}"
    change, notice_kind, amount = None, None, None
    if decision == Outcome.CONTINUE:
        if not eligible and case.status == Status.APPROVED:
            raise InvalidInput({"decision": [_("The means test says the case no longer qualifies: begin a gradual "
                                               "exit or stop the payment.")]})
        reasons = (reasons or "").strip()
    elif decision == Outcome.ADJUST:
        reasons = _require_reasons(reasons)
        if not eligible:
            raise InvalidInput({"decision": [_("The means test says the case no longer qualifies: the amount "
                                               "cannot be adjusted; begin a gradual exit or stop.")]})
        amount = parse_amount(new_amount, "new_amount") if new_amount not in (None, "") else calculated
        if amount > calculated:
            raise InvalidInput({"new_amount": [_("More than the means test gives (%(amount)s yuan a month).")
                                               % {"amount": figures(calculated)}]})
        if case.status == Status.GRADUAL_EXIT:
            case.resume()  # qualifies again: paid in full from the month after, no end
        change = benefits.record_change(case, kind=BenefitKind.ADJUST, month=start, amount=amount,
                                        household_size=size, reason=reasons, source=source, actor=user)
        notice_kind = NoticeKind.ADJUST
    elif decision == Outcome.GRADUAL_EXIT:
        reasons = _require_reasons(reasons)
        if case.status != Status.APPROVED:
            raise Conflict(_("The case is already in a gradual exit."))
        if eligible:
            raise InvalidInput({"decision": [_("The means test says the case still qualifies: a gradual exit is "
                                               "for income that passed the line.")]})
        rule = review_rule(case.program, case.region_code, today)
        until = benefits.add_months(start, rule.gradual_exit_months - 1)
        amount = previous or Decimal("0.00")
        change = benefits.record_change(case, kind=BenefitKind.GRADUAL_EXIT, month=start, amount=amount,
                                        until_month=until, household_size=entry.household_size if entry else None,
                                        reason=reasons, source=source, actor=user)
        case.begin_gradual_exit()
        notice_kind = NoticeKind.GRADUAL_EXIT
    else:  # stop
        reasons = _require_reasons(reasons)
        change = benefits.record_change(case, kind=BenefitKind.STOP, month=start, amount=Decimal("0.00"),
                                        reason=reasons, source=source, actor=user)
        case.stop()
        notice_kind = NoticeKind.STOP
    if case.status != before:
        save_status(case)
    review.outcome, review.new_amount, review.reasons = decision, amount, reasons
    review.decided_by, review.decided_at, review.status = user, timezone.now(), ReviewStatus.DECIDED
    review.save(update_fields=["outcome", "new_amount", "reasons", "decided_by", "decided_at", "status"])
    record("reviewed", user, case, before, reason=reasons,
           extra={"review": review.pk, "kind": review.kind, "outcome": decision,
                  "amount": str(amount) if amount is not None else None,
                  "from_month": start.isoformat() if change is not None else None}, request=request)
    if change is not None:
        notices.issue(change, notice_kind, actor=user, previous_amount=previous)
    return review


# --- changes of circumstance ------------------------------------------------------------------------------

def _member_of(case, member, field: str = "member", *, required: bool = False) -> Person | None:
    if member in (None, ""):
        if required:
            raise InvalidInput({field: [_("Choose a member of the household.")]})
        return None
    try:
        member_id = int(member)
    except (TypeError, ValueError):
        raise InvalidInput({field: [_("Choose a member of the household.")]}) from None
    person = Person.objects.filter(pk=member_id, household_id=case.household_id).first()
    if person is None:
        raise InvalidInput({field: [_("Choose a member of the household.")]})
    return person


def _day(value, field: str) -> datetime.date:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput({field: [_("Give the day as YYYY-MM-DD.")]}) from None
    if not isinstance(value, datetime.date):
        raise InvalidInput({field: [_("Give the day as YYYY-MM-DD.")]})
    if value > timezone.localdate():
        raise InvalidInput({field: [_("The day cannot be in the future.")]})
    return value


@transaction.atomic  # its own unit of work: the case is locked while its review opens
def report_change(actor, application_id: int, *, kind: str, occurred_on, member=None, note: str = "",
                  request=None) -> ChangeReport:
    """Record a change of circumstance of an enrolled household. A death opens a re-check
    to be done within the rule's months of it; any other change a review that re-runs
    the means test. When a review is open already, the change joins it (and a death
    brings its date forward)."""
    _visible_case(actor, application_id, "reviews.add_changereport")
    if kind not in ChangeKind.values:
        raise InvalidInput({"kind": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(ChangeKind.values)}]})
    occurred_on = _day(occurred_on, "occurred_on")
    note = (note or "").strip()
    case = _lock(application_id)
    person = _member_of(case, member, required=kind == ChangeKind.DEATH)
    if kind != ChangeKind.DEATH and not note:
        raise InvalidInput({"note": [_("Say what changed.")]})
    _check_ongoing(case)
    if kind == ChangeKind.DEATH and person.pk in deceased(case):
        raise Conflict(_("The death of %(name)s is already recorded.") % {"name": person.name})
    rule = review_rule(case.program, case.region_code)
    due_by = None
    if kind == ChangeKind.DEATH:
        due_by = months_after(occurred_on, rule.death_recheck_months)
        reason = _chinese(lambda: _("%(name)s died on %(date)s: re-check within %(months)s months, by %(due)s.") % {
            "name": person.name, "date": occurred_on.isoformat(), "months": rule.death_recheck_months,
            "due": due_by.isoformat()})
        review_kind = ReviewKind.DEATH
    else:
        reason = _chinese(lambda: _("Change reported (%(kind)s) on %(date)s: %(note)s") % {
            "kind": ChangeKind(kind).label, "date": occurred_on.isoformat(), "note": note})
        review_kind = ReviewKind.CHANGE
    review, created = open_review(case, kind=review_kind, reason=reason, actor=actor, due_by=due_by,
                                  request=request)
    if not created and due_by is not None and (review.due_by is None or due_by < review.due_by):
        review.due_by = due_by
        review.save(update_fields=["due_by"])
    report = ChangeReport.objects.create(application_id=case.pk, region_code=case.region_code, kind=kind,
                                         member=person, note=note, occurred_on=occurred_on, reported_by=actor,
                                         review=review)
    audit.record("reviews.change.reported", actor=actor, obj=report, region_code=case.region_code, reason=note,
                 extra={"application": case.pk, "kind": kind, "member": person.pk if person else None,
                        "occurred_on": occurred_on.isoformat(), "review": review.pk, "joined": not created},
                 request=request)
    return report


@transaction.atomic  # its own unit of work: the case is locked while the cut is written
def record_work_refusal(actor, application_id: int, *, member, offered: str, on, request=None) -> WorkRefusal:
    """Record that a member refused suitable work. The rule's number of refusals in a row
    (counted since the member's share was last cut; none before) cuts the member's own
    share from the month after: the monthly amount less amount ÷ people covered, the
    share rounded down to the fen (the household keeps the odd fen). A case covering
    one person is not cut here: a review opens to decide it."""
    _visible_case(actor, application_id, "reviews.add_workrefusal")
    on = _day(on, "on")
    offered = (offered or "").strip()
    if not offered:
        raise InvalidInput({"offered": [_("Say which work was offered.")]})
    case = _lock(application_id)
    person = _member_of(case, member, required=True)
    _check_ongoing(case)
    rule = review_rule(case.program, case.region_code)
    earlier = WorkRefusal.objects.filter(application_id=case.pk, member=person)
    last_cut = earlier.filter(benefit_change__isnull=False).order_by("-pk").first()
    number = (earlier.filter(pk__gt=last_cut.pk) if last_cut else earlier).count() + 1
    refusal = WorkRefusal.objects.create(application_id=case.pk, region_code=case.region_code, member=person,
                                         offered=offered[:200], on=on, number=number, recorded_by=actor)
    audit.record("reviews.work_refusal.recorded", actor=actor, obj=refusal, region_code=case.region_code,
                 extra={"application": case.pk, "member": person.pk, "number": number, "on": on.isoformat(),
                        "limit": rule.work_refusals_limit}, request=request)
    if number == rule.work_refusals_limit and last_cut is None:
        _cut_share(actor, case, refusal, person, number, request=request)
    return refusal


def share_cut(base: Decimal, size: int) -> tuple[Decimal, Decimal]:
    """(one member's share, what the rest are paid): the share is base ÷ size rounded down
    to the fen, so the household keeps the odd fen and never loses more than one share."""
    share = (base / size).quantize(CENT, rounding=ROUND_DOWN)
    return share, base - share


def _cut_share(actor, case, refusal: WorkRefusal, person: Person, number: int, request=None) -> None:
    start = benefits.following_month(timezone.localdate())
    entry = benefits.in_force(case.pk, start)
    if entry is None or not entry.pays_in(start):
        return  # nothing is paid from next month: there is no share to cut
    size = entry.household_size or getattr(programs.details_of(case), "household_size", None) or 1
    if size <= 1:
        reason = _chinese(lambda: _("%(name)s refused suitable work %(n)s times in a row; the case covers one "
                                    "person: decide in a review.") % {"name": person.name, "n": number})
        open_review(case, kind=ReviewKind.WORK_REFUSAL, reason=reason, actor=actor, request=request)
        return
    base = entry.monthly_amount
    share, amount = share_cut(base, size)
    reason = _chinese(lambda: _(
        "%(name)s refused suitable work %(n)s times in a row (last: %(offered)s, on %(date)s): their own share of "
        "%(share)s yuan (%(base)s yuan for %(size)s people) is cut; %(amount)s yuan a month for %(left)s people.")
        % {"name": person.name, "n": number, "offered": refusal.offered, "date": refusal.on.isoformat(),
           "share": figures(share), "base": figures(base), "size": size, "amount": figures(amount),
           "left": size - 1})
    gradual = entry.kind == BenefitKind.GRADUAL_EXIT
    before = case.status
    change = benefits.record_change(case, kind=BenefitKind.GRADUAL_EXIT if gradual else BenefitKind.ADJUST,
                                    month=start, amount=amount, household_size=size - 1, reason=reason,
                                    source=f"work_refusal:{refusal.pk}", actor=actor,
                                    until_month=entry.until_month if gradual else None)
    WorkRefusal.objects.filter(pk=refusal.pk).update(benefit_change=change)
    refusal.benefit_change = change
    record("share_cut", actor, case, before, reason=reason,
           extra={"member": person.pk, "share": str(share), "amount": str(amount),
                  "from_month": start.isoformat()}, request=request)
    notices.issue(change, NoticeKind.CUT, actor=actor, previous_amount=base)


# --- the end of gradual exits ---------------------------------------------------------------------------

def end_gradual_exits(on: datetime.date | None = None) -> list[int]:
    """Stop every case whose gradual exit was paid through a month before ``on``'s: the
    stop entry (from the month after the last one paid), the status, and a notice. The
    rosters stop paying after ``until_month`` whatever this does; this records it."""
    on = on or timezone.localdate()
    month = benefits.month_start(on)
    ran_out = BenefitChange.objects.filter(application=OuterRef("pk"), kind=BenefitKind.GRADUAL_EXIT,
                                           until_month__lt=month)
    ids = list(Application.objects.filter(program__in=PROGRAMS, status=Status.GRADUAL_EXIT)
               .filter(Exists(ran_out)).order_by("pk").values_list("pk", flat=True))
    ended = []
    for case_id in ids:
        with transaction.atomic():
            case = _lock(case_id)
            if case.status != Status.GRADUAL_EXIT:
                continue
            entry = benefits.in_force(case.pk, month)
            if entry is None or entry.kind != BenefitKind.GRADUAL_EXIT or entry.until_month is None \
                    or entry.until_month >= month:
                continue
            stop_month = benefits.add_months(entry.until_month, 1)
            reason = _chinese(lambda entry=entry: _(
                "The gradual exit has ended: the benefit was paid for the last time for %(month)s.")
                % {"month": entry.until_month.strftime("%Y-%m")})
            change = benefits.record_change(case, kind=BenefitKind.STOP, month=stop_month, amount=Decimal("0.00"),
                                            reason=reason, source="gradual_exit_end", actor=None)
            before = case.status
            case.stop()
            save_status(case)
            record("gradual_exit_ended", None, case, before, reason=reason,
                   extra={"until_month": entry.until_month.isoformat(), "stop_month": stop_month.isoformat()})
            notices.issue(change, NoticeKind.GRADUAL_EXIT_END, actor=None, previous_amount=entry.monthly_amount)
            ended.append(case_id)
    return ended

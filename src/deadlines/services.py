"""State changes of deadlines: open with the task, close with it, pause and resume."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from core.errors import Conflict, NotPermitted

from .calendar import WorkingCalendar, end_of_day, local_zone
from .models import Deadline, DeadlineFiring, DeadlineStatus, FiringKind, Unit
from .policies import compute_due, find_policy


def _subject_key(subject) -> dict:
    return {"subject_type": ContentType.objects.get_for_model(subject, for_concrete_model=False),
            "subject_id": subject.pk}


def next_check(deadline: Deadline, fired: set[tuple[str, int]], steps=None) -> datetime.datetime | None:
    """The next moment the sweeper has work for this deadline, given what has fired
    (``steps``: the policy's escalation steps, when the caller already has them)."""
    times = []
    if deadline.remind_at and (FiringKind.REMINDER, 0) not in fired and deadline.remind_at < deadline.due_at:
        times.append(deadline.remind_at)
    if (FiringKind.BREACH, 0) not in fired:
        times.append(deadline.due_at)
    if steps is None:
        steps = deadline.policy.escalations.all() if deadline.policy_id else []
    for step in steps:
        if (FiringKind.ESCALATION, step.level) not in fired:
            times.append(deadline.due_at + datetime.timedelta(hours=step.after_hours))
    return min(times) if times else None


def open_deadline(subject, *, flow: str, step: str, region_code: str, program: str = "",
                  started_at: datetime.datetime | None = None, assignee=None,
                  due_at: datetime.datetime | None = None, application_id: int | None = None,
                  role: str = "") -> Deadline:
    """Start the clock for one piece of work. ``due_at`` overrides the policy's
    duration (a visit's window end); the policy still supplies the escalation chain."""
    started_at = started_at or timezone.now()
    policy = find_policy(flow, step, program=program, region_code=region_code,
                         on=timezone.localtime(started_at).date())
    if due_at is None:
        due = compute_due(policy, started_at, region_code)
        due_at, remind_at, provisional = due.due_at, due.remind_at, due.provisional
    else:
        remind_at, provisional = None, False
    deadline = Deadline(
        **_subject_key(subject), flow=flow, step=step, program=program, region_code=region_code,
        policy=policy, assignee=assignee, started_at=started_at, application_id=application_id, role=role, due_at=due_at, remind_at=remind_at,
        provisional=provisional,
    )
    deadline.next_check_at = next_check(deadline, set())
    deadline.save()
    return deadline


def deadline_for(subject) -> Deadline | None:
    return Deadline.objects.filter(**_subject_key(subject)).first()


def close_deadline(subject, *, at: datetime.datetime | None = None) -> Deadline | None:
    """Stop the clock when the work is done (or cancelled). Idempotent."""
    at = at or timezone.now()
    Deadline.objects.filter(**_subject_key(subject)).exclude(status=DeadlineStatus.CLOSED).update(
        status=DeadlineStatus.CLOSED, closed_at=at, next_check_at=None)
    return deadline_for(subject)


def set_assignee(subject, user) -> None:
    Deadline.objects.filter(**_subject_key(subject)).update(assignee=user)


def _can_manage(actor, deadline: Deadline) -> bool:
    from core.scoping import code_visible_to

    return code_visible_to(actor, deadline.region_code) and (
        actor.pk == deadline.assignee_id or actor.has_role("township_head", "county_reviewer", "supervisor", "admin"))


def pause_deadline(actor, deadline: Deadline, *, reason: str, request=None) -> Deadline:
    """Stop the clock while waiting on the applicant (documents, a hospital stay...),
    keeping the time that was left."""
    if not reason.strip():
        from core.errors import InvalidInput

        raise InvalidInput({"reason": [_("Say why the clock is paused.")]})
    with transaction.atomic():
        deadline = Deadline.objects.select_for_update(of=("self",)).select_related("policy").get(pk=deadline.pk)
        if not _can_manage(actor, deadline):
            raise NotPermitted(_("You may not pause this deadline."))
        if deadline.status != DeadlineStatus.OPEN:
            raise Conflict(_("Only a running deadline can be paused."))
        now = timezone.now()
        if deadline.policy and deadline.policy.unit == Unit.WORKING_DAYS:
            calendar = WorkingCalendar(deadline.region_code)
            last_day = timezone.localtime(deadline.due_at, local_zone()).date() - datetime.timedelta(days=1)
            deadline.remaining_working_days = calendar.working_days_between(timezone.localdate(now), last_day)
        else:
            deadline.remaining = max(deadline.due_at - now, datetime.timedelta(0))
        deadline.status, deadline.paused_at, deadline.pause_reason = DeadlineStatus.PAUSED, now, reason
        deadline.next_check_at = None
        deadline.save(update_fields=["status", "paused_at", "pause_reason", "remaining", "remaining_working_days",
                                     "next_check_at"])
        audit.record("deadlines.deadline.paused", actor=actor, obj=deadline, region_code=deadline.region_code,
                     before={"status": "open", "due_at": deadline.due_at}, after={"status": "paused"},
                     reason=reason, request=request)
    return deadline


def resume_deadline(actor, deadline: Deadline, *, request=None) -> Deadline:
    with transaction.atomic():
        deadline = Deadline.objects.select_for_update(of=("self",)).select_related("policy").get(pk=deadline.pk)
        if not _can_manage(actor, deadline):
            raise NotPermitted(_("You may not resume this deadline."))
        if deadline.status != DeadlineStatus.PAUSED:
            raise Conflict(_("Only a paused deadline can be resumed."))
        now, old_due = timezone.now(), deadline.due_at
        if deadline.remaining_working_days is not None:
            calendar = WorkingCalendar(deadline.region_code)
            last = calendar.add_working_days(timezone.localdate(now), deadline.remaining_working_days)
            deadline.due_at = end_of_day(last)
            deadline.provisional = deadline.provisional or calendar.touched_unconfirmed
        else:
            deadline.due_at = now + (deadline.remaining or datetime.timedelta(0))
        if deadline.remind_at:
            deadline.remind_at += deadline.due_at - old_due
        deadline.status, deadline.paused_at = DeadlineStatus.OPEN, None
        deadline.remaining, deadline.remaining_working_days = None, None
        fired = set(DeadlineFiring.objects.filter(deadline=deadline).values_list("kind", "level"))
        deadline.next_check_at = next_check(deadline, fired)
        deadline.save()
        audit.record("deadlines.deadline.resumed", actor=actor, obj=deadline, region_code=deadline.region_code,
                     before={"status": "paused", "due_at": old_due},
                     after={"status": "open", "due_at": deadline.due_at}, request=request)
    return deadline


def recompute_provisional(region_prefix: str = "") -> int:
    """After a year's calendar is loaded, recompute open deadlines that were provisional."""
    changed = 0
    qs = Deadline.objects.filter(provisional=True).exclude(status=DeadlineStatus.CLOSED).select_related("policy")
    if region_prefix:
        qs = qs.filter(region_code__startswith=region_prefix)
    for deadline in qs:
        if deadline.policy is None or deadline.status != DeadlineStatus.OPEN:
            continue
        due = compute_due(deadline.policy, deadline.started_at, deadline.region_code)
        fired = set(deadline.firings.values_list("kind", "level"))
        deadline.due_at, deadline.remind_at, deadline.provisional = due.due_at, due.remind_at, due.provisional
        deadline.next_check_at = next_check(deadline, fired)
        deadline.save(update_fields=["due_at", "remind_at", "provisional", "next_check_at"])
        audit.record("deadlines.deadline.recomputed", obj=deadline, region_code=deadline.region_code,
                     after={"due_at": deadline.due_at, "provisional": deadline.provisional})
        changed += 1
    return changed

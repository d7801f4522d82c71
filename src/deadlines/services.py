"""State changes of deadlines: open with the task (one at a time, or many subjects of
one kind at once), close with it, pause and resume."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from itertools import islice

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import ExpressionWrapper, F, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from core.errors import Conflict, NotPermitted
from regions.codes import Level, code_of

from .calendar import WorkingCalendar, end_of_day, local_zone
from .models import Deadline, DeadlineFiring, DeadlineStatus, FiringKind, Unit
from .policies import compute_due, find_policy

BULK_BATCH = 5000  # subjects per INSERT … SELECT


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


class PolicyBook:
    """The policy of one step (and its escalation chain, by level) per county and day,
    each looked up once: policies are scoped by at most a 6-digit prefix, so a city's
    50,000 subjects need a handful of lookups. Keep one across batches of a run."""

    def __init__(self, flow: str, step: str, program: str = ""):
        self.flow, self.step, self.program = flow, step, program
        self._cache: dict[tuple[str, datetime.date], tuple] = {}

    def get(self, region_code: str, on: datetime.date) -> tuple:
        key = (code_of(region_code, Level.COUNTY), on)
        if key not in self._cache:
            policy = find_policy(self.flow, self.step, program=self.program, region_code=region_code, on=on)
            self._cache[key] = (policy, sorted(policy.escalations.all(), key=lambda s: s.level))
        return self._cache[key]


def open_deadlines(model, subjects: Iterable[tuple[int, str, datetime.datetime]], *, flow: str, step: str,
                   due_at, started_at, assignee=None, region_code=None, role: str = "",
                   program: str = "", policies: PolicyBook | None = None) -> int:
    """``open_deadline`` with a given ``due_at`` for many subjects of ``model`` at once:
    the same rows (the step's policy for the county and the day the clock starts, the
    sweeper's first check from the policy's chain, every other column as a new Deadline()
    holds it), written by one INSERT … SELECT from the subjects' table per policy and
    batch, without a Python object or a query per deadline (a city's month of visits is
    ~100,000 of them).

    ``subjects``: (pk, region code, start) of each, which choose its policy.
    ``due_at``, ``started_at``, ``assignee`` and ``region_code`` (default: the subject's
    own ``region_code``): expressions over the subjects' table for those columns, e.g.
    F("window_end"). Returns the rows written."""
    policies = policies or PolicyBook(flow, step, program)
    groups: dict[int, tuple] = {}
    days: dict[datetime.datetime, datetime.date] = {}
    for pk, code, start in subjects:
        if start not in days:
            days[start] = timezone.localtime(start).date()
        policy, steps = policies.get(code, days[start])
        groups.setdefault(policy.pk, (policy, steps, []))[2].append(pk)
    written = 0
    for policy, steps, pks in groups.values():
        written += _insert_deadlines(model, pks, policy, steps, due_at=due_at, started_at=started_at,
                                     assignee=assignee, region_code=region_code, flow=flow, step=step, role=role,
                                     program=program)
    return written


def _insert_deadlines(model, pks: list[int], policy, steps, *, due_at, started_at, assignee, region_code, flow, step,
                      role, program) -> int:
    # With no reminder the sweeper's first check is the due time plus a lag that depends
    # on the policy's chain alone (next_check), so it is a column expression too.
    epoch = timezone.now()
    lag = next_check(Deadline(due_at=epoch, remind_at=None), set(), steps) - epoch
    first_check = due_at if not lag else ExpressionWrapper(due_at + Value(lag), output_field=models.DateTimeField())
    given = {
        "subject_type": Value(ContentType.objects.get_for_model(model, for_concrete_model=False).pk),
        "subject_id": F("pk"), "flow": Value(flow), "step": Value(step), "program": Value(program),
        "region_code": F("region_code") if region_code is None else region_code, "policy": Value(policy.pk), "role": Value(str(role)), "due_at": due_at,
        "started_at": started_at, "next_check_at": first_check,
    }
    if assignee is not None:
        given["assignee"] = assignee
    # Every other column gets the default a new Deadline() holds, read from the model, so
    # a column added there later is filled the same way here.
    fields = [f for f in Deadline._meta.concrete_fields if not f.primary_key]
    select = {f"d_{f.attname}": given[f.name] if f.name in given else Value(f.get_default(), output_field=f)
              for f in fields}
    table = connection.ops.quote_name(Deadline._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    iterator, written = iter(pks), 0
    while chunk := list(islice(iterator, BULK_BATCH)):
        rows = model._default_manager.filter(pk__in=chunk).order_by().annotate(**select).values_list(*select)
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)  # noqa: S608 - names from the models
            written += cursor.rowcount
    return written


def deadline_for(subject) -> Deadline | None:
    return Deadline.objects.filter(**_subject_key(subject)).first()


def _close(deadlines, at: datetime.datetime) -> None:
    deadlines.exclude(status=DeadlineStatus.CLOSED).update(status=DeadlineStatus.CLOSED, closed_at=at,
                                                           next_check_at=None)


def close_deadline(subject, *, at: datetime.datetime | None = None) -> Deadline | None:
    """Stop the clock when the work is done (or cancelled). Idempotent."""
    _close(Deadline.objects.filter(**_subject_key(subject)), at or timezone.now())
    return deadline_for(subject)


def close_deadlines(model, pks, *, at: datetime.datetime | None = None) -> None:
    """``close_deadline`` for many subjects of ``model``, in one statement."""
    subject_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    _close(Deadline.objects.filter(subject_type=subject_type, subject_id__in=list(pks)), at or timezone.now())


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

"""Choosing the policy for a step and turning it into due and reminder times."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from regions.rules import in_force

from .calendar import WorkingCalendar, end_of_day, local_zone
from .models import SlaPolicy, Unit


class NoPolicy(LookupError):
    """No deadline policy matches a step: a configuration gap, reported loudly."""


def find_policy(flow: str, step: str, *, program: str = "", region_code: str = "",
                on: datetime.date | None = None) -> SlaPolicy:
    on = on or timezone.localdate()
    # The most local rule wins, then the program-specific one, then the newest version.
    policy = in_force(SlaPolicy.objects.filter(flow=flow, step=step, program__in={"", program})
                      .prefetch_related("escalations"), region_code, on, prefer=lambda p: bool(p.program))
    if policy is None:
        raise NoPolicy(f"No deadline policy for {flow}.{step} (program {program or '-'}, region {region_code or '-'}) "
                       f"in force on {on}: add one in the admin.")
    return policy


@dataclass(frozen=True)
class Due:
    due_at: datetime.datetime
    remind_at: datetime.datetime | None
    provisional: bool


def _morning(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(settings.REMINDER_HOUR), tzinfo=local_zone())


def compute_due(policy: SlaPolicy, started_at: datetime.datetime, region_code: str = "") -> Due:
    if policy.unit == Unit.HOURS:
        due = started_at + datetime.timedelta(hours=policy.duration)
        remind = due - datetime.timedelta(hours=policy.remind_before) if policy.remind_before else None
        return Due(due, remind, False)

    calendar = WorkingCalendar(region_code)
    start_day = timezone.localtime(started_at, local_zone()).date()
    if policy.unit == Unit.WORKING_DAYS:
        last = calendar.add_working_days(start_day, policy.duration)
        remind_day = (calendar.subtract_working_days(last, policy.remind_before - 1)
                      if policy.remind_before else None)
    else:
        last = start_day + datetime.timedelta(days=policy.duration)
        if policy.move_off_day_end:
            last = calendar.next_working_day_on_or_after(last)
        else:
            calendar.is_working_day(last)  # still note whether the year is confirmed
        remind_day = last - datetime.timedelta(days=policy.remind_before - 1) if policy.remind_before else None
    remind = _morning(remind_day) if remind_day else None
    if remind is not None and remind <= started_at:
        remind = None  # a period shorter than its reminder lead needs no reminder
    return Due(end_of_day(last), remind, calendar.touched_unconfirmed)


# The date of effect of the national defaults (the 2021 national rules).
DEFAULT_EFFECTIVE = datetime.date(2021, 1, 1)


def ensure_step_policies(sender=None, using="default", **kwargs) -> int:
    """Seed the national default policy of every declared step (core.programs) that has a
    time limit and no policy yet; never changes one that exists. Returns how many were made."""
    from core import programs

    from .models import EscalationStep

    if sender is not None and getattr(sender, "label", "") != "deadlines":
        return 0  # once per migrate, when the deadlines tables surely exist
    made = 0
    timed = [(spec, step.name, step.limit) for spec, step in programs.steps()]
    timed += [(spec, clock.name, clock.limit) for spec, clock in programs.clocks()]
    for spec, name, limit in timed:
        if limit is None or SlaPolicy.objects.using(using).filter(flow=spec.code, step=name).exists():
            continue
        policy = SlaPolicy.objects.using(using).create(
            flow=spec.code, step=name, program="", scope="", effective_from=DEFAULT_EFFECTIVE,
            duration=limit.duration, unit=limit.unit, remind_before=limit.remind_before, legal_basis=limit.basis)
        EscalationStep.objects.using(using).bulk_create([
            EscalationStep(policy=policy, level=e.level, after_hours=e.after_hours, notify_roles=e.roles,
                           region_level=e.region_level) for e in limit.escalation])
        made += 1
    return made

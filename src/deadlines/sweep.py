"""The one sweeper: reminders, breaches and escalations, each fired exactly once.

It reads only deadlines whose ``next_check_at`` has come (a partial index), so its
cost follows the number of due items, not of open tasks. Each firing is claimed by
inserting a DeadlineFiring row under a unique (deadline, kind, level) key: a second
sweeper running at the same moment, or the same sweep run twice, finds the claim
taken and does nothing. Rows another sweeper is working on are skipped, not waited
for (SKIP LOCKED on PostgreSQL).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit import services as audit
from notifications.services import notify
from staff.directory import role_holders

from .models import Deadline, DeadlineFiring, DeadlineStatus, FiringKind
from .services import next_check
from .subjects import reassign_subject, subject_link, subject_title

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    examined: int = 0
    fired: list[tuple[int, str, int]] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for _d, k, _l in self.fired if k == kind)


def _claim(deadline: Deadline, kind: str, level: int, now) -> DeadlineFiring | None:
    try:
        with transaction.atomic():
            return DeadlineFiring.objects.create(deadline=deadline, kind=kind, level=level, fired_at=now)
    except IntegrityError:
        return None  # already fired, by this sweep's predecessor or a parallel one


def _fire(deadline: Deadline, kind: str, level: int, now, report: SweepReport) -> None:
    firing = _claim(deadline, kind, level, now)
    if firing is None:
        return
    title_args = {"work": subject_title(deadline), "due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")}
    recipients, event = [], f"deadlines.deadline.{kind}"
    if kind == FiringKind.REMINDER:
        recipients = [deadline.assignee] if deadline.assignee else []
        title = _("Due soon: %(work)s (due %(due)s)") % title_args
    elif kind == FiringKind.BREACH:
        recipients = [deadline.assignee] if deadline.assignee else []
        title = _("Overdue: %(work)s (was due %(due)s)") % title_args
        deadline.breached_at = now
    else:
        step = next(s for s in deadline.policy.escalations.all() if s.level == level)
        for role in step.roles:
            recipients += role_holders(role, deadline.region_code, step.region_level)
        if step.reassign_to_role:
            holders = role_holders(step.reassign_to_role, deadline.region_code, step.region_level)
            if holders:
                reassign_subject(deadline, holders[0])
                deadline.assignee = holders[0]
        title = _("Escalated (level %(level)d): %(work)s, due %(due)s") % {**title_args, "level": level}
        deadline.escalation_level = max(deadline.escalation_level, level)
        deadline.escalated_to = sorted({u.username for u in recipients})
    firing.recipients = sorted({u.username for u in recipients})
    firing.save(update_fields=["recipients"])
    notify(recipients, event=event, title=title, link=subject_link(deadline))
    audit.record(event, obj=deadline, region_code=deadline.region_code,
                 extra={"level": level, "recipients": firing.recipients, "due_at": deadline.due_at})
    report.fired.append((deadline.pk, kind, level))


def _process(pk: int, now, report: SweepReport) -> None:
    with transaction.atomic():
        locked = Deadline.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            pk=pk, status=DeadlineStatus.OPEN, next_check_at__lte=now)
        deadline = locked.select_related("policy", "assignee").first()
        if deadline is None:
            return  # closed, paused, moved on, or being handled by another sweeper
        report.examined += 1
        fired = set(deadline.firings.values_list("kind", "level"))
        due_events = []
        if deadline.remind_at and deadline.remind_at <= now < deadline.due_at:
            due_events.append((FiringKind.REMINDER, 0))
        if deadline.due_at <= now:
            due_events.append((FiringKind.BREACH, 0))
            for step in deadline.policy.escalations.all() if deadline.policy_id else []:
                if deadline.due_at + datetime.timedelta(hours=step.after_hours) <= now:
                    due_events.append((FiringKind.ESCALATION, step.level))
        for kind, level in due_events:
            if (kind, level) not in fired:
                _fire(deadline, kind, level, now, report)
                fired.add((kind, level))
        if deadline.due_at <= now:
            fired.add((FiringKind.REMINDER, 0))  # a reminder after the due time is pointless
        deadline.next_check_at = next_check(deadline, fired)
        deadline.save(update_fields=["next_check_at", "breached_at", "escalation_level", "escalated_to", "assignee"])


def sweep(now: datetime.datetime | None = None, batch: int | None = None) -> SweepReport:
    now = now or timezone.now()
    report = SweepReport()
    due = (Deadline.objects.filter(status=DeadlineStatus.OPEN, next_check_at__lte=now)
           .order_by("next_check_at").values_list("pk", flat=True)[: batch or settings.SLA_SWEEP_BATCH])
    with translation.override(settings.LANGUAGE_CODE):
        for pk in list(due):
            _process(pk, now, report)
    if report.fired:
        log.info("sweep fired %d event(s) over %d deadline(s) on %s", len(report.fired), report.examined,
                 connection.vendor)
    return report

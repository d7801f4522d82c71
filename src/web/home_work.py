"""What waits for the signed-in person, by the roles they hold: the home page is every
role's inbox, each line a count with the page that lists it. One count query a line,
each on an index the lists themselves use."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance.models import Instalment, InstalmentStatus
from core import programs
from core.money import figures
from core.scoping import user_code_range
from deadlines.models import Deadline, DeadlineStatus
from exports.models import ExportJob, JobStatus
from funds.models import ReserveFund
from visits.models import Visit, VisitStatus

from . import case_rows


@dataclass(frozen=True)
class Work:
    label: str
    count: int | None
    url: str
    urgent: bool = False
    text: str = ""  # a figure that is not a count (a fund's balance)


def waiting_for(user, now=None) -> list[Work]:
    now = now or timezone.now()
    lines: list[Work] = []
    if case_rows.approval_steps(user):
        lines.append(Work(_("Decisions waiting for you"), case_rows.approvals(user).count(),
                          reverse("approval_queue")))
    if any(user.has_perm(p) for p in programs.case_step_permissions()):
        mine, queue = case_rows.inbox(user, "mine"), case_rows.inbox(user, "queue")
        lines.append(Work(_("Your tasks"), mine.count(), reverse("task_inbox") + "?tab=mine",
                          urgent=mine.overdue(now).exists()))
        lines.append(Work(_("Tasks nobody has taken yet"), queue.count(), reverse("task_inbox") + "?tab=queue"))
    if user.has_perm("funds.approve_replenishment"):
        requests = (Deadline.objects.visible_to(user).filter(flow="reserve_fund")
                    .exclude(status=DeadlineStatus.CLOSED))
        lines.append(Work(_("Reserve-fund replenishment requests to decide"), requests.count(),
                          reverse("fund_list")))
    scope = user_code_range(user)
    if user.has_perm("funds.view_reservefund") and scope is not None:
        low, high = scope
        waiting = Instalment.objects.filter(status=InstalmentStatus.WAITING_FUNDS,
                                            application__region_code__range=(low, high))
        lines.append(Work(_("Payments waiting for reserve-fund money"), waiting.count(), reverse("fund_list")))
        if user.has_perm("funds.request_replenishment"):  # a township head: their fund's balance
            fund = ReserveFund.objects.filter(township__code__range=(low, high)).order_by("township_id").first()
            if fund is not None:
                lines.append(Work(_("Reserve fund balance (yuan)"), None, reverse("fund_detail", args=[fund.pk]),
                                  text=figures(fund.balance)))
    if user.has_perm("visits.record_visit"):
        week = now + datetime.timedelta(days=7)
        due = Visit.objects.visible_to(user).filter(status=VisitStatus.SCHEDULED, window_end__lte=week)
        lines.append(Work(_("Home visits due within a week"), due.count(), reverse("visit_list")))
    if user.has_perm("deadlines.view_breaches"):
        overdue = Deadline.objects.visible_to(user).overdue(now)
        lines.append(Work(_("Overdue work in your region"), overdue.count(), reverse("sla_breaches"),
                          urgent=True))
    running = ExportJob.objects.filter(requested_by=user, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
    if running.exists():
        lines.append(Work(_("Your exports being written"), running.count(), reverse("export_list")))
    return lines


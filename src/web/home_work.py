"""What waits for the signed-in person, by the roles they hold: the home page is every
role's inbox, each line a count with the page that lists it. One count query a line
(two for the statements to sign off), each on an index the lists themselves use."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance.models import Instalment, InstalmentStatus
from core import programs
from core.money import figures
from core.scoping import user_code_range
from deadlines.models import Deadline, DeadlineStatus
from exports.models import ExportJob, JobStatus
from funds.models import MonthlySignOff, ReserveFund
from visits import coverage
from visits.models import Visit, VisitStatus
from workflows.rosters.models import Roster, RosterStatus

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
    if user.has_perm("funds.sign_off") and scope is not None:
        lines.append(Work(_("Reserve-fund statements to sign off"), _months_to_sign_off(user, now),
                          reverse("fund_list")))
    if user.has_perm("rosters.lock_roster"):
        drafts = Roster.objects.visible_to(user).filter(status__in=[RosterStatus.GENERATING, RosterStatus.DRAFT])
        lines.append(Work(_("Payment rosters to review and lock"), drafts.count(), reverse("roster_list")))
    if user.has_perm("visits.record_visit"):
        week = now + datetime.timedelta(days=7)
        due = Visit.objects.visible_to(user).filter(status=VisitStatus.SCHEDULED, window_end__lte=week)
        lines.append(Work(_("Home visits due within a week"), due.count(), reverse("visit_list")))
    if user.has_perm("monitoring.follow_up_warning"):
        warnings = (Deadline.objects.visible_to(user).filter(flow="warning", step="follow_up")
                    .exclude(status=DeadlineStatus.CLOSED))
        lines.append(Work(_("Early warnings to follow up"), warnings.count(), reverse("warning_list"),
                          urgent=warnings.overdue(now).exists()))
    if user.has_perm("deadlines.view_breaches"):
        overdue = Deadline.objects.visible_to(user).overdue(now)
        lines.append(Work(_("Overdue work in your region"), overdue.count(), reverse("sla_dashboard"),
                          urgent=True))
    if user.has_perm("visits.view_coverage"):
        days = settings.VISIT_NOT_VISITED_DAYS
        lines.append(Work(_("People not visited in over %(days)d days") % {"days": days},
                          coverage.not_visited(user, days, now).count(), reverse("visit_coverage")))
    running = ExportJob.objects.filter(requested_by=user, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
    if running.exists():
        lines.append(Work(_("Your exports being written"), running.count(), reverse("export_list")))
    return lines


def _months_to_sign_off(user, now) -> int:
    """Months that have ended, from each fund's first entry, that county finance has not
    signed off yet: two grouped queries whatever the number of funds."""
    this_month = timezone.localtime(now).date().replace(day=1)
    funds = ReserveFund.objects.visible_to(user)
    first = dict(funds.annotate(first=Min("entries__month")).filter(first__isnull=False).values_list("pk", "first"))
    signed = dict(MonthlySignOff.objects.filter(fund__in=funds, month__lt=this_month).values("fund_id")
                  .annotate(n=Count("pk")).values_list("fund_id", "n"))
    ended = sum((this_month.year - m.year) * 12 + this_month.month - m.month for m in first.values())
    return max(0, ended - sum(signed.values()))


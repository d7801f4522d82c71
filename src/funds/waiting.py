"""Payments waiting for a reserve fund, and telling their payers when money arrives.

A payment the fund cannot cover waits (the instalment is ``waiting_funds`` and its task
stays open). When money comes in (an allocation, a replenishment, a positive adjustment,
a reversed payment) the people holding those tasks are told which of them the new
balance covers. The engine does not pay them itself: a payment is made by a person, who
answers for it in the ledger and the audit trail, and the case may have changed while
it waited.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core import programs
from core.money import figures
from core.tasks import queue_after_commit
from regions.codes import Level, within


def paying_steps() -> Q:
    """Deadline rows of the steps that pay from the fund: those whose step table says they move money."""
    condition = Q(pk__in=[])
    for spec, step in programs.steps():
        if spec.is_program and step.moves_money:
            condition |= Q(flow=spec.code, step=step.name)
    return condition


def waiting_instalments(fund):
    """Instalments of the fund's township waiting for money, oldest application first."""
    from assistance.models import Instalment, InstalmentStatus

    return (Instalment.objects.filter(within("application__region_code", fund.township_id, Level.TOWNSHIP),
                                      status=InstalmentStatus.WAITING_FUNDS)
            .select_related("application__applicant").order_by("application_id", "number"))


def covered(instalments, balance: Decimal) -> list:
    """The waiting instalments the balance pays in full, in turn: the oldest first, each
    counted against what the ones before it take."""
    payable, left = [], balance
    for instalment in instalments:
        if instalment.amount <= left:
            payable.append(instalment)
            left -= instalment.amount
    return payable


def announce_after_commit(fund_id: int) -> None:
    """Queue the announcement once the money is committed (robust: a failure to queue
    never undoes the ledger entry)."""

    queue_after_commit("funds.announce_money", fund_id, robust=True)


def announce_money(fund_id: int) -> int:
    """Tell whoever holds the paying task of each covered waiting payment that it can be
    made now; returns the number of notifications. Each goes to the task's assignee, or
    to the holders of its role for the township when nobody has claimed it."""
    from django.conf import settings

    from deadlines.models import Deadline, DeadlineStatus
    from notifications import services as notifications
    from staff.directory import RoleDirectory

    from .models import ReserveFund

    fund = ReserveFund.objects.select_related("township").get(pk=fund_id)
    payable = covered(waiting_instalments(fund), fund.balance)
    if not payable:
        return 0
    tasks = {d.application_id: d for d in (
        Deadline.objects.filter(paying_steps(), application_id__in=[i.application_id for i in payable])
        .exclude(status=DeadlineStatus.CLOSED).select_related("assignee").order_by("due_at", "pk"))}
    unclaimed = [d for d in tasks.values() if d.assignee is None]
    directory = RoleDirectory({d.region_code for d in unclaimed}, {d.role for d in unclaimed})
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for instalment in payable:
            task = tasks.get(instalment.application_id)
            if task is None:
                continue  # its task was closed meanwhile (rejected, withdrawn): nothing to pay
            recipients = [task.assignee] if task.assignee else directory.holders(task.role, task.region_code)
            application = instalment.application
            rows += notifications.build(
                recipients, event="funds.fund.money_arrived",
                title=_("The reserve fund of %(township)s can now pay %(applicant)s (application %(id)s, "
                        "%(amount)s yuan)") % {
                    "township": fund.township.name, "applicant": application.applicant.name,
                    "id": application.pk, "amount": figures(instalment.amount)},
                body=_("Money arrived in the fund; its balance is now %(balance)s yuan. The payment was waiting "
                       "for it: make it from the task.") % {"balance": figures(fund.balance)},
                link=reverse("task_detail", args=[task.subject_id]))
    with transaction.atomic():
        notifications.send(rows)
    return len(rows)

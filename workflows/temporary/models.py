"""Temporary assistance's status machine, on its proxy of the shared case.

The shared case (assistance.Application) holds what every program's case has; its
``status`` is a protected django-fsm field without transitions of its own. This proxy
adds temporary assistance's statuses and transitions. They change only through the
program's step services (workflows/temporary/services.py), which check role, region
and separation of duties, lock the row and audit. No path — web, API, admin or shell —
can pay an unapproved case or approve a paid one.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from assistance.models import Application

# The program's code: Application.program, deadline rows and SLA policies store it.
CODE = "temporary"


class Status(models.TextChoices):
    INTAKE = "intake", _("Awaiting intake check")
    INCOMPLETE = "incomplete", _("Waiting for documents")
    URGENT_PAYMENT = "urgent_payment", _("Awaiting urgent payment")
    INVESTIGATION = "investigation", _("Under investigation")
    PAPERWORK = "paperwork", _("Paid first, completing paperwork")
    TOWNSHIP_REVIEW = "township_review", _("Township review")
    COUNTY_REVIEW = "county_review", _("County review")
    APPROVED = "approved", _("Approved, awaiting payment")
    PAYING = "paying", _("Being paid in instalments")
    PAID = "paid", _("Paid, to be filed with the county")
    FILED = "filed", _("Filed with the county (closed)")
    REJECTED = "rejected", _("Rejected")
    REFERRED_OUT = "referred_out", _("Referred to the relief station")


OPEN_STATUSES = frozenset({Status.INTAKE, Status.INCOMPLETE, Status.URGENT_PAYMENT, Status.INVESTIGATION,
                           Status.PAPERWORK, Status.TOWNSHIP_REVIEW, Status.COUNTY_REVIEW, Status.APPROVED,
                           Status.PAYING, Status.PAID})
DECIDED_STATUSES = frozenset({Status.APPROVED, Status.PAYING, Status.PAID, Status.FILED})
PAYABLE_STATUSES = frozenset({Status.APPROVED, Status.PAYING})


class TemporaryCase(Application):
    class Meta:
        proxy = True
        verbose_name = _("temporary-assistance case")
        verbose_name_plural = _("temporary-assistance cases")
        # The permissions of the flow's steps (steps.py names which step needs which);
        # the roles get them from the step table.
        permissions = [
            ("do_intake", _("Can take in applications and their documents")),
            ("investigate", _("Can investigate applications")),
            ("pay_first", _("Can pay urgent assistance before investigation")),
            ("township_approve", _("Can approve at the township")),
            ("county_approve", _("Can approve at the county")),
            ("disburse", _("Can record disbursements")),
            ("file_with_county", _("Can file approvals with the county")),
        ]

    def is_payable(self) -> bool:
        return self.status in PAYABLE_STATUSES

    # --- transitions: only this program's services call these ------------------------------------
    @transition(field="status", source=Status.INTAKE, target=Status.INVESTIGATION)
    def accept(self):
        pass

    @transition(field="status", source=Status.INTAKE, target=Status.URGENT_PAYMENT)
    def accept_urgent(self):
        pass

    @transition(field="status", source=Status.INTAKE, target=Status.INCOMPLETE)
    def mark_incomplete(self):
        pass

    @transition(field="status", source=Status.INCOMPLETE, target=Status.INTAKE)
    def documents_received(self):
        pass

    @transition(field="status", source=Status.INTAKE, target=Status.REFERRED_OUT)
    def refer_out(self):
        pass

    @transition(field="status", source=Status.URGENT_PAYMENT, target=Status.PAPERWORK)
    def paid_first(self):
        pass

    @transition(field="status", source=[Status.INVESTIGATION, Status.PAPERWORK], target=Status.TOWNSHIP_REVIEW)
    def investigated(self):
        pass

    @transition(field="status", source=Status.TOWNSHIP_REVIEW, target=Status.APPROVED)
    def township_approve(self):
        pass

    @transition(field="status", source=Status.TOWNSHIP_REVIEW, target=Status.COUNTY_REVIEW)
    def refer_to_county(self):
        pass

    @transition(field="status", source=Status.COUNTY_REVIEW, target=Status.APPROVED)
    def county_approve(self):
        pass

    @transition(field="status", source=[Status.TOWNSHIP_REVIEW, Status.COUNTY_REVIEW], target=Status.REJECTED)
    def reject(self):
        pass

    @transition(field="status", source=[Status.APPROVED, Status.PAYING], target=Status.PAYING)
    def pay_part(self):
        pass

    @transition(field="status", source=[Status.APPROVED, Status.PAYING], target=Status.PAID)
    def pay_rest(self):
        pass

    @transition(field="status", source=Status.PAID, target=Status.FILED)
    def file_with_county(self):
        pass

    @transition(field="status", source=[Status.PAID, Status.FILED], target=Status.PAYING)
    def payment_reversed(self):
        """Money paid out came back (payments.record_reversal): the case is being paid
        again, not paid."""

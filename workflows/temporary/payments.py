"""What the reversal of a payment does to a temporary-assistance case.

When a payout from the reserve fund fails or is cancelled, funds.services.reverse puts
the money back into the fund; the case must stop counting it in the same transaction,
or it reads "paid" for money the household never kept. ``record_reversal`` is that one
change: the instalment is no longer paid (planned again, so the next disbursement pays
it), the application's amount paid goes down by the amount, and a case that read paid
or filed is being paid again, with an open paying task (flows.reopen_payment: a paid
case's filing task is cancelled, a filed case's process opened again). The fund's service calls it through the program table
(``Program.payment_reversed``), having locked the case first; nothing else changes a
case's payments back.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from assistance.models import Instalment, InstalmentStatus
from audit import services as audit
from core.errors import Conflict

from .models import Status, TemporaryCase

# Statuses in which a paid instalment can be taken back. The approval's instalments
# (PAYING, PAID, FILED) and an urgent payment after the decision (APPROVED, PAYING, ...,
# or REJECTED, when the money is recovered from a case that was then refused).
REVERSIBLE = {Status.APPROVED, Status.PAYING, Status.PAID, Status.FILED, Status.REJECTED}


def record_reversal(actor, application_id: int, *, instalment_number: int, amount: Decimal, reason: str,
                    reversal_id: int | None = None, request=None) -> Instalment | None:
    """Take a reversed payment off the case (already locked by the caller, in the
    transaction that writes the reversal). Returns the instalment, or None when the case
    never counted the payment (a ledger payment not made through the case's payment step)."""
    application = TemporaryCase.objects.select_for_update(of=("self",)).get(pk=application_id)
    instalment = (Instalment.objects.select_for_update()
                  .filter(application=application, number=instalment_number).first())
    if instalment is None or instalment.status != InstalmentStatus.PAID:
        return None
    if application.status not in REVERSIBLE:
        # An urgent payment before the decision: the approval that follows counts it as
        # paid when it plans the rest, so paying it again then would pay it twice.
        raise Conflict(_("The urgent payment of application %(id)s was made before the application was decided: "
                         "it can be reversed once the application has been decided.") % {"id": application.pk})
    before = {"status": application.status, "amount_paid": application.amount_paid}
    instalment.status, instalment.paid_at, instalment.paid_by, instalment.source = (
        InstalmentStatus.PLANNED, None, None, "")
    instalment.note = (_("Payment reversed: %(reason)s") % {"reason": reason})[:200]
    instalment.save(update_fields=["status", "paid_at", "paid_by", "source", "note"])
    application.amount_paid -= amount
    if application.status in (Status.PAID, Status.FILED):
        application.payment_reversed()
    application.save(update_fields=["status", "amount_paid"])
    task = None
    if application.is_payable():
        # Paid again through the flow: a paid or filed case had no paying task left.
        from .flows import reopen_payment

        task = reopen_payment(application)
    audit.record("assistance.application.payment_reversed", actor=actor, obj=application,
                 region_code=application.region_code, before=before,
                 after={"status": application.status, "amount_paid": application.amount_paid}, reason=reason,
                 extra={"instalment": instalment_number, "amount": amount, "reversal": reversal_id,
                        "paying_task": task.pk if task is not None else None}, request=request)
    return instalment

"""Thin tasks: load by id, call a service."""

from __future__ import annotations

from decimal import Decimal

from celery import shared_task


@shared_task(name="funds.request_replenishment", ignore_result=True)
def request_replenishment(fund_id: int, origin: str, needed: str | None = None) -> int | None:
    """Queued after the commit of a payment that left the fund low or could not be covered."""
    from . import services

    replenishment = services.ensure_replenishment(fund_id, origin=origin,
                                                  needed=Decimal(needed) if needed is not None else None)
    return replenishment.pk if replenishment else None


@shared_task(name="funds.announce_money", ignore_result=True)
def announce_money(fund_id: int) -> int:
    """Queued after money came into a fund: tell the payers of the waiting payments it covers."""
    from . import waiting

    return waiting.announce_money(fund_id)


@shared_task(name="funds.check_balances", ignore_result=False)
def check_balances() -> int:
    """Recompute every fund's balance from its ledger; each difference is logged and
    audited. Returns how many funds disagree (0 is the only good answer)."""
    from . import services
    from .models import ReserveFund
    from .statements import check_fund

    bad = 0
    for fund in ReserveFund.objects.order_by("pk").iterator():
        check = check_fund(fund)
        if not check.ok:
            services.record_discrepancy(fund, check)
            bad += 1
    return bad

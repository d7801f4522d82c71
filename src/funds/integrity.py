"""The reserve funds' part of core.integrity: every fund's balance against its ledger
(its sum and each entry's running balance), and every signed-off month's figures
against the ledger entries of that month as they stand."""

from __future__ import annotations

from core.integrity import Report

from .models import MonthlySignOff, ReserveFund
from .statements import build_statement, check_fund

SIGNED_FIGURES = ("opening", "allocations", "disbursements", "reversals", "adjustments", "closing")


def ledgers(report: Report) -> None:
    funds = entries = 0
    for fund in ReserveFund.objects.order_by("pk"):
        check = check_fund(fund)
        funds, entries = funds + 1, entries + check.entries
        if not check.ok:
            report.problems.append(
                f"reserve fund {fund.pk}: balance {check.balance}, ledger sum {check.ledger_sum}, last running "
                f"balance {check.last_balance_after}, {len(check.breaks)} break(s) in the running balance")
    signed = 0
    for sign_off in MonthlySignOff.objects.select_related("fund").defer("statement_pdf").order_by("pk"):
        signed += 1
        statement = build_statement(sign_off.fund, sign_off.month)
        differ = [name for name in SIGNED_FIGURES if getattr(statement, name) != getattr(sign_off, name)]
        if len(statement.entries) != sign_off.entry_count:
            differ.append("entry_count")
        if differ:
            report.problems.append(f"reserve fund {sign_off.fund_id}, signed month {sign_off.month:%Y-%m}: "
                                   f"{', '.join(differ)} differ from the ledger")
    report.checked["reserve funds"] = funds
    report.checked["ledger entries"] = entries
    report.checked["signed-off months"] = signed

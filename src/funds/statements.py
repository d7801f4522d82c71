"""Monthly reconciliation: the statement of one fund for one month, as data, PDF
and Excel, and the check that recomputes a fund's balance from its ledger.

    opening + allocations − disbursements + reversals ± adjustments = closing

The opening balance is the balance after the last entry of an earlier month, the
closing balance the balance after the month's last entry; both come from the
ledger's own running balance, so a statement that does not add up shows a ledger
that was tampered with or written outside the services.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.money import figures

from .models import ZERO, EntryKind, LedgerEntry, MonthlySignOff, ReserveFund

# The months a statement may be asked for: its page and files read the months either side,
# which 0001-01 and 9999-12 do not have (a 500).
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_month(value: str) -> datetime.date | None:
    """'2026-03' → 2026-03-01, or None (also for a month outside FIRST_YEAR–LAST_YEAR)."""
    try:
        year, month = value.split("-")
        if len(year) != 4 or len(month) != 2 or not FIRST_YEAR <= int(year) <= LAST_YEAR:
            return None
        return datetime.date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        return None


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass
class Statement:
    fund: ReserveFund
    month: datetime.date
    opening: Decimal
    closing: Decimal
    entries: list[LedgerEntry]
    allocations: Decimal = ZERO
    disbursements: Decimal = ZERO
    reversals: Decimal = ZERO
    adjustments_in: Decimal = ZERO
    adjustments_out: Decimal = ZERO
    sign_off: MonthlySignOff | None = None

    @property
    def adjustments(self) -> Decimal:
        return self.adjustments_in - self.adjustments_out

    @property
    def computed_closing(self) -> Decimal:
        return self.opening + self.allocations - self.disbursements + self.reversals + self.adjustments

    @property
    def difference(self) -> Decimal:
        return self.closing - self.computed_closing

    @property
    def balances(self) -> bool:
        return self.difference == 0

    @property
    def label(self) -> str:
        return formats.date_format(self.month, "YEAR_MONTH_FORMAT")

    @property
    def slug(self) -> str:
        return f"{self.month:%Y-%m}"

    def filename(self, extension: str) -> str:
        return f"reserve-fund-{self.fund.township_id}-{self.slug}.{extension}"

    def summary(self) -> list[tuple[str, str, Decimal]]:
        """(key, label, amount) rows, in the order of the reconciliation formula."""
        return [
            ("opening", _("Opening balance"), self.opening),
            ("allocations", _("Allocations (+)"), self.allocations),
            ("disbursements", _("Disbursements (−)"), self.disbursements),
            ("reversals", _("Reversals (+)"), self.reversals),
            ("adjustments", _("Adjustments (±)"), self.adjustments),
            ("closing", _("Closing balance"), self.closing),
        ]


def build_statement(fund: ReserveFund, month: datetime.date) -> Statement:
    month = month.replace(day=1)
    opening = (fund.entries.filter(month__lt=month).order_by("-id").values_list("balance_after", flat=True).first()
               or ZERO)
    entries = list(fund.entries.filter(month=month).select_related("actor", "application", "reverses")
                   .order_by("id"))
    statement = Statement(fund=fund, month=month, opening=opening,
                          closing=entries[-1].balance_after if entries else opening, entries=entries,
                          sign_off=MonthlySignOff.objects.filter(fund=fund, month=month).defer("statement_pdf").first())
    for entry in entries:
        if entry.kind == EntryKind.ALLOCATION:
            statement.allocations += entry.amount
        elif entry.kind == EntryKind.DISBURSEMENT:
            statement.disbursements += entry.amount
        elif entry.kind == EntryKind.REVERSAL:
            statement.reversals += entry.amount
        elif entry.direction > 0:
            statement.adjustments_in += entry.amount
        else:
            statement.adjustments_out += entry.amount
    return statement


def months_of(fund: ReserveFund) -> list[datetime.date]:
    """Every month from the fund's first entry to this month, newest first."""
    first = fund.entries.order_by("id").values_list("month", flat=True).first()
    current = timezone.localdate().replace(day=1)
    if first is None:
        return [current]
    months, month = [], current
    while month >= first:
        months.append(month)
        month = add_months(month, -1)
    return months


# --- the check ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    expected: Decimal
    recorded: Decimal


@dataclass
class FundCheck:
    balance: Decimal
    ledger_sum: Decimal
    last_balance_after: Decimal
    entries: int
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def difference(self) -> Decimal:
        return self.balance - self.ledger_sum

    @property
    def ok(self) -> bool:
        return self.difference == 0 and self.last_balance_after == self.balance and not self.breaks


def check_fund(fund: ReserveFund) -> FundCheck:
    """Recompute the balance from the ledger and compare it with the fund's balance
    and with every entry's recorded running balance."""
    balance = ReserveFund.objects.filter(pk=fund.pk).values_list("balance", flat=True).get()
    total, previous, count, breaks = ZERO, ZERO, 0, []
    rows = (LedgerEntry.objects.filter(fund_id=fund.pk).order_by("id")
            .values_list("pk", "direction", "amount", "balance_after"))
    for pk, direction, amount, balance_after in rows.iterator(chunk_size=2000):
        change = amount * direction
        total += change
        if previous + change != balance_after:
            breaks.append(ChainBreak(pk, previous + change, balance_after))
        previous, count = balance_after, count + 1
    return FundCheck(balance=balance, ledger_sum=total, last_balance_after=previous, entries=count, breaks=breaks)


# --- documents ----------------------------------------------------------------------------------

def statement_pdf(statement: Statement) -> bytes:
    from weasyprint import HTML

    html = render_to_string("funds/statement_pdf.html", {"s": statement, "generated_at": timezone.now()})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def statement_xlsx(statement: Statement) -> bytes:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from exports.xlsx import PrivateWorkbook

    workbook = PrivateWorkbook()  # its sheet streams into the private folder, not the system's
    sheet = workbook.create_sheet(_("Statement"))
    for column, width in zip("ABCDEFGHIJ", (10, 20, 22, 14, 14, 16, 12, 10, 36, 16), strict=True):
        sheet.column_dimensions[column].width = width
    bold = Font(bold=True)

    def text(value, *, strong=False):
        # Typed as text: a reference such as "=HYPERLINK(...)" stays text, not a formula.
        cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
        cell.data_type = "s"
        if strong:
            cell.font = bold
        return cell

    def amount(value, *, strong=False):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "#,##0.00"
        if strong:
            cell.font = bold
        return cell

    fund = statement.fund
    sheet.append([text(_("Reserve fund statement"), strong=True)])
    sheet.append([text(_("Township")), text(f"{fund.township.name} ({fund.township_id})")])
    sheet.append([text(_("Month")), text(statement.slug)])
    sheet.append([text(_("Generated at")), text(f"{timezone.localtime():%Y-%m-%d %H:%M}")])
    if statement.sign_off:
        sheet.append([text(_("Signed off by")), text(statement.sign_off.signed_by.get_username()),
                      text(f"{timezone.localtime(statement.sign_off.signed_at):%Y-%m-%d %H:%M}")])
    sheet.append([])
    for key, label, value in statement.summary():
        sheet.append([text(label, strong=key in ("opening", "closing")), amount(value, strong=key == "closing")])
    sheet.append([text(_("Check")),
                  text(_("Balances") if statement.balances else _("Difference %(amount)s") % {
                      "amount": figures(statement.difference)})])
    sheet.append([])
    sheet.append([text(h, strong=True) for h in (
        _("No."), _("Date and time"), _("Kind"), _("In"), _("Out"), _("Balance after"), _("Application"),
        _("Instalment"), _("Reference / reason"), _("Recorded by"))])
    for entry in statement.entries:
        sheet.append([
            entry.pk,
            text(f"{timezone.localtime(entry.at):%Y-%m-%d %H:%M}"),
            text(entry.get_kind_display()),
            amount(entry.amount if entry.direction > 0 else None),
            amount(entry.amount if entry.direction < 0 else None),
            amount(entry.balance_after),
            entry.application_id,
            entry.instalment_number,
            text(" · ".join(x for x in (entry.reference, entry.reason,
                                        _("reverses no. %(n)s") % {"n": entry.reverses_id} if entry.reverses_id
                                        else "") if x)),
            text(entry.actor.get_username() if entry.actor else _("system")),
        ])
    sheet.append([text(_("Entries")), len(statement.entries)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

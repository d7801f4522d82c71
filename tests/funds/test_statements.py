"""Monthly reconciliation: statements that balance, as PDF and Excel (parsed back),
the ledger check, and sign-off with its month lock."""

from __future__ import annotations

import datetime
import re
import subprocess
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import DatabaseError, transaction
from django.utils import timezone, translation

from audit.models import AuditEvent
from core.errors import Conflict, NotPermitted
from funds import services
from funds.models import EntryKind, LedgerEntry, MonthlySignOff, ReserveFund
from funds.statements import build_statement, check_fund, statement_pdf, statement_xlsx
from funds.tasks import check_balances
from tests.conftest import TOWNSHIP_A

from .conftest import open_fund

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _messages_in_english():
    # The assertions read the English source of the services' messages (Chinese is the default).
    from django.utils import translation

    with translation.override("en"):
        yield

SHANGHAI = ZoneInfo("Asia/Shanghai")
JAN, FEB, MAR = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)


def at(month: datetime.date, day: int, hour: int = 10):
    return time_machine.travel(datetime.datetime(month.year, month.month, day, hour, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def history(root, alice, fiona, approved):
    """January: 1,000 allocated, three payouts. February: one January payout reversed,
    an allocation, two payouts, two adjustments. Returns the fund and February's entries."""
    with at(JAN, 5):
        fund = open_fund(TOWNSHIP_A, "1000.00", by=root)
    payouts = []
    for day, amount in ((10, "120.50"), (15, "300.00"), (31, "79.50")):
        with at(JAN, day, 23):  # 23:00 on 31 January in Shanghai is still January
            application, instalment = approved(amount)
            payouts.append(services.disburse(alice, application=application, instalment=instalment))
    with at(FEB, 1, 0):
        services.reverse(fiona, payouts[1], "bank account closed")
    with at(FEB, 3):
        services.allocate(fiona, fund, "2000.00", "=HYPERLINK(\"x\") voucher 7")
    with at(FEB, 10):
        for amount in ("450.00", "1234.56"):
            application, instalment = approved(amount)
            services.disburse(alice, application=application, instalment=instalment)
    with at(FEB, 20):
        services.adjust(fiona, fund, "-0.44", "bank charge")
        services.adjust(fiona, fund, "10.00", "interest")
    return ReserveFund.objects.select_related("township").get(pk=fund.pk)


def test_the_statement_balances(history):
    january = build_statement(history, JAN)
    assert (january.opening, january.allocations, january.disbursements) == (Decimal("0"), Decimal("1000.00"),
                                                                             Decimal("500.00"))
    assert january.closing == Decimal("500.00") and january.balances and len(january.entries) == 4

    february = build_statement(history, FEB)
    assert february.opening == Decimal("500.00")
    assert february.allocations == Decimal("2000.00")
    assert february.disbursements == Decimal("1684.56")
    assert february.reversals == Decimal("300.00")
    assert february.adjustments == Decimal("9.56")
    assert february.closing == Decimal("1125.00") == history.balance
    assert february.balances and len(february.entries) == 6

    march = build_statement(history, MAR)
    assert march.opening == march.closing == Decimal("1125.00") and march.entries == [] and march.balances


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def test_the_pdf_statement_balances_when_parsed(history):
    statement = build_statement(history, FEB)
    with translation.override("en"):
        pdf = statement_pdf(statement)
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    text = text.decode()

    def summary(label):
        match = re.search(rf"{re.escape(label)}\s+(-?[\d,]+\.\d\d)", text)
        assert match, label
        return _amount(match.group(1))

    opening, closing = summary("Opening balance"), summary("Closing balance")
    allocations, disbursements = summary("Allocations (+)"), summary("Disbursements (−)")
    reversals, adjustments = summary("Reversals (+)"), summary("Adjustments (±)")
    assert opening + allocations - disbursements + reversals + adjustments == closing
    assert (opening, closing) == (Decimal("500.00"), Decimal("1125.00"))
    assert "The statement balances" in text

    # Every entry listed, and their changes add up to the month's movement.
    rows = re.findall(r"^\s*(\d+)\s+2026-02-\d\d \d\d:\d\d\s+.*?([+-][\d,]+\.\d\d)\s+([\d,]+\.\d\d)", text, re.M)
    assert sorted(int(pk) for pk, _c, _b in rows) == sorted(e.pk for e in statement.entries)
    assert sum(_amount(change) for _pk, change, _b in rows) == closing - opening
    assert "济阳街道" in text  # the township's name in Chinese: the CJK font is embedded


def test_the_excel_statement_balances_when_parsed(history):
    from openpyxl import load_workbook

    statement = build_statement(history, FEB)
    with translation.override("en"):
        content = statement_xlsx(statement)
    sheet = load_workbook(BytesIO(content)).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    labels = {row[0]: row[1] for row in rows if row and isinstance(row[0], str) and len(row) > 1}

    def value(label):
        return Decimal(str(labels[label])).quantize(Decimal("0.01"))

    opening, closing = value("Opening balance"), value("Closing balance")
    assert opening + value("Allocations (+)") - value("Disbursements (−)") + value("Reversals (+)") + value(
        "Adjustments (±)") == closing == Decimal("1125.00")
    assert labels["Check"] == "Balances"

    header = next(i for i, row in enumerate(rows) if row[0] == "No.")
    entries = [row for row in rows[header + 1:] if isinstance(row[0], int)]
    assert [row[0] for row in entries] == [e.pk for e in statement.entries]
    money = lambda v: Decimal(str(v or 0)).quantize(Decimal("0.01"))  # noqa: E731
    assert sum(money(row[3]) - money(row[4]) for row in entries) == closing - opening
    assert money(entries[-1][5]) == closing
    # User text stays text: no formula sneaks in through a reference.
    assert any(isinstance(row[8], str) and row[8].startswith("=HYPERLINK") for row in entries)
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_the_check_finds_a_tampered_balance(history):
    assert check_fund(history).ok and check_balances() == 0
    ReserveFund.objects.filter(pk=history.pk).update(balance=Decimal("1124.99"))
    check = check_fund(history)
    assert not check.ok and check.difference == Decimal("-0.01")
    assert check_balances() == 1
    assert AuditEvent.objects.filter(event="funds.fund.discrepancy").count() == 1


def test_the_check_finds_a_broken_chain(history):
    entry = LedgerEntry.objects.filter(fund=history).order_by("id").first()
    with transaction.atomic():  # an entry slipped in outside the services
        LedgerEntry.objects.create(fund=history, kind=EntryKind.ALLOCATION, direction=1, amount=Decimal("5.00"),
                                   balance_after=Decimal("99.00"), at=entry.at, month=MAR)
    check = check_fund(history)
    assert not check.ok and len(check.breaks) == 1 and check.breaks[0].expected == Decimal("1130.00")


def test_county_finance_signs_months_off_in_order(history, fiona):
    with at(MAR, 2):
        with pytest.raises(Conflict, match="first"):
            services.sign_off_month(fiona, history, FEB)
        january = services.sign_off_month(fiona, history, JAN, note="checked with bank statement")
        assert (january.opening, january.closing, january.entry_count) == (Decimal("0"), Decimal("500.00"), 4)
        with pytest.raises(Conflict, match="already"):
            services.sign_off_month(fiona, history, JAN)
        february = services.sign_off_month(fiona, history, FEB)
        assert february.closing == Decimal("1125.00")
        with pytest.raises(Conflict, match="not ended"):
            services.sign_off_month(fiona, history, MAR)
    assert AuditEvent.objects.filter(event="funds.month.signed_off").count() == 2
    assert build_statement(history, JAN).sign_off == january


@pytest.mark.parametrize("user", ["hana", "alice", "sam", "fred"])
def test_only_county_finance_of_the_county_signs_off(request, history, user):
    with at(MAR, 2), pytest.raises(NotPermitted):
        services.sign_off_month(request.getfixturevalue(user), history, JAN)
    assert not MonthlySignOff.objects.exists()


def test_a_month_that_does_not_reconcile_cannot_be_signed_off(history, fiona):
    ReserveFund.objects.filter(pk=history.pk).update(balance=Decimal("1000.00"))
    with at(MAR, 2), pytest.raises(Conflict, match="does not agree"):
        services.sign_off_month(fiona, history, JAN)


def test_a_signed_off_month_is_locked(history, fiona, alice):
    with at(MAR, 2):
        services.sign_off_month(fiona, history, JAN)
    with at(JAN, 31, 12), pytest.raises(Conflict, match="signed off"):
        services.allocate(fiona, history, "1.00", "backdated")
    with pytest.raises(DatabaseError), transaction.atomic():  # also against any client
        LedgerEntry.objects.create(fund=history, kind=EntryKind.ALLOCATION, direction=1, amount=Decimal("1.00"),
                                   balance_after=Decimal("1126.00"), at=timezone.now(), month=JAN)
    sign_off = MonthlySignOff.objects.get()
    from funds.models import AppendOnlyError

    with pytest.raises(AppendOnlyError):
        sign_off.save()
    with pytest.raises(DatabaseError), transaction.atomic(), __import__("django.db").db.connection.cursor() as c:
        c.execute("UPDATE funds_monthlysignoff SET closing = 0")

    # A January payout reversed after sign-off goes into the current month.
    payout = LedgerEntry.objects.filter(kind=EntryKind.DISBURSEMENT, month=JAN).order_by("id").first()
    with at(MAR, 3):
        reversal = services.reverse(fiona, payout, "returned by the bank")
    assert reversal.month == MAR
    assert build_statement(history, JAN).closing == Decimal("500.00")  # unchanged
    assert build_statement(history, MAR).reversals == payout.amount


def test_a_signed_off_month_keeps_its_statement_as_signed(history, fiona, client):
    """The PDF signed off is stored with its SHA-256 and answered ever after, byte for byte,
    even when rendering again would differ (here: the township renamed)."""
    import hashlib

    from regions.models import Region

    with at(MAR, 2):
        sign_off = services.sign_off_month(fiona, history, JAN, note="checked with bank statement")
    stored = bytes(MonthlySignOff.objects.get(pk=sign_off.pk).statement_pdf)
    assert stored.startswith(b"%PDF") and hashlib.sha256(stored).hexdigest() == sign_off.statement_sha256
    event = AuditEvent.objects.get(event="funds.month.signed_off")
    assert event.after["statement_sha256"] == sign_off.statement_sha256
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=stored, capture_output=True, check=True).stdout
    text = text.decode()
    # In Chinese whatever the signer's language, naming the signer and the time of signing.
    assert "已于2026-03-02 10:00签核" in text and fiona.display_name in text and "济阳街道" in text

    Region.objects.filter(code=TOWNSHIP_A).update(name="济阳街道（已撤并）")
    client.force_login(fiona)
    signed = client.get(f"/funds/{history.pk}/statements/2026-01.pdf")
    assert signed.status_code == 200 and signed.content == stored
    page = client.get(f"/funds/{history.pk}/statements/2026-01/").content.decode()
    assert sign_off.statement_sha256 in page
    unsigned = client.get(f"/funds/{history.pk}/statements/2026-02.pdf")  # rendered now, with the new name
    assert unsigned.status_code == 200 and unsigned.content != stored
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=unsigned.content, capture_output=True,
                          check=True).stdout.decode()
    assert "已撤并" in text

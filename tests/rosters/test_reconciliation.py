"""The bank's results: all or nothing, never paid twice, a failed payment issued again once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import TestCase

from audit.models import AuditEvent
from core.errors import Conflict, NotPermitted
from workflows.rosters import services
from workflows.rosters.models import BankResultImport, ImportStatus, LineStatus, Roster, RosterStatus

from .conftest import COUNTY, MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked(fiona, in_payment):
    with TestCase.captureOnCommitCallbacks(execute=True):
        roster, _ = services.request_roster(fiona, county=COUNTY, program="dibao", month=MONTH)
    return services.lock(fiona, Roster.objects.get(pk=roster.pk))


def csv_of(rows, header="line,status,bank_reference,reason"):
    return ("\n".join([header, *(",".join(map(str, r)) for r in rows)]) + "\n").encode()


def statuses(roster):
    return dict(roster.lines.values_list("pk", "status"))


def test_a_file_with_one_bad_row_applies_nothing_and_names_the_row(fiona, locked):
    lines = list(locked.lines.order_by("pk"))
    rows = [(line.pk, "paid", f"BK{line.pk}", "") for line in lines]
    rows[4] = (lines[4].pk, "paid", "", "")  # no bank reference
    rows.append((999999, "paid", "BKX", ""))  # not on this roster
    before = statuses(locked)
    report = services.import_results(fiona, locked, csv_of(rows), file_name="results.csv")
    assert report.status == ImportStatus.REJECTED
    assert [e["row"] for e in report.errors] == [6, 12]
    assert statuses(locked) == before
    assert set(before.values()) == {LineStatus.PENDING}


def test_a_good_file_marks_each_line_and_a_repeat_changes_nothing(fiona, locked):
    lines = list(locked.lines.order_by("pk"))
    rows = [(line.pk, "paid", f"BK{line.pk}", "") for line in lines[:8]]
    rows += [(line.pk, "failed", "", "账户已销户") for line in lines[8:]]
    report = services.import_results(fiona, locked, csv_of(rows))
    assert (report.status, report.paid, report.failed) == (ImportStatus.APPLIED, 8, 2)
    again = services.import_results(fiona, locked, csv_of(rows))
    assert (again.status, again.paid, again.failed, again.unchanged) == (ImportStatus.APPLIED, 0, 0, 10)
    # A paid line is never failed afterwards, and never paid under another reference.
    flip = services.import_results(fiona, locked, csv_of([(lines[0].pk, "failed", "", "退票")]))
    other = services.import_results(fiona, locked, csv_of([(lines[1].pk, "paid", "BK-OTHER", "")]))
    assert flip.status == other.status == ImportStatus.REJECTED
    assert locked.lines.filter(status=LineStatus.PAID).count() == 8


def test_a_failed_payment_is_issued_again_exactly_once(fiona, alice, locked):
    line = locked.lines.order_by("pk").first()
    services.import_results(fiona, locked, csv_of([(line.pk, "failed", "", "户名与账号不符")]))
    with pytest.raises(Conflict):  # the account is not corrected yet
        services.reissue(fiona, line.pk)
    services.set_account(alice, line.application, holder=line.payee, bank_name="中国邮政储蓄银行",
                         account_number="6210984630001234567")
    reissued = services.reissue(fiona, line.pk)
    assert (reissued.status, reissued.attempt) == (LineStatus.PENDING, 2)
    with pytest.raises(Conflict):  # issued again already: pending, not failed
        services.reissue(fiona, line.pk)
    rows = list(services.bank_rows(Roster.objects.get(pk=locked.pk)))
    assert [r[1] for r in rows if r[0] == line.pk] == [f"{locked.pk}-{line.pk}-2"]
    # The bank's late result for the first attempt is refused; the second attempt's is applied.
    stale = services.import_results(fiona, locked, csv_of([(line.pk, "paid", "BK1", "", 1)],
                                                          header="line,status,bank_reference,reason,attempt"))
    assert stale.status == ImportStatus.REJECTED
    ok = services.import_results(fiona, locked, csv_of([(line.pk, "paid", "BK2", "", 2)],
                                                       header="line,status,bank_reference,reason,attempt"))
    assert (ok.status, ok.paid) == (ImportStatus.APPLIED, 1)
    with pytest.raises(Conflict):
        services.reissue(fiona, line.pk)
    line.refresh_from_db()
    assert (line.status, line.attempt, line.bank_reference) == (LineStatus.PAID, 2, "BK2")
    assert AuditEvent.objects.filter(event="rosters.line.reissued").count() == 1


def test_results_need_a_locked_roster_and_county_finance(fiona, alice, in_payment):
    with TestCase.captureOnCommitCallbacks(execute=True):
        roster, _ = services.request_roster(fiona, county=COUNTY, program="dibao", month=MONTH)
    roster = Roster.objects.get(pk=roster.pk)
    assert roster.status == RosterStatus.DRAFT
    with pytest.raises(Conflict):
        services.import_results(fiona, roster, csv_of([]))
    with pytest.raises(Conflict):
        list(services.bank_rows(roster))
    with pytest.raises(NotPermitted):
        services.import_results(alice, roster, csv_of([]))


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary", b"status,reference\npaid,x\n",
                                     "line,status\n１,paid\n".encode("utf-16")])
def test_unreadable_files_are_rejected_with_a_report(fiona, locked, content):
    report = services.import_results(fiona, locked, content)
    assert report.status == ImportStatus.REJECTED and report.errors
    assert set(statuses(locked).values()) == {LineStatus.PENDING}
    assert BankResultImport.objects.filter(roster=locked, status=ImportStatus.APPLIED).count() == 0


def test_the_bank_file_has_every_line_to_pay_once(fiona, locked):
    text = "".join(services.bank_csv(Roster.objects.get(pk=locked.pk)))
    lines = text.lstrip("\ufeff").strip().splitlines()
    assert lines[0].split(",") == list(services.BANK_FILE_HEADER)
    assert len(lines) == 11
    assert sum(Decimal(line.split(",")[5]) for line in lines[1:]) == locked.total

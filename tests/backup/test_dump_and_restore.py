"""The backup procedure of docs/deploy.md, on PostgreSQL: the database holding paid and
reversed cases, allocations, a signed-off month with its statement PDF, case documents,
a proactive notice, a payment roster and their audit trail is dumped with ``pg_dump
-Fc`` and restored with ``pg_restore`` into a new database. Pointed at the copy, Django
reads the same rows (counts and contents of every table below), ``manage.py
verify_integrity`` finds every fund's balance equal to its ledger, every signed month
equal to its entries, every stored SHA-256 equal to its bytes and the append-only
triggers there and firing; and it does notice a copy that was tampered with."""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from assistance.models import Application
from core import integrity
from documents.models import Document
from funds import services as funds
from funds.models import LedgerEntry, ReserveFund
from registry.models import Household
from tests.assistance.conftest import do
from tests.assistance.test_paths_with_payment import investigated
from tests.backup.fingerprint import fingerprint
from tests.conftest import TOWNSHIP_A, VILLAGE_A2, register_households
from tests.faults.processes import ROOT, engine_env
from tests.funds.conftest import open_fund
from tests.means.conftest import family, income, person, standards  # noqa: F401
from tests.rosters.conftest import COUNTY, MONTH, enrolled
from workflows.enrolment.proactive import issue_proactive_notice
from workflows.rosters import services as rosters

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
SIGNED_MONTH = datetime.date(2026, 11, 1)


def build_history(alice, amy, hana, fiona, root, time_machine):
    """A month of a township's reserve fund, signed off; a case paid this month; a
    proactive notice and a payment roster."""
    from deadlines.calendar_admin import load_year

    load_year(2025)
    load_year(2026)
    now = timezone.now()
    time_machine.move_to(datetime.datetime(2026, 11, 16, 10, tzinfo=SHANGHAI), tick=True)
    fund = open_fund(TOWNSHIP_A, "5000.00", by=root)
    register_households(alice, 2, village=VILLAGE_A2)
    first, second = Household.objects.order_by("pk")[:2]
    for household, amount in ((first, "1200.00"), (second, "800.00")):
        case = investigated(alice, household, amount_requested=amount)
        do(hana, case, "township_approve", decision="approve", amount_approved=amount, reason="符合条件")
        do(alice, case, "disburse")  # its voucher PDF is rendered when the payment commits
    returned = LedgerEntry.objects.get(application__household=second, kind="disbursement")
    funds.reverse(fiona, returned, "银行退回：账户已销户")
    funds.allocate(fiona, fund, "3000.00", "任财预〔2026〕18号")
    time_machine.move_to(now, tick=True)
    funds.sign_off_month(fiona, fund, SIGNED_MONTH, note="与银行对账单一致")
    do(alice, Application.objects.get(household=second), "disburse")  # paid again, in December

    poor, people = family(alice, [person("孙守田", "1951-04-02", "head"),
                                  person("李桂英", "1953-09-17", "spouse", female=True)],
                          village=VILLAGE_A2, registration="rural", address="西关村3组12号")
    for member in people.values():
        income(alice, poor, member, "pension", "300.00", "2024-01-01")
    issue_proactive_notice(alice, poor)

    earlier = set(Household.objects.values_list("pk", flat=True))
    register_households(alice, 3, village=VILLAGE_A2, start=10)
    for i, household in enumerate(Household.objects.exclude(pk__in=earlier).order_by("pk")):
        enrolled(household, f"{700 + 10 * i}.00", by=alice)
    rosters.request_roster(fiona, county=COUNTY, program="dibao", month=MONTH)  # generated after commit


def pg_env() -> dict[str, str]:
    db = connection.settings_dict
    return {**os.environ, "PGHOST": db["HOST"] or "127.0.0.1", "PGPORT": str(db["PORT"] or 5432),
            "PGUSER": db["USER"] or "postgres", "PGPASSWORD": db["PASSWORD"] or ""}


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=kwargs.pop("env", pg_env()), capture_output=True, text=True, timeout=300,
                          **kwargs)


@contextmanager
def restored_database(dump):
    """A new database restored from ``dump``; dropped afterwards."""
    name = connection.settings_dict["NAME"].removeprefix("test_") + "_restored"
    run(["dropdb", "--if-exists", name])
    assert run(["createdb", name]).returncode == 0
    try:
        restore = run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", name, str(dump)])
        assert restore.returncode == 0, restore.stderr
        yield name
    finally:
        run(["dropdb", "--if-exists", name])


def on(database: str, tmp_path) -> dict[str, str]:
    """The environment of the engine's processes (production settings) pointed at ``database``."""
    db = connection.settings_dict
    env = engine_env(tmp_path)
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database}"
    return env


def psql(database: str, statement: str) -> subprocess.CompletedProcess:
    return run(["psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "--dbname", database, "--command", statement])


def verify_integrity(database: str, tmp_path) -> subprocess.CompletedProcess:
    """``manage.py verify_integrity`` as an operator runs it after a restore."""
    return run([sys.executable, "manage.py", "verify_integrity"], env=on(database, tmp_path), cwd=ROOT)


def checked(output: str) -> dict[str, int]:
    # "checked X: n", in the site's language (a command speaks LANGUAGE_CODE).
    return {name: int(count) for name, count in re.findall(r"^(?:checked|已核对) (.+?)[:：] ?(\d+)$", output, re.MULTILINE)}


def test_a_dump_restored_into_a_new_database_is_whole(alice, amy, hana, fiona, root, standards,  # noqa: F811
                                                       time_machine, tmp_path):
    build_history(alice, amy, hana, fiona, root, time_machine)
    source = fingerprint()
    assert source["funds.LedgerEntry"][0] == 6 and source["funds.MonthlySignOff"][0] == 1
    assert source["documents.Document"][0] >= 3 and source["enrolment.ProactiveNotice"][0] == 1
    assert source["rosters.RosterLine"][0] == 3
    report = integrity.run()
    assert report.ok, report.problems
    fund = ReserveFund.objects.get()
    assert fund.balance == Decimal("5000.00") - 1200 - 800 + 800 + 3000 - 800

    dump = tmp_path / "engine.dump"
    backup = run(["pg_dump", "--format=custom", "--file", str(dump), connection.settings_dict["NAME"]])
    assert backup.returncode == 0, backup.stderr

    with restored_database(dump) as name:
        # Django, pointed at the copy, reads the same rows.
        copy = run([sys.executable, "-m", "tests.backup.fingerprint"], env=on(name, tmp_path), cwd=ROOT)
        assert copy.returncode == 0, copy.stderr
        assert json.loads(copy.stdout) == source
        # The append-only triggers came back with the rows, and refuse changes there.
        for table in ("audit_auditevent", "funds_ledgerentry", "funds_monthlysignoff"):
            for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):  # noqa: S608 - fixed names
                refused = psql(name, statement)
                assert refused.returncode != 0 and "append-only" in refused.stderr, (statement, refused.stderr)
        # The operator's check after a restore: everything agrees.
        result = verify_integrity(name, tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        counts = checked(result.stdout)
        assert counts["documents.Document.sha256"] == source["documents.Document"][0]
        assert counts["enrolment.ProactiveNotice.sha256"] == 1
        assert counts["funds.MonthlySignOff.statement_sha256"] == 1
        assert counts["ledger entries"] == 6 and counts["reserve funds"] == 1 and counts["signed-off months"] == 1
        assert counts["append-only tables"] == 3 and counts["payment rosters"] == 1

        # And it does notice a copy that is not whole: a balance moved, a trigger
        # disabled, a document's bytes that are not the ones its hash was taken of.
        document = Document.objects.order_by("pk").first()
        for statement in ("UPDATE funds_reservefund SET balance = balance + 1",
                          "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_no_change",
                          f"UPDATE documents_document SET content = 'other bytes' WHERE id = {document.pk}"):  # noqa: S608
            assert psql(name, statement).returncode == 0
        result = verify_integrity(name, tmp_path)
        assert result.returncode == 1
        assert f"reserve fund {fund.pk}: balance {fund.balance + 1}" in result.stderr
        assert "audit_auditevent: no trigger refuses UPDATE" in result.stderr
        assert f"documents.Document {document.pk}: sha256 {document.sha256}" in result.stderr

"""``manage.py verify_integrity`` (core.integrity) on both databases: a reserve fund's
balance against its ledger, stored documents against their SHA-256, the append-only
tables' triggers; it changes nothing and names what disagrees. The restore test
(tests/backup/) runs it on a restored PostgreSQL copy."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEvent
from core import integrity
from documents import services as documents
from documents.models import Document, DocumentKind
from funds.models import LedgerEntry, ReserveFund
from tests.conftest import TOWNSHIP_A
from tests.documents.conftest import make_application, rejected  # noqa: F401
from tests.funds.conftest import open_fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(rejected, root, fiona):  # noqa: F811
    from funds import services as funds

    fund = open_fund(TOWNSHIP_A, "1000.00", by=root)
    funds.allocate(fiona, fund, "250.00", "任财预〔2026〕1号")
    document = documents.generate(rejected.pk, DocumentKind.REJECTION_NOTICE)
    return fund, document


def run() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_integrity", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_whole_database_passes_and_nothing_is_changed(history):
    fund, document = history
    before = (AuditEvent.objects.count(), LedgerEntry.objects.count(), ReserveFund.objects.get().balance)
    report = integrity.run()
    assert report.ok, report.problems
    assert report.checked["documents.Document.sha256"] == 1
    assert report.checked["ledger entries"] == 2 and report.checked["reserve funds"] == 1
    assert report.checked["append-only tables"] == 3
    out, _err = run()
    assert "未发现问题" in out
    assert (AuditEvent.objects.count(), LedgerEntry.objects.count(), ReserveFund.objects.get().balance) == before


def test_what_disagrees_is_named(history):
    fund, document = history
    trigger = "audit_auditevent_no_change" if connection.vendor == "postgresql" else "audit_auditevent_no_update"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE funds_reservefund SET balance = balance + 1 WHERE id = %s", [fund.pk])
        cursor.execute("UPDATE documents_document SET content = %s WHERE id = %s", [b"other bytes", document.pk])
        if connection.vendor == "postgresql":
            # The test's own transaction has foreign keys still to check: check them now,
            # or PostgreSQL refuses to alter the table under them.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE audit_auditevent DISABLE TRIGGER {trigger}")
        else:
            cursor.execute(f"DROP TRIGGER {trigger}")
    # The trigger refused UPDATE on both databases, and DELETE on PostgreSQL.
    refused = ["UPDATE", "DELETE"] if connection.vendor == "postgresql" else ["UPDATE"]
    with pytest.raises(CommandError, match=f"发现 {2 + len(refused)} 个问题"):
        run()
    problems = integrity.run().problems
    assert len(problems) == 2 + len(refused), problems
    assert problems[0].startswith(f"documents.Document {document.pk}: sha256 {document.sha256}")
    assert problems[1:-1] == [f"audit_auditevent: no trigger refuses {statement}" for statement in refused]
    assert problems[-1].startswith(f"reserve fund {fund.pk}: balance 1251.00, ledger sum 1250.00")
    assert Document.objects.get(pk=document.pk).sha256 == document.sha256

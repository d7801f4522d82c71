"""What must come back whole after a restore: each table's row count and a digest of its
rows (the columns that matter, in primary-key order), read through Django.

Imported by the test for the database it built, and run as a program (``python -m
tests.backup.fingerprint``, production settings, DATABASE_URL naming the restored copy)
to read the copy the same way; it prints the fingerprint as JSON."""

from __future__ import annotations

import hashlib
import json

COLUMNS = {
    # the audit trail, whole
    "audit.AuditEvent": ["pk", "at", "event", "actor_id", "actor_username", "object_type", "object_id",
                         "region_code", "before", "after", "reason", "extra", "ip_address"],
    "funds.LedgerEntry": ["pk", "fund_id", "kind", "direction", "amount", "balance_after", "at", "month",
                          "application_id", "instalment_number", "idempotency_key", "reverses_id", "actor_id"],
    "funds.ReserveFund": ["pk", "township_id", "balance", "low_water_mark", "target_balance"],
    "funds.MonthlySignOff": ["pk", "fund_id", "month", "opening", "closing", "entry_count", "statement_sha256",
                             "signed_by_id", "signed_at"],
    "documents.Document": ["pk", "application_id", "kind", "instalment_id", "sha256", "size", "created_at"],
    "enrolment.ProactiveNotice": ["pk", "household_id", "program", "sha256", "means", "created_at"],
    "assistance.Application": ["pk", "program", "status", "amount_approved", "amount_paid", "decided_by_id"],
    "rosters.Roster": ["pk", "county_code", "program", "month", "status", "line_count", "total"],
    "rosters.RosterLine": ["pk", "roster_id", "application_id", "month", "amount", "status"],
    "registry.Person": ["pk", "household_id", "name", "id_number", "relation"],
}


def fingerprint() -> dict[str, list]:
    from django.apps import apps

    out = {}
    for label, columns in COLUMNS.items():
        rows = list(apps.get_model(label)._base_manager.order_by("pk").values_list(*columns))
        out[label] = [len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()]
    return out


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(fingerprint()))

"""Does the data still say what it said when it was written? Checked after a restore
(docs/deploy.md: ``manage.py verify_integrity``), and whenever an administrator wants:

- every stored file's bytes against the SHA-256 recorded with them: each model with one
  BinaryField or FileField and one field named ``…sha256`` (case documents, notices and
  letters, signed monthly statements, visit photos under MEDIA_ROOT), found through the
  app registry;
- every append-only table (a model with ``append_only = True``) still refuses UPDATE (and
  DELETE on PostgreSQL) in the database itself: its trigger is there, and it fires;
- what the apps register (``register``): the reserve funds' balances against their
  ledgers and the signed months against them, the payment rosters' totals against their
  lines.

Nothing is changed: each refusal is tried inside a savepoint that is rolled back."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import DatabaseError, connection, models, transaction


@dataclass
class Report:
    # What was checked, by name: how many rows (or tables) each check read.
    checked: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


Check = Callable[[Report], None]
_CHECKS: list[Check] = []


def register(check: Check) -> Check:
    """Add an app's check (called with the report, it counts what it read and adds problems)."""
    if check not in _CHECKS:
        _CHECKS.append(check)
    return check


def run() -> Report:
    report = Report()
    for check in [stored_hashes, append_only_tables, *_CHECKS]:
        check(report)
    return report


# --- stored bytes and their hashes -------------------------------------------------------------

def hashed_contents() -> list[tuple[type[models.Model], models.Field, str]]:
    """(model, bytes or file field, hash field name) of every model that stores bytes (in
    the database, or a file in MEDIA_ROOT) with their SHA-256."""
    found = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        stored = [f for f in fields if isinstance(f, models.BinaryField | models.FileField)]
        digests = [f for f in fields if isinstance(f, models.CharField) and f.name.endswith("sha256")]
        if len(stored) == 1 and len(digests) == 1:
            found.append((model, stored[0], digests[0].attname))
    return found


def _bytes_of(field: models.Field, value) -> bytes | None:
    if isinstance(field, models.BinaryField):
        return None if value is None else bytes(value)
    if not value or not field.storage.exists(value):
        return None
    with field.storage.open(value, "rb") as stored:
        return stored.read()


def stored_hashes(report: Report) -> None:
    for model, stored, digest in hashed_contents():
        # Rows whose bytes are not there yet (a notice waiting to be rendered) have no hash either.
        rows = (model._base_manager.exclude(**{f"{digest}__isnull": True}).exclude(**{digest: ""})
                .order_by("pk").values_list("pk", digest, stored.attname))
        count = 0
        for pk, expected, value in rows.iterator(chunk_size=50):
            count += 1
            data = _bytes_of(stored, value)
            actual = hashlib.sha256(data).hexdigest() if data is not None else "(no bytes)"
            if actual != expected:
                report.problems.append(f"{model._meta.label} {pk}: {digest} {expected}, its bytes hash to {actual}")
        report.checked[f"{model._meta.label}.{digest}"] = count


# --- append-only tables ------------------------------------------------------------------------

class _Allowed(Exception):
    """The database let a change through: rolls the savepoint back."""


def refused_statements() -> list[str]:
    # SQLite's triggers refuse UPDATE only: Django's test runner empties its tables with DELETE.
    return ["UPDATE", "DELETE"] if connection.vendor == "postgresql" else ["UPDATE"]


def _has_trigger(table: str, statement: str) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # pg_trigger.tgtype: bit 8 DELETE, bit 16 UPDATE (on BEFORE or AFTER row triggers).
            bit = {"UPDATE": 16, "DELETE": 8}[statement]
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
                           "AND tgenabled <> 'D' AND (tgtype & %s) <> 0", [table, bit])
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
                           "AND upper(sql) LIKE %s", [table, f"%BEFORE {statement}%"])
        return cursor.fetchone()[0] > 0


def _try(table: str, pk_column: str, pk, statement: str) -> bool:
    """Whether the database refuses the statement on the row (tried, then rolled back)."""
    quote = connection.ops.quote_name
    # Names from the models' own metadata, quoted; the row's key is a parameter.
    sql = (f"UPDATE {quote(table)} SET {quote(pk_column)} = {quote(pk_column)} WHERE {quote(pk_column)} = %s"  # noqa: S608
           if statement == "UPDATE" else f"DELETE FROM {quote(table)} WHERE {quote(pk_column)} = %s")  # noqa: S608
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [pk])
            raise _Allowed
    except _Allowed:
        return False
    except DatabaseError:
        return True


def append_only_tables(report: Report) -> None:
    count = 0
    with transaction.atomic():
        for model in apps.get_models():
            if not getattr(model, "append_only", False):
                continue
            count += 1
            table, pk_column = model._meta.db_table, model._meta.pk.column
            pk = model._base_manager.order_by("pk").values_list("pk", flat=True).first()
            for statement in refused_statements():
                if not _has_trigger(table, statement):
                    report.problems.append(f"{table}: no trigger refuses {statement}")
                elif pk is not None and not _try(table, pk_column, pk, statement):
                    report.problems.append(f"{table}: {statement} of row {pk} was not refused")
    report.checked["append-only tables"] = count

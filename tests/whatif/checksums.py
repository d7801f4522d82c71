"""Every table's rows, counted and hashed: what "nothing changed" is checked against."""

from __future__ import annotations

import hashlib

from django.db import connection

# What asking a what-if writes by design: the run and its rows, the request's audit row,
# and the note telling the asker the answer is ready.
OWN_TABLES = frozenset({"whatif_whatifrun", "whatif_whatifrow", "audit_auditevent", "notifications_notification"})


def snapshot(exclude=()) -> dict[str, tuple[int, str]]:
    out = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table in exclude:
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the database itself
            rows = sorted(repr(row) for row in cursor.fetchall())
            out[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out

"""A what-if reads; it never writes. This guard makes that a property of the connection
while a what-if is computed, not a hope: any statement that would change a table other
than the run's own is refused before it reaches the database.

Rolling back afterwards would also leave the data as it was, but a computation that
writes, even into a transaction rolled back, takes row locks that stall the day's work
(a county's cases, its rosters) and fires nothing it should not only by luck. Refused
here, such a statement is a bug found at once, in tests and in production alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection

# The statements that change data or schema, and the table each names first.
_WRITE = re.compile(
    r"""^\s*(?:WITH\b.*?\)\s*)?(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM|REPLACE\s+INTO|
          TRUNCATE(?:\s+TABLE)?|ALTER\s+TABLE|DROP\s+TABLE|CREATE\s+(?:TEMP(?:ORARY)?\s+)?TABLE|COPY)
        \s+(?:ONLY\s+)?["`]?(?P<table>[\w.]+)["`]?""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL)


class WriteRefused(RuntimeError):
    """A statement that writes was sent while the what-if was reading."""


def written_table(sql: str) -> str | None:
    """The table ``sql`` would change, or None for a statement that only reads."""
    match = _WRITE.match(sql or "")
    return match.group("table") if match else None


@contextmanager
def reads_only(allowed: Iterable[str] = ()):
    """Within the block, refuse (``WriteRefused``) every statement on the default
    connection that writes, but to the tables ``allowed`` (the run's own progress)."""
    allowed = frozenset(allowed)

    def guard(execute, sql, params, many, context):
        table = written_table(sql)
        if table is not None and table not in allowed:
            raise WriteRefused(f"a what-if only reads, but this statement writes to {table}: {sql[:200]}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(guard):
        yield

"""A small benchmark harness: Django on a throwaway PostgreSQL database, timings as
p50/p95 over repeated runs, query counts, and results written into
docs/benchmarks.md between markers so each benchmark owns its section.

Benchmarks are not tests: they report figures; comparisons are ratios taken in the
same run, because this machine is noisy.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"


def setup_django(db_name: str = "engine_bench") -> None:
    """Django on a benchmark database, created if missing and migrated."""
    connect_django(db_name, create=True)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _create_database(base: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base.rstrip("/") + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def measure(fn: Callable[[], object], *, runs: int = 7, before: Callable[[], object] | None = None) -> dict:
    """Time ``fn`` over ``runs`` runs (``before`` resets state, untimed); count queries of the last run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(runs):
        if before:
            before()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        queries = len(ctx.captured_queries)
    times.sort()
    return {"p50_ms": statistics.median(times), "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))],
            "queries": queries, "runs": runs}


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, PostgreSQL {pg.split()[0]}")


def write_section(name: str, markdown: str) -> None:
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    block = f"{start}\n{markdown.strip()}\n{end}"
    if start in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def drop_database(name: str) -> None:
    """Drop a throwaway benchmark database (and its connections) so it can be rebuilt."""
    import psycopg

    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
    with psycopg.connect(base.rstrip("/") + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def connect_django(db_name: str, *, create: bool = False) -> None:
    """Django on a benchmark database, without migrating it (and without creating it
    unless ``create``): for helper processes whose own memory or time is being measured."""
    # In front even when PYTHONPATH already lists them (as scripts/test sets it): a script's
    # own folder comes first on sys.path, and bench/visits.py would hide the visits app.
    for p in (ROOT / "src", ROOT):
        while str(p) in sys.path:
            sys.path.remove(str(p))
        sys.path.insert(0, str(p))
    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
    os.environ["DATABASE_URL"] = base.rstrip("/") + "/" + db_name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engine.settings")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    if create:
        _create_database(base, db_name)
    import django

    django.setup()


def peak_rss_mib() -> float:
    """This process's peak resident memory. VmHWM, not getrusage: ru_maxrss survives exec,
    so a process started by a big parent would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

"""What the fault tests share: the engine's own processes (a Celery worker, gunicorn, a
management command) started on the test database and killed with SIGKILL; transactions
held open from another connection, to stop such a process at a chosen statement; and
the database sessions that killed processes leave behind, waited out.

How a process is stopped where a test wants it: the test holds a row lock (or an
uncommitted row under a unique key) in a transaction of its own, the process blocks on
it, and ``blocked_by`` finds the process's database session waiting for the test's.
Nothing in the engine is patched: the process runs the production code, and the test
knows from PostgreSQL itself (``pg_blocking_pids``, ``pg_locks``) where it stands."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

ROOT = Path(__file__).resolve().parents[2]


def wait_for(check: Callable, timeout: float = 120.0, every: float = 0.05, what: str = "the condition"):
    """The first true value of ``check()``, polled until ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


# --- processes of the engine -------------------------------------------------------------------

def require_redis() -> None:
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("the PostgreSQL pass runs with the Redis broker (CELERY_BROKER_URL=redis://…)")


def engine_env(var_dir: Path, **extra) -> dict[str, str]:
    """The environment of a production process (engine.settings) on this test's database
    and broker; ``var_dir`` is its ENGINE_VAR_DIR (exports, a development secret)."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ,
           "DJANGO_SETTINGS_MODULE": "engine.settings",
           "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
           "DATABASE_URL": url,
           "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
           # The test's key: sessions and CSRF tokens it makes are the server's too.
           "DJANGO_SECRET_KEY": settings.SECRET_KEY,
           "ENGINE_VAR_DIR": str(var_dir),
           "TMPDIR": str(var_dir / "tmp"),
           "LOG_LEVEL": "INFO"}
    (var_dir / "tmp").mkdir(parents=True, exist_ok=True)
    env.pop("REDIS_URL", None)  # login counters in the process's own memory: not the test's cache
    env.update({key: str(value) for key, value in extra.items()})
    return env


def start(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    """A process in a session of its own (``kill`` ends it and its children together)."""
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def start_worker(queue: str, var_dir: Path, **env) -> subprocess.Popen:
    """A Celery worker (solo pool: the task runs in the process that is killed) consuming
    ``queue`` only; what it queues itself goes to the same queue (CELERY_QUEUE)."""
    return start([sys.executable, "-m", "celery", "-A", "engine", "worker", "--pool=solo", "-Q", queue,
                  "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"],
                 var_dir / "worker.log", engine_env(var_dir, CELERY_QUEUE=queue, **env))


def manage(args: list[str], var_dir: Path, **env) -> subprocess.Popen:
    """``manage.py`` with production settings, e.g. a batch command."""
    return start([sys.executable, "manage.py", *args], var_dir / "command.log", engine_env(var_dir, **env))


def kill(process: subprocess.Popen) -> None:
    """SIGKILL to the process and everything it started: no handler, no clean-up, no
    goodbye to the database or the broker."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The second field, the command, may hold spaces: the parent follows its closing parenthesis.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn as docs/deploy.md runs it, with one sync worker, on a port of its own.
    ``kill_worker`` kills the worker (the master starts another, as in production)."""

    def __init__(self, var_dir: Path, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = start([sys.executable, "-m", "gunicorn", "engine.wsgi", "--pythonpath", "src,.",
                              "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--timeout", "120"],
                             var_dir / "gunicorn.log", engine_env(var_dir, **env))
        self.wait_ready()

    def wait_ready(self, timeout: float = 120.0) -> None:
        def answers():
            if self.process.poll() is not None:
                raise AssertionError("gunicorn exited")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5) as response:  # noqa: S310 - local
                    return response.status == 200
            except (OSError, urllib.error.URLError):
                return False

        wait_for(answers, timeout=timeout, every=0.1, what="gunicorn to answer")

    def worker(self) -> int:
        (pid,) = wait_for(lambda: children(self.process.pid), what="gunicorn's worker")
        return pid

    def kill_worker(self) -> None:
        os.kill(self.worker(), signal.SIGKILL)

    def stop(self) -> None:
        kill(self.process)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is the answer


_opener = urllib.request.build_opener(_NoRedirect)


def http(method: str, url: str, *, headers: dict | None = None, body: bytes | None = None,
         timeout: float = 120.0) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one request, redirects not followed; an error status is
    an answer too."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310 - local
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class InFlight(threading.Thread):
    """A request sent from a thread of its own, so the test can act while it hangs; its
    outcome is (status, headers, body), or the exception the client got (a dropped
    connection when the server's worker was killed)."""

    def __init__(self, *args, **kwargs):
        super().__init__(daemon=True)
        self.args_, self.kwargs_ = args, kwargs
        self.outcome = None

    def run(self):
        try:
            self.outcome = http(*self.args_, **self.kwargs_)
        except Exception as exc:  # noqa: BLE001 - what the client saw is the result
            self.outcome = exc

    def result(self, timeout: float = 120.0):
        self.join(timeout)
        assert not self.is_alive(), "the request is still waiting"
        return self.outcome


# --- database sessions -------------------------------------------------------------------------

class HeldTransaction:
    """``work()`` run in a transaction held open by a thread of its own (so on a database
    connection of its own) until the block ends, then rolled back: the locks it took, and
    any row it inserted under a unique key, stop whoever needs them in the meantime."""

    def __init__(self, work: Callable):
        self.work = work
        self.pid: int | None = None
        self._ready, self._release = threading.Event(), threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    self.pid = cursor.fetchone()[0]
                self.work()
                self._ready.set()
                self._release.wait(120)
                transaction.set_rollback(True)
        except BaseException as exc:  # noqa: BLE001 - reported in the test's thread
            self._error = exc
        finally:
            self._ready.set()
            connections.close_all()

    def __enter__(self):
        self._thread.start()
        self._ready.wait(60)
        if self._error is not None:
            raise self._error
        return self

    def release(self) -> None:
        self._release.set()
        self._thread.join(60)

    def __exit__(self, *exc_info):
        self.release()


def _query(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def blocked_by(holder: HeldTransaction, timeout: float = 120.0) -> int:
    """The database session (backend pid) that waits for the held transaction's locks."""
    rows = wait_for(lambda: _query("SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                                   [holder.pid]), timeout=timeout, what="a session blocked by the held transaction")
    assert len(rows) == 1, rows
    return rows[0][0]


def tables_written_by(pid: int) -> set[str]:
    """Tables the session's open transaction has written to (it holds ROW EXCLUSIVE on them)."""
    return {name for (name,) in _query(
        "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "WHERE l.pid = %s AND l.mode = 'RowExclusiveLock' AND c.relkind = 'r'", [pid])}


def wait_session_gone(pid: int, timeout: float = 120.0) -> None:
    """PostgreSQL ends a killed client's session when it next reads from the socket; its
    open transaction is then rolled back (or, blocked inside COMMIT, committed)."""
    wait_for(lambda: not _query("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]), timeout=timeout,
             what=f"database session {pid} to end")


def terminate(pid: int) -> None:
    """The database drops a session, as a restart, a failover or an administrator would."""
    assert _query("SELECT pg_terminate_backend(%s)", [pid]) == [(True,)]


# --- the broker --------------------------------------------------------------------------------

class LiveBroker:
    """Tasks sent by the test go through Redis to real workers (Celery is eager in tests).
    ``live_broker(name)`` gives a queue of the test's own, where the test's process now
    sends what it queues (a view's job, a beat job's work) and which a worker started with
    ``start_worker(queue, …)`` consumes; what killed workers left in Redis for those
    queues is removed afterwards."""

    def __init__(self):
        from engine.celery import app

        require_redis()
        self.app = app
        self.saved = (app.conf.task_always_eager, app.conf.task_default_queue)
        app.conf.task_always_eager = False
        # Celery builds its table of queues once, from the default queue of that moment, and
        # an in-process worker (tests/core/test_celery_worker.py) consumes what it lists:
        # the test process's own queue must be in it before another becomes the default.
        app.amqp.queues[app.conf.task_default_queue]  # noqa: B018 - a lookup that adds it
        self.queues: list[str] = []

    def __call__(self, name: str) -> str:
        queue = f"{name}-{os.getpid()}-{len(self.queues)}"
        self.queues.append(queue)
        self.app.conf.task_default_queue = queue
        return queue

    def close(self) -> None:
        self.app.conf.task_always_eager, self.app.conf.task_default_queue = self.saved
        table = self.app.amqp.queues
        for queue in self.queues:
            table.pop(queue, None)  # no later worker of this process consumes it
            if isinstance(getattr(table, "_consume_from", None), dict):
                table._consume_from.pop(queue, None)
            forget_queue(queue)


def forget_queue(queue: str) -> None:
    """Delete the queue's waiting messages and those a killed worker took and never
    acknowledged (kombu keeps them in ``unacked`` for redelivery an hour later)."""
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    # The queue, and kombu's record of its exchange's bindings (the exchange is the queue's own).
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, raw in client.hgetall("unacked").items():
        try:
            _message, _exchange, routing_key = json.loads(raw)
        except (TypeError, ValueError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)

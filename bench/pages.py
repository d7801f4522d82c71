"""Every figure of the city suite, measured on one generated database.

    python bench/pages.py --db engine_city --out /tmp/city.json [--runs 40] [--explain]

Run by bench/suite.py once per scale (Django reads its database once per process).
Each web page and API call goes through Django's test client with a signed-in user,
so a figure is the whole request: middleware, session, permissions, queries,
template or serializer. Side by side in the same run: viewflow's stock inbox and
queue pages on the same data, and the smallest indexed SQL returning the engine's
first page (the floor).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import machine, measure, setup_django  # noqa: E402

PAGE = 50
# The queries every signed-in request makes before its page's own: the session, the user
# with their home region (staff.backends), and their roles with their permissions (one
# UNION ALL of auth_group and auth_permission: staff.access). "List SQL" is the rest.
# Matched on the statement's shape, not on a table it mentions: a page's own queries read
# staff_user and regions_region too (the breach list's names, the dashboard's townships).
# It reads the SQL before its parameters are filled in (execute_wrapper) or after (captured).
REQUEST_OVERHEAD = re.compile(
    r'^SELECT "django_session"\."session_key", .* FROM "django_session" WHERE '
    r'|^SELECT "staff_user"\."id", .* FROM "staff_user" LEFT OUTER JOIN "regions_region" '
    r'ON \("staff_user"\."region_id" = "regions_region"\."code"\) WHERE "staff_user"\."id" = (?:%s|\d+) LIMIT 21$'
    r'|^\(SELECT "auth_group"\."name" AS "name", ', re.S)
TASK_COLUMNS = ("id, subject_id, application_id, flow, step, role, assignee_id, region_code, due_at, status, "
                "escalation_level, provisional")


def _warm(fn, times: int = 2) -> None:
    for _ in range(times):
        fn()


def _get(client, url: str, expect: int = 200):
    def call():
        response = client.get(url)
        if response.status_code != expect:
            raise AssertionError(f"GET {url}: {response.status_code}")
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        return response
    return call


def _explain(fn, label: str, top: int = 3) -> list[str]:
    """EXPLAIN ANALYZE of the slowest queries one call of ``fn`` makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    slowest = sorted(ctx.captured_queries, key=lambda q: float(q["time"]), reverse=True)[:top]
    out = []
    with connection.cursor() as cursor:
        for q in slowest:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(r[0] for r in cursor.fetchall())
            out.append(f"--- {label}: {float(q['time']) * 1000:.1f} ms\n{sql}\n{plan}")
    return out


class LoadSampler:
    """The 1-minute load average every ``every`` seconds, in a daemon thread, until stop()."""

    def __init__(self, every: float = 5.0):
        import threading

        self.samples = [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> list[float]:
        """[lowest, median, highest] of the samples."""
        self._stop.set()
        self._thread.join()
        ordered = sorted(self.samples)
        return [round(ordered[0], 1), round(ordered[len(ordered) // 2], 1), round(ordered[-1], 1)]


class Suite:
    def __init__(self, runs: int, explain: bool):
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection
        from viewflow.workflow.models import Task

        self.runs = runs
        self.explain = explain
        self.results: dict[str, dict] = {}
        self.plans: list[str] = []
        self.facts: dict[str, object] = {}
        self.task_type = ContentType.objects.get_for_model(Task).pk
        self.connection = connection

    def record(self, key: str, fn, *, runs: int | None = None, before=None, warm: int = 2, **extra) -> dict:
        if warm:
            for _ in range(warm):
                if before:
                    before()
                fn()
        sql_ms: list[float] = []
        list_ms: list[float] = []
        request_queries: list[int] = []

        def timed(execute, sql, params, many, context):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent = (time.perf_counter() - start) * 1000
                sql_ms[-1] += spent
                if REQUEST_OVERHEAD.search(sql):
                    request_queries[-1] += 1
                else:
                    list_ms[-1] += spent

        def run():
            sql_ms.append(0.0)
            list_ms.append(0.0)
            request_queries.append(0)
            with self.connection.execute_wrapper(timed):
                fn()

        result = measure(run, runs=runs or self.runs, before=before)
        result["sql_p50_ms"] = sorted(sql_ms)[len(sql_ms) // 2]
        result["list_sql_p50_ms"] = sorted(list_ms)[len(list_ms) // 2]
        # Of the last run's queries (measure() counts those), how many every signed-in request makes.
        result["request_queries"] = request_queries[-1]
        result.update(extra)
        self.results[key] = result
        print(f"  {key:<34} p50 {result['p50_ms']:8.1f} ms  p95 {result['p95_ms']:8.1f} ms  "
              f"{result['queries']:4d} queries ({result['request_queries']} per request + "
              f"{result['queries'] - result['request_queries']} its own)", flush=True)
        if self.explain:
            self.plans += _explain(fn, key)
        return result

    def sql(self, query: str, params) -> callable:
        def call():
            with self.connection.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall()
        return call


def _people():
    """The people whose pages are measured: a caseworker, the head and the supervisors of
    the township with the median open workload, plus a caseworker with an empty inbox."""
    from django.contrib.auth.models import Group, Permission
    from django.db import connection
    from django.db.models import Count, Q

    from staff.models import User

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT substr(region_code, 1, 9) AS township, count(*) FROM deadlines_deadline
            WHERE status <> 'closed' GROUP BY 1 ORDER BY 2, 1""")
        townships = cursor.fetchall()
    township, _open = townships[len(townships) // 2]
    # Of its caseworkers, the one with the most open tasks of their own.
    cw = (User.objects.filter(username__startswith=f"cw_{township}_", is_active=True)
          .annotate(mine=Count("deadlines", filter=~Q(deadlines__status="closed")))
          .order_by("-mine", "username").first())
    empty, created = User.objects.get_or_create(username=f"cw_{township}_empty", defaults={
        "region_id": f"{township}000", "last_name": "空", "first_name": "箱"})
    if created:
        empty.groups.add(Group.objects.get(name="caseworker"))
    # viewflow's stock pages show tasks only to users with its model-level view permission.
    view_process = Permission.objects.get(content_type__app_label="viewflow", codename="view_process")
    for user in (cw, empty):
        user.user_permissions.add(view_process)
    return {
        "township": township,
        "caseworker": User.objects.get(pk=cw.pk), "empty": User.objects.get(pk=empty.pk),
        "head": User.objects.get(username=f"th_{township}"),
        "county_supervisor": User.objects.get(username=f"sv_{township[:6]}"),
        "city_supervisor": User.objects.get(username="sv_3708"),
    }


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client  # its first request loads the middleware: every measure() warms up first


def queues(suite: Suite, people: dict) -> None:
    from deadlines.models import Deadline

    cw, empty = people["caseworker"], people["empty"]
    township = people["township"]
    roles = sorted(cw.roles)
    low, high = f"{township}000", f"{township}999"
    open_tasks = Deadline.objects.filter(subject_type_id=suite.task_type).exclude(status="closed")
    suite.facts.update({
        "township": township,
        "caseworker_mine": open_tasks.filter(assignee=cw).count(),
        "caseworker_queue": open_tasks.filter(region_code__range=(low, high), assignee__isnull=True,
                                              role__in=roles).count(),
        "township_open": open_tasks.filter(region_code__range=(low, high)).count(),
        "head_approvals": open_tasks.filter(region_code__range=(low, high),
                                            step__in=["township_approve", "pay_first"]).count(),
    })
    client, empty_client = _client(cw), _client(empty)
    print(f"  caseworker {cw.username}: {suite.facts['caseworker_mine']} mine, "
          f"{suite.facts['caseworker_queue']} in the township queue", flush=True)

    suite.record("web_inbox_mine", _get(client, "/tasks/?tab=mine"))
    suite.record("web_inbox_queue", _get(client, "/tasks/?tab=queue"))
    suite.record("api_tasks_mine", _get(client, "/api/v1/tasks/?scope=mine"))
    suite.record("api_tasks_queue", _get(client, "/api/v1/tasks/?scope=queue"))
    suite.record("api_tasks_mine_empty", _get(empty_client, "/api/v1/tasks/?scope=mine"))

    # The floor: the smallest indexed SQL returning the same first page.
    suite.record("floor_mine", suite.sql(
        f"SELECT {TASK_COLUMNS} FROM deadlines_deadline WHERE assignee_id = %s AND status <> 'closed' "
        f"AND subject_type_id = %s ORDER BY due_at, id LIMIT {PAGE}", [cw.pk, suite.task_type]))
    suite.record("floor_queue", suite.sql(
        f"SELECT {TASK_COLUMNS} FROM deadlines_deadline WHERE role = ANY(%s) AND region_code BETWEEN %s AND %s "
        f"AND assignee_id IS NULL AND status <> 'closed' AND subject_type_id = %s ORDER BY due_at, id LIMIT {PAGE}",
        [roles, low, high, suite.task_type]))

    # The peer: viewflow's stock pages for the same flow and user.
    suite.record("viewflow_inbox", _get(client, "/viewflow/temporaryassistance/inbox/"), runs=max(10, suite.runs // 2))
    suite.record("viewflow_queue", _get(client, "/viewflow/temporaryassistance/queue/"), runs=max(10, suite.runs // 2))
    suite.record("viewflow_inbox_empty", _get(empty_client, "/viewflow/temporaryassistance/inbox/"),
                 runs=max(10, suite.runs // 2))


def approvals_and_supervision(suite: Suite, people: dict) -> None:
    head = _client(people["head"])
    county, city = _client(people["county_supervisor"]), _client(people["city_supervisor"])
    suite.record("web_approval_queue", _get(head, "/approvals/"))
    suite.record("web_dashboard_county", _get(county, "/supervision/"), runs=max(10, suite.runs // 2))
    suite.record("web_dashboard_city", _get(city, "/supervision/"), runs=max(10, suite.runs // 2))
    suite.record("web_breaches_county", _get(county, "/supervision/breaches/"))
    suite.record("web_breaches_city", _get(city, "/supervision/breaches/"))
    suite.record("api_breaches_county", _get(county, "/api/v1/sla/breaches/"))


def claim_and_complete(suite: Suite, people: dict) -> None:
    """Claim an unclaimed investigation, then complete it (the next task, the township's
    approval, is created): the API calls a caseworker's app makes. Each task is claimed
    by the first caseworker of its township, with the second as fellow investigator."""
    from deadlines.models import Deadline
    from staff.models import User

    runs = max(10, suite.runs // 3)
    free = list(Deadline.objects.filter(
        subject_type_id=suite.task_type, step="investigate", assignee__isnull=True, status="open")
        .order_by("due_at", "pk").values_list("subject_id", "region_code")[: runs + 2])
    if len(free) < runs + 2:
        print(f"  (claim/complete: only {len(free)} unclaimed investigations left; skipped)")
        return
    clients: dict[str, tuple] = {}
    for _task_id, region in free:
        township = region[:9]
        if township not in clients:
            first, second = (User.objects.get(username=f"cw_{township}_{n}") for n in (1, 2))
            client = _client(first)
            # A test client loads the middleware on its first request (WhiteNoise scans the
            # static files then): once per process in production, so not in the timing.
            client.get("/api/v1/tasks/?scope=mine")
            clients[township] = (client, [first.username, second.username])
    queue = list(free)
    claimed: list[tuple[int, str]] = []

    def claim():
        task_id, region = queue.pop(0)
        response = clients[region[:9]][0].post(f"/api/v1/tasks/{task_id}/claim/")
        if response.status_code != 200:
            raise AssertionError(f"claim {task_id}: {response.status_code} {response.content[:200]}")
        claimed.append((task_id, region))

    suite.record("api_claim", claim, runs=runs, warm=2)

    def complete():
        task_id, region = claimed.pop(0)
        client, investigators = clients[region[:9]]
        body = {"investigators": investigators, "findings": "入户调查：家庭收入低于当地标准，情况属实。"}
        response = client.post(f"/api/v1/tasks/{task_id}/complete/", data=json.dumps(body),
                               content_type="application/json")
        if response.status_code != 200:
            raise AssertionError(f"complete {task_id}: {response.status_code} {response.content[:300]}")

    suite.record("api_complete", complete, runs=runs, warm=2)


def sweep(suite: Suite, due_count: int = 1000) -> None:
    """1,000 due among all open deadlines: chosen open deadlines are made due (at local
    midnights over five days, every tenth an hour limit), swept, then put back."""
    from django.db.models import Max
    from django.utils import timezone

    from deadlines import sweep as sweeper
    from deadlines.models import Deadline, DeadlineFiring, DeadlineStatus
    from notifications.models import Notification

    now = timezone.now()
    # Catch up first (the data was generated some time ago), so only our deadlines are due.
    while sweeper.sweep(now, batch=5000).examined:
        pass
    waiting = Deadline.objects.filter(status=DeadlineStatus.OPEN, due_at__gt=now)
    # 1,000 due at city scale; at small scale a tenth of the open deadlines.
    due_count = min(due_count, suite.facts["open_total"] // 10)
    step = max(1, waiting.count() // due_count)
    chosen = list(waiting.order_by("pk").values("pk", "due_at", "next_check_at")[::step][:due_count])
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    due_times = {}
    for i, row in enumerate(chosen):
        due_times[row["pk"]] = (now - datetime.timedelta(minutes=1 + i % 997) if i % 10 == 0
                                else midnight - datetime.timedelta(days=i % 5))
    firing_mark = DeadlineFiring.objects.aggregate(m=Max("pk"))["m"] or 0
    notification_mark = Notification.objects.aggregate(m=Max("pk"))["m"] or 0

    def reset():
        DeadlineFiring.objects.filter(pk__gt=firing_mark).delete()
        Notification.objects.filter(pk__gt=notification_mark).delete()
        by_due: dict = {}
        for pk, due in due_times.items():
            by_due.setdefault(due, []).append(pk)
        for due, group in by_due.items():
            Deadline.objects.filter(pk__in=group).update(due_at=due, next_check_at=due, breached_at=None,
                                                         escalation_level=0, escalated_to=[])

    report = {}

    def once():
        report["fired"] = len(sweeper.sweep(now, batch=due_count).fired)

    suite.record("sweep_1000_due", once, runs=5, before=reset, warm=1, open=suite.facts["open_total"], due=len(chosen))
    suite.results["sweep_1000_due"]["fired"] = report["fired"]
    # Put the deadlines back as they were.
    DeadlineFiring.objects.filter(pk__gt=firing_mark).delete()
    Notification.objects.filter(pk__gt=notification_mark).delete()
    for row in chosen:
        Deadline.objects.filter(pk=row["pk"]).update(due_at=row["due_at"], next_check_at=row["next_check_at"],
                                                     breached_at=None, escalation_level=0, escalated_to=[])


def visit_generation(suite: Suite) -> None:
    """The visits' rolling generation (the beat job) over every active plan of the city: a
    visit and its deadline per plan and window in the next days; removed again after."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Max
    from django.utils import timezone

    from deadlines.models import Deadline

    try:
        from visits import services as visits
        from visits.models import Visit, VisitPlan
    except ImportError:
        print("  (visits: no app)")
        return
    plans = VisitPlan.objects.filter(active=True).count()
    if not plans:
        print("  (visits: no plans)")
        return
    visit_type = ContentType.objects.get_for_model(Visit)
    visit_mark = Visit.objects.aggregate(m=Max("pk"))["m"] or 0
    deadline_mark = Deadline.objects.aggregate(m=Max("pk"))["m"] or 0
    now = timezone.now()
    report = {}

    def cleanup():
        Deadline.objects.filter(pk__gt=deadline_mark, subject_type=visit_type).delete()
        Visit.objects.filter(pk__gt=visit_mark).delete()

    def once():
        report["visits"] = visits.generate_visits(now=now).created

    suite.record("visits_generate", once, runs=1, before=cleanup, warm=0, plans=plans)
    suite.results["visits_generate"]["visits"] = report["visits"]
    cleanup()


def documents(suite: Suite, people: dict, batch: int = 100) -> None:
    from assistance.models import Application
    from documents import rendering

    suite.facts["harfbuzz_subset"] = rendering.harfbuzz_subset_available()
    ids = list(Application.objects.filter(status="filed", decided_by__isnull=False)
               .order_by("pk").values_list("pk", flat=True)[:batch])

    def render(pk):
        application = (Application.objects.select_related("household__region", "applicant", "decided_by", "intake_by")
                       .prefetch_related("household__members").get(pk=pk))
        context = rendering.build_context("decision_notice", application)
        return rendering.render_pdf("decision_notice", context)

    suite.record("pdf_one", lambda: render(ids[0]), runs=5, warm=1)

    def render_batch():
        for pk in ids:
            render(pk)

    suite.record("pdf_batch_100", render_batch, runs=1, warm=0, documents=len(ids))


def roster(suite: Suite, db: str, rows: int = 200_000) -> None:
    """The household roster export (``web.export.write_households``, what the export job's
    worker runs) in a fresh process, for a clean peak-memory figure."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    out = subprocess.run([sys.executable, str(Path(__file__).with_name("roster.py")), "--db", db,
                          "--rows", str(rows), "--variant", "engine"],
                         capture_output=True, text=True, env=env, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    suite.results["roster"] = result
    print(f"  {'roster':<34} {result['rows']:,} rows: {result['seconds']:.1f} s, peak {result['peak_mib']:.0f} MiB "
          f"(+{result['peak_mib'] - result['baseline_mib']:.0f} MiB over a loaded Django)", flush=True)


def list_exports(suite: Suite, db: str) -> None:
    """The applications export of the largest county and the breach-list export of the whole
    city (what the export job's worker runs: the kind's rows, counted, then its writer), each
    in a fresh process for a clean peak-memory figure."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    for kind in ("applications", "breaches"):
        out = subprocess.run([sys.executable, str(Path(__file__).with_name("list_exports.py")), "--db", db,
                              "--kind", kind], capture_output=True, text=True, env=env, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        suite.results[f"export_{kind}"] = result
        print(f"  {'export_' + kind:<34} {result['rows']:,} rows ({result['user']}): {result['seconds']:.1f} s, "
              f"peak {result['peak_mib']:.0f} MiB (+{result['peak_mib'] - result['baseline_mib']:.0f} MiB over a "
              "loaded Django)", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each page's slowest queries")
    parser.add_argument("--only", default="",
                        help="comma-separated groups: queues,supervision,claim,sweep,visits,pdf,roster,exports")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    setup_django(args.db)
    from deadlines.models import Deadline

    only = set(filter(None, args.only.split(",")))
    suite = Suite(args.runs, args.explain)
    people = _people()
    suite.facts["open_total"] = Deadline.objects.exclude(status="closed").count()
    # The machine is shared: the load average says how quiet it was, at the start, at the
    # end and (the 1-minute figure, every 5 s) in between.
    suite.facts["started"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    suite.facts["load_start"] = [round(x, 1) for x in os.getloadavg()]
    load_samples = LoadSampler()
    started = time.perf_counter()
    if not only or "queues" in only:
        queues(suite, people)
    if not only or "supervision" in only:
        approvals_and_supervision(suite, people)
    if not only or "claim" in only:
        claim_and_complete(suite, people)
    if not only or "sweep" in only:
        sweep(suite)
    if not only or "visits" in only:
        visit_generation(suite)
    if not only or "pdf" in only:
        documents(suite, people)
    if not only or "roster" in only:
        roster(suite, args.db)
    if not only or "exports" in only:
        list_exports(suite, args.db)
    suite.facts["machine"] = machine()
    suite.facts["seconds"] = round(time.perf_counter() - started, 1)
    suite.facts["load"] = [round(x, 1) for x in os.getloadavg()]
    suite.facts["load_1min_range"] = load_samples.stop()
    Path(args.out).write_text(json.dumps({"results": suite.results, "facts": suite.facts, "plans": suite.plans},
                                         default=str, ensure_ascii=False, indent=1))
    for plan in suite.plans:
        print(plan)


if __name__ == "__main__":
    main()

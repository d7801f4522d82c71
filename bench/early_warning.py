"""The nightly early-warning job at city scale, on PostgreSQL (issue 16: a 100,000-row
department list imported and matched, then the six rules over 300,000 households, ≤ 5 min).

    python bench/early_warning.py                        # 300,000 households in engine_warn_bench (built if missing)
    python bench/early_warning.py --households 20000 --db engine_warn_bench_small
    python bench/early_warning.py --regenerate           # rebuild the database first

Loading (not measured) builds the what-if benchmark's city (bench/what_if.py, itself the
means-test benchmark's: Jining's 11 counties, households, people, incomes, assets, serious
illnesses, rules; nine in ten of the households its means test finds eligible enrolled in
低保), then adds what the other rules read: home visits to 5 % of the households (a plan, a
done visit and its record each), a fifth of them recorded "needs help" 16 to 85 days ago;
open change-of-circumstance reviews on 2 % of the enrolled cases, their change reported
5 to 90 days ago; and the medical-insurance list as a CSV file of 100,000 rows (身份证号,
姓名, 区划代码, 自付金额): four in five registered people, one in five valid ID numbers the
registry does not know, living in the city's villages; one row in seven with out-of-pocket
costs of 20,000 yuan or more.

Measuring runs in a fresh process, so its peak memory is the job's own: the monitoring
tables emptied (untimed), then ``workflows.monitoring.lists.import_list`` of the file by a
city administrator, then ``workflows.monitoring.services.scan`` over the whole city, each
rule timed (reading: the rule's own queries and tests; writing: the warnings and their
deadlines), then the same scan again the same day (nothing new to raise). Writes section
"early-warning" of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import connect_django, machine, peak_rss_mib, write_section  # noqa: E402

DB = "engine_warn_bench"
CITY = "370800000000"
SEED = 16
LIST_ROWS = 100_000
REGISTERED_SHARE = 0.8
LARGE_SHARE = 1 / 7  # rows with out-of-pocket costs at or above the 20,000-yuan threshold
VISITED_SHARE = 0.05
NEEDS_HELP_SHARE = 0.2  # of the visited: 1 % of the households
CHANGED_SHARE = 0.02  # of the enrolled cases
LIMIT_SECONDS = 300
IMPORTER = "bench_warn_admin"


def csv_path(db: str) -> Path:
    return Path("/tmp") / f"{db}_medical.csv"


def _meta(key: str) -> dict | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM bench_meta WHERE key = %s", [key])
        row = cursor.fetchone()
    return (json.loads(row[0]) if isinstance(row[0], str) else row[0]) if row else None


def load(households: int, db: str, list_rows: int = LIST_ROWS) -> dict:
    from bench.what_if import load as load_city

    summary = load_city(households, db)  # Django set up on db, the city built and enrolled
    extra = _meta("warn")
    if extra is None or not csv_path(db).exists():
        extra = add_monitoring_work(db, list_rows)
    return {**summary, **extra}


def _importer():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from staff.roles import Role, sync_role_groups

    sync_role_groups()
    user, _created = get_user_model().objects.get_or_create(username=IMPORTER, defaults={"region_id": CITY})
    user.groups.add(*Group.objects.filter(name__in=[Role.ADMIN, Role.COUNTY_REVIEWER]))
    return user


def add_monitoring_work(db: str, list_rows: int) -> dict:
    """Visits, open reviews with changes reported, and the medical list's file."""
    import csv
    import io

    from django.db import connection, transaction
    from django.utils import timezone

    from assistance.models import Application
    from registry.demo import VILLAGE_SURNAMES
    from registry.models import Person, PersonCondition
    from registry.synthetic import make_id_number
    from visits.models import Visit, VisitPlan, VisitRecord
    from workflows.reviews.models import ChangeReport, Review

    started = time.perf_counter()
    rng = random.Random(SEED)
    user = _importer()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE visits_visitrecord, visits_visit, visits_visitplan, reviews_changereport, "
                       "reviews_review CASCADE")

    # Home visits: a plan, a done visit and its record for 5 % of the households (their heads).
    heads = list(Person.objects.filter(relation="head").order_by("pk")
                 .values_list("pk", "household_id", "name", "household__region_id"))
    visited = rng.sample(heads, round(len(heads) * VISITED_SHARE))
    needs_help = 0
    with transaction.atomic():
        for start in range(0, len(visited), 5000):
            chunk = visited[start:start + 5000]
            plans = VisitPlan.objects.bulk_create([
                VisitPlan(person_id=pk, household_id=hh, region_code=code, tier="general", period="quarter",
                          rule_name="bench", started_at=now - datetime.timedelta(days=400)) for pk, hh, _n, code in chunk])
            days = [rng.uniform(1, 88) for _ in chunk]
            outcomes = ["needs_help" if rng.random() < NEEDS_HELP_SHARE else "ok" for _ in chunk]
            needs_help += outcomes.count("needs_help")
            visits = Visit.objects.bulk_create([
                Visit(plan=plan, person_id=pk, household_id=hh, region_code=code, person_name=name, tier="general",
                      window_start=now - datetime.timedelta(days=d + 20), window_end=now - datetime.timedelta(days=d - 5),
                      status="done", done_at=now - datetime.timedelta(days=d), in_window=True)
                for plan, (pk, hh, name, code), d in zip(plans, chunk, days, strict=True)])
            VisitRecord.objects.bulk_create([
                VisitRecord(visit=visit, client_uuid=uuid.UUID(int=rng.getrandbits(128)), recorded_by=user,
                            visited_at=visit.done_at, received_at=visit.done_at, method="in_person", outcome=outcome,
                            notes="bench")
                for visit, outcome in zip(visits, outcomes, strict=True)])

    # Open change-of-circumstance reviews on 2 % of the enrolled cases, reported 5 to 90 days ago.
    cases = list(Application.objects.filter(program="dibao", status="approved").order_by("pk")
                 .values_list("pk", "region_code"))
    changed = rng.sample(cases, round(len(cases) * CHANGED_SHARE))
    with transaction.atomic():
        ats = [now - datetime.timedelta(days=rng.uniform(5, 90)) for _ in changed]
        reviews = Review.objects.bulk_create([
            Review(application_id=pk, program="dibao", region_code=code, kind="change", opened_at=at, opened_by=user,
                   due_reason="bench") for (pk, code), at in zip(changed, ats, strict=True)])
        ChangeReport.objects.bulk_create([
            ChangeReport(application_id=review.application_id, region_code=review.region_code, kind="income",
                         note="收入变化", occurred_on=timezone.localtime(review.opened_at).date(), reported_by=user,
                         reported_at=review.opened_at, review=review) for review in reviews])

    # The medical-insurance list: 80 % registered people, 20 % ID numbers the registry does not know.
    people = list(Person.objects.order_by("pk").values_list("id_number", "name", "household__region_id"))
    known = {p[0] for p in people}
    villages = village_codes()
    rows = rng.sample(people, round(list_rows * REGISTERED_SHARE))
    strangers = set()
    counties = sorted({c[:6] for c in villages})
    while len(strangers) < list_rows - len(rows):
        birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(70 * 365))
        number = make_id_number(rng.choice(counties), birth, rng.randrange(1000))
        if number not in known:
            strangers.add(number)
    for number in sorted(strangers):
        rows.append((number, rng.choice(VILLAGE_SURNAMES) + rng.choice("伟芳娜敏静强磊军洋勇艳杰娟涛明超霞平刚红"),
                     rng.choice(villages)))
    rng.shuffle(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["身份证号", "姓名", "区划代码", "自付金额"])
    large = 0
    for number, name, code in rows:
        if rng.random() < LARGE_SHARE:
            amount = rng.randint(2_000_000, 15_000_000) / 100
            large += 1
        else:
            amount = rng.randint(5_000, 1_999_999) / 100
        writer.writerow([number, name, code, f"{amount:.2f}"])
    csv_path(db).write_bytes(out.getvalue().encode("utf-8"))

    ill = PersonCondition.objects.filter(condition="serious_illness").count()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        extra = {"visited": len(visited), "needs_help": needs_help, "open_reviews": len(changed),
                 "serious_illness": ill, "list_rows": len(rows), "list_large": large,
                 "list_registered": round(list_rows * REGISTERED_SHARE),
                 "extra_seconds": round(time.perf_counter() - started, 1)}
        cursor.execute("INSERT INTO bench_meta VALUES ('warn', %s) ON CONFLICT (key) DO UPDATE SET value = "
                       "EXCLUDED.value", [json.dumps(extra)])
    print(f"monitoring work added in {extra['extra_seconds']:.0f} s", file=sys.stderr, flush=True)
    return extra


def village_codes() -> list[str]:
    from regions.models import Region

    return list(Region.objects.filter(level="village", code__startswith=CITY[:4]).order_by("code")
                .values_list("code", flat=True))


# --- measuring ----------------------------------------------------------------------------------

def reset() -> None:
    """The monitoring tables and the warnings' deadlines emptied: each measure starts clean."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM deadlines_deadline WHERE flow = 'warning'")
        cursor.execute("TRUNCATE monitoring_earlywarning, monitoring_scan, monitoring_departmententry, "
                       "monitoring_listimport CASCADE")
        cursor.execute("VACUUM ANALYZE deadlines_deadline")


def instrument():
    """Time each rule inside ``services.scan``: reading (the rule's generator: its queries and
    tests) and, around it, writing (the warnings and their deadlines, in batches)."""
    from django.db import connection

    from workflows.monitoring import services

    stats: dict[str, dict] = defaultdict(lambda: {"seconds": 0.0, "read": 0.0, "queries": 0, "read_queries": 0})
    queries = []
    current = {}

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    def wrap(rule, fn):
        def call(on, prefix, s):
            current["rule"] = rule
            gen = fn(on, prefix, s)

            def timed():
                row = stats[rule]
                while True:
                    t, q = time.perf_counter(), len(queries)
                    try:
                        item = next(gen)
                    except StopIteration:
                        return
                    finally:
                        row["read"] += time.perf_counter() - t
                        row["read_queries"] += len(queries) - q
                    yield item
            return timed()
        return call

    original_raise = services._raise

    def timed_raise(run, findings, policies, *rest):
        row = stats[current["rule"]]
        t, q = time.perf_counter(), len(queries)
        try:
            return original_raise(run, findings, policies, *rest)
        finally:
            row["seconds"] += time.perf_counter() - t
            row["queries"] += len(queries) - q

    originals = dict(services.RULES)
    for rule, fn in originals.items():
        services.RULES[rule] = wrap(rule, fn)
    services._raise = timed_raise
    return stats, queries, lambda: connection.execute_wrapper(count)


def run_scan(stats, queries, wrapper) -> dict:
    from workflows.monitoring import services

    stats.clear()
    queries.clear()
    with wrapper():
        started = time.perf_counter()
        done = services.scan()
        seconds = time.perf_counter() - started
    assert done.status == "done", done.error
    # A check raises under more than one rule (means_eligible also raises near_dibao): counted together.
    rules = {rule: {"raised": sum(done.raised.get(r, 0) for r in services.produces(rule)),
                    "seconds": round(row["seconds"], 2),
                    "read": round(row["read"], 2), "write": round(row["seconds"] - row["read"], 2),
                    "queries": row["queries"], "read_queries": row["read_queries"]} for rule, row in stats.items()}
    return {"seconds": round(seconds, 2), "queries": len(queries), "raised": done.total_raised, "rules": rules,
            "recorded_seconds": round((done.finished_at - done.started_at).total_seconds(), 2)}


def measure(db: str) -> dict:
    connect_django(db)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from deadlines.models import Deadline
    from workflows.monitoring import lists
    from workflows.monitoring.models import DepartmentEntry, EarlyWarning

    reset()
    user = get_user_model().objects.get(username=IMPORTER)
    stats, queries, wrapper = instrument()
    content = csv_path(db).read_bytes()
    baseline = peak_rss_mib()

    queries.clear()
    with wrapper():
        started = time.perf_counter()
        imported = lists.import_list(user, "medical", content, file_name="医保大额自付名单.csv")
        import_seconds = time.perf_counter() - started
    assert imported.status == "imported", imported.errors[:5]
    import_queries = len(queries)
    del content
    import_peak = peak_rss_mib()

    first = run_scan(stats, queries, wrapper)
    first_peak = peak_rss_mib()
    second = run_scan(stats, queries, wrapper)
    assert second["raised"] == 0, second
    warnings = EarlyWarning.objects.count()
    deadlines = Deadline.objects.filter(flow="warning").count()
    assert warnings == first["raised"] == deadlines, (warnings, first["raised"], deadlines)
    # One check, two rules: the households found eligible, and those near-dibao.
    means = EarlyWarning.objects.filter(rule__in=("means_eligible", "near_dibao"))
    split = {"eligible": means.filter(rule="means_eligible").count(), "all": means.count()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_analyze, last_autoanalyze FROM pg_stat_user_tables "
                       "WHERE relname = 'monitoring_departmententry'")
        analyzed = [str(x) if x else None for x in cursor.fetchone()]
    return {"import": {"seconds": round(import_seconds, 2), "queries": import_queries, "rows": imported.rows,
                       "matched": imported.matched, "unmatched": imported.unmatched, "outside": imported.outside,
                       "entries": DepartmentEntry.objects.count(), "bytes": csv_path(db).stat().st_size},
            "first": first, "second": second, "warnings": warnings, "means_split": split, "deadlines": deadlines,
            "entry_analyzed": analyzed, "baseline_mib": round(baseline, 1), "import_peak_mib": round(import_peak, 1),
            "scan_peak_mib": round(first_peak, 1), "peak_mib": round(peak_rss_mib(), 1), "load": os.getloadavg(),
            "machine": machine()}


# --- the report ---------------------------------------------------------------------------------

def report(summary: dict, m: dict, db: str, note: str = "") -> str:
    from workflows.monitoring import services

    first, second, imp = m["first"], m["second"], m["import"]
    total = imp["seconds"] + first["seconds"]
    rows = []
    for check in services.RULES:  # a check and the rules it raises (means_eligible also raises near_dibao)
        a, b = first["rules"].get(check, {}), second["rules"].get(check, {})
        rows.append(f"| {' + '.join(services.produces(check))} | {a.get('raised', 0):,} | {a.get('seconds', 0):.1f} s | {a.get('read', 0):.1f} s | "
                    f"{a.get('write', 0):.1f} s | {a.get('queries', 0):,} | {b.get('seconds', 0):.1f} s | "
                    f"{b.get('raised', 0)} |")
    verdict = "met" if total <= LIMIT_SECONDS else "**not met**"
    analysed = ("the new entries not analysed yet: no autoanalyze of the entries table had run"
                if not m["entry_analyzed"][1] else f"autoanalyze of the entries table last ran at {m['entry_analyzed'][1]}")
    return f"""## Early warning: the nightly job over a city

`python bench/early_warning.py{'' if summary['households'] == 300_000 else f" --households {summary['households']}"}`
— the what-if benchmark's city (bench/what_if.py) in `{db}`: {summary['households']:,} households,
{summary['people']:,} people, {summary['incomes']:,} income rows, {summary['assets']:,} asset valuations,
{summary['serious_illness']:,} people with a serious illness, {summary['enrolled']:,} enrolled 低保 cases;
plus {summary['visited']:,} home visits done ({summary['needs_help']:,} recorded "needs help", 1 to 88 days
ago: those of 15 to 90 days count) and {summary['open_reviews']:,} open change-of-circumstance reviews
(changes reported 5 to 90 days ago: those older than 30 days count). {m['machine']}; load average (1 min)
{m['load'][0]:.1f} at the end: other work shared the two cores. Measured
{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, in a fresh process, the monitoring tables
emptied first.{note}

**Import** (`lists.import_list`, a city administrator, all or nothing): a {imp['bytes'] / 2**20:.1f} MiB CSV of
{imp['rows']:,} medical-insurance rows ({summary['list_large']:,} with out-of-pocket costs of 20,000 yuan or
more) checked, matched by ID number and written: **{imp['seconds']:.1f} s**, {imp['queries']:,} queries;
{imp['matched']:,} matched in the registry, {imp['unmatched']:,} not registered, {imp['outside']} outside the city.

**Scan** (`services.scan()` over the whole city, the six checks raising the seven rules, each warning written with its deadline in
the township's queue): **{first['seconds']:.1f} s**, {first['queries']:,} queries, {first['raised']:,} warnings
raised (and as many deadlines). Reading is the rule's own queries and tests (its generator); writing is
the warnings and deadlines, a batch of 2,000 per transaction. The scan ran straight after the import,
as an upload followed by the night's job may ({analysed}).

| check (its rules) | raised | time | reading | writing | queries | again the same day | raised again |
|---|---:|---:|---:|---:|---:|---:|---:|
{chr(10).join(rows)}
| **all** | **{first['raised']:,}** | **{first['seconds']:.1f} s** | | | {first['queries']:,} | **{second['seconds']:.1f} s** | **{second['raised']}** |

The two means-test rules take the time, as the means test in bulk does (five queries per 2,000
households): `means_eligible` tests every household with no 低保 or 特困 case under way and none
warned of already, `income_over_line` every enrolled household. Of the {m['means_split']['all']:,}
warnings of that check (its row counts both its rules), {m['means_split']['eligible']:,} are `means_eligible`,
households found eligible (the tenth of the eligible that the what-if city leaves unenrolled), and
{m['means_split']['all'] - m['means_split']['eligible']:,} `near_dibao` (a rule of its own, which a city may
leave switched off at first: `MONITORING_RULES`): the synthetic city is mostly elderly on small pensions, so near the line is common; a real
city's first night will differ, later nights only add what changed. `income_over_line` raises nothing
here: the enrolled were enrolled on the same incomes.

Import + scan: **{total:.1f} s** against the target of {LIMIT_SECONDS} s (issue 16): {verdict}. The second scan
the same day raised nothing (every finding has its open warning) in {second['seconds']:.1f} s
({second['queries']:,} queries). Peak memory of the process: {m['baseline_mib']} MiB with Django loaded,
{m['import_peak_mib']} MiB after the import (the file is held in memory, its rows read whole, checked, then
written), {m['scan_peak_mib']} MiB after the first scan, {m['peak_mib']} MiB at the end.
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--db", default=DB)
    parser.add_argument("--list-rows", type=int, default=LIST_ROWS, help="rows of the medical list (when built)")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print, do not rewrite docs/benchmarks.md")
    parser.add_argument("--note", default="", help="a sentence added to the report")
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.db.startswith("engine_warn_bench"):
        raise SystemExit("the benchmark's databases are named engine_warn_bench*")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engine.settings")
    if args.load_only:
        print(json.dumps(load(args.households, args.db, args.list_rows), default=str))
        return
    if args.measure_only:
        print(json.dumps(measure(args.db), default=str))
        return
    if args.regenerate:
        from bench.harness import drop_database

        drop_database(args.db)
        csv_path(args.db).unlink(missing_ok=True)
    started = time.perf_counter()
    loaded = subprocess.run([sys.executable, __file__, "--households", str(args.households), "--db", args.db,
                             "--list-rows", str(args.list_rows), "--load-only"], capture_output=True, text=True)
    sys.stderr.write(loaded.stderr)
    if loaded.returncode:
        raise SystemExit(loaded.returncode)
    summary = json.loads(loaded.stdout.strip().splitlines()[-1])
    print(f"loaded in {time.perf_counter() - started:.0f} s: {json.dumps(summary)}", flush=True)
    measured = subprocess.run([sys.executable, __file__, "--db", args.db, "--measure-only"], capture_output=True,
                              text=True)
    sys.stderr.write(measured.stderr)
    if measured.returncode:
        raise SystemExit(measured.returncode)
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    print(json.dumps(result, ensure_ascii=False), flush=True)
    connect_django(args.db)
    text = report(summary, result, args.db, f" {args.note}" if args.note else "")
    print(text)
    if not args.no_write:
        write_section("early-warning", text)


if __name__ == "__main__":
    main()

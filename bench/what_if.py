"""A policy what-if at city scale: one county's dibao standard raised by 30 yuan, on
PostgreSQL.

    python bench/what_if.py                        # 200,000 households in engine_whatif_bench (built if missing)
    python bench/what_if.py --households 50000     # a smaller city (use --regenerate to change size)
    python bench/what_if.py --city                 # also the same raise city-wide

Loading (not measured) builds the means-test benchmark's city (bench/means_test.py: its
map of Jining's 11 counties, households, people, incomes of every kind, assets and
rules), then enrols in 低保 the households its means test finds eligible on the day
(nine in ten of them; the rest have not applied), each with its approved case, its
details and its payment schedule's start, from January 2026, at the amount the test
gives; a tenth of them at an amount from before their income last rose.

Measuring runs in a fresh process, so its peak memory is the what-if's own: the service
the Celery task calls (``workflows.whatif.services.run``) for one county, urban and rural
standards each 30 yuan higher from the first of next month — every household of the
county tested twice, the cases' amounts compared, the answer and the affected rows
written. Writes the "what-if" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import connect_django, machine, peak_rss_mib, setup_django, write_section  # noqa: E402

DB = "engine_whatif_bench"
COUNTY = "370811000000"
CITY = "370800000000"
RAISE = Decimal("30.00")
ENROLLED_SHARE = 0.9
STALE_SHARE = 0.1


def load(households: int, db: str = DB) -> dict:
    """The city in ``db`` (built if missing), its eligible households enrolled; its summary."""
    setup_django(db)
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from assistance.models import Application
    from bench.means_test import generate, stored_summary
    from means.services import means_test_many
    from registry.models import Household, Person
    from staff.roles import sync_role_groups
    from workflows.dibao.models import DibaoDetails
    from workflows.enrolment.models import BenefitChange

    summary = stored_summary()
    if summary is not None and summary["households"] != households:
        raise SystemExit(f"{db} holds {summary['households']} households: use --regenerate")
    if summary is None:
        print(f"Generating {households:,} households into {db}…", file=sys.stderr, flush=True)
        summary = generate(households)
    enrolled = Application.objects.filter(program="dibao").count()
    if enrolled:
        return {**summary, "enrolled": enrolled}
    sync_role_groups()
    user, _created = get_user_model().objects.get_or_create(username="bench_admin", defaults={"region_id": CITY})
    on = timezone.localdate()
    started = time.perf_counter()
    heads = dict(Person.objects.filter(relation="head").values_list("household_id", "pk"))
    batch: list = []
    made = 0

    def flush():
        nonlocal made
        with transaction.atomic():
            cases = Application.objects.bulk_create([
                Application(household_id=pk, applicant_id=heads[pk], region_code=region, program="dibao",
                            cause="年老体弱，收入不足", status="approved", amount_approved=amount, created_by=user)
                for pk, region, amount, _members in batch])
            DibaoDetails.objects.bulk_create([DibaoDetails(case=case, household_size=members)
                                              for case, (_pk, _region, _amount, members) in zip(cases, batch,
                                                                                                strict=True)])
            BenefitChange.objects.bulk_create([
                BenefitChange(application=case, program="dibao", region_code=case.region_code,
                              county_code=case.region_code[:6] + "000000", month=datetime.date(2026, 1, 1),
                              kind="start", monthly_amount=case.amount_approved, household_size=members,
                              source="approval", created_by=user)
                for case, (_pk, _region, _amount, members) in zip(cases, batch, strict=True)])
        made += len(batch)
        batch.clear()

    regions = dict(Household.objects.values_list("pk", "region_id"))
    for n, result in enumerate(means_test_many(Household.objects.all(), "dibao", on)):
        if not result.eligible or result.household_id not in heads or n % 10 == 9:  # one in ten never applied
            continue
        amount = result.monthly_amount
        if n % 10 == 0:  # paid what an earlier test gave: their income rose since
            amount = amount + Decimal("50.00")
        batch.append((result.household_id, regions[result.household_id], amount, result.members))
        if len(batch) == 5000:
            flush()
    if batch:
        flush()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"enrolled {made:,} households in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return {**summary, "enrolled": made}


def measure(region: str) -> dict:
    connect_django(DB)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from assistance.models import DibaoStandard
    from regions.rules import in_force
    from workflows.enrolment.benefits import following_month
    from workflows.whatif import services
    from workflows.whatif.models import WhatIfRun

    user = get_user_model().objects.get(username="bench_admin")
    on = following_month(timezone.localdate())
    urban = in_force(DibaoStandard.objects.filter(registration="urban"), region, on).monthly_amount
    rural = in_force(DibaoStandard.objects.filter(registration="rural"), region, on).monthly_amount
    run = WhatIfRun.objects.create(kind="standard", region_code=region, requested_by=user, params={
        "program": "dibao", "on": on.isoformat(), "urban": str(urban + RAISE), "rural": str(rural + RAISE)})
    baseline = peak_rss_mib()
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        done = services.run(run.pk)
        seconds = time.perf_counter() - started
    assert done is not None and done.status == "done", (done and done.error)
    total = done.result["total"]
    return {"region": region, "seconds": round(seconds, 2), "queries": len(queries), "on": on.isoformat(),
            "urban": f"{urban} → {urban + RAISE}", "rural": f"{rural} → {rural + RAISE}",
            "households": total["households"], "people": total["people"], "enrolled": total["enrolled"],
            "newly_eligible": total["newly_eligible"], "exits": total["exits_caused"],
            "monthly_change": total["monthly_change"], "yearly_change": total["yearly_change"],
            "rows": done.rows.count(), "peak_mib": round(peak_rss_mib(), 1), "baseline_mib": round(baseline, 1),
            "load": os.getloadavg(), "machine": machine()}


def report(summary: dict, runs: list[dict]) -> str:
    names = {COUNTY: "one county (任城区)", CITY: "the whole city"}
    rows = [f"| {names.get(r['region'], r['region'])} | {r['households']:,} / {r['people']:,} | {r['enrolled']:,} | "
            f"**{r['seconds']:.1f} s** | {r['queries']} | {r['newly_eligible']['households']:,} "
            f"({r['newly_eligible']['people']:,} people) | {Decimal(r['monthly_change']):,.2f} | "
            f"{Decimal(r['yearly_change']):,.2f} | {r['rows']:,} | {r['peak_mib']} MiB | "
            f"{r['load'][0]:.1f} |" for r in runs]
    first = runs[0]
    scale = ""
    if len(runs) > 1:
        last = runs[-1]
        scale = (f" The city-wide run is for scale only (no target): {last['households'] / first['households']:.0f} × "
                 f"the households in {last['seconds'] / first['seconds']:.1f} × the county's time.")
    return f"""## Policy what-if: one county's dibao standard

`python bench/what_if.py{' --city' if len(runs) > 1 else ''}` — the means-test benchmark's city in `{DB}`:
{summary['households']:,} households, {summary['people']:,} people, {summary['incomes']:,} income rows,
{summary['assets']:,} asset valuations, and {summary['enrolled']:,} enrolled 低保 cases (nine in ten of the
households the means test finds eligible, each with its payment schedule; a tenth of them paid 50 yuan more
than the test now gives). The question: urban {first['urban']}, rural {first['rural']} yuan from {first['on']},
answered by `workflows.whatif.services.run` (what the Celery task calls) in a fresh process: every household of
the region tested under both standards from one load of its facts, the cases' amounts compared, then the
answer and the affected households written. {first['machine']}; the load average (1 min) at the end of
each run is in the table: other test runs shared the machine's two cores. Measured
{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC.

| region | households / people | enrolled cases | time | queries | become eligible | monthly change (yuan) | twelve-month change (yuan) | affected rows | peak memory | load |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
{chr(10).join(rows)}

Target ≤ 60 s for one county: {'met' if first['seconds'] <= 60 else 'not met'}.{scale} Queries: five per chunk of
{2000:,} households (as the means test in bulk), the rules and the cases read once, one progress update per
chunk, and the affected rows written in batches of 2,000; none of them writes outside the run's own tables
(workflows.whatif.readonly refuses it). Peak memory is the process's, {first['baseline_mib']} MiB with Django
loaded before the run.
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--city", action="store_true", help="also measure the raise city-wide")
    parser.add_argument("--no-write", action="store_true", help="print, do not rewrite docs/benchmarks.md")
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure-only", metavar="REGION", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engine.settings")
    if args.load_only:
        print(json.dumps(load(args.households), default=str))
        return
    if args.measure_only:
        print(json.dumps(measure(args.measure_only)))
        return
    if args.regenerate:
        from bench.harness import drop_database

        drop_database(DB)
    loaded = subprocess.run([sys.executable, __file__, "--households", str(args.households), "--load-only"],
                            check=True, capture_output=True, text=True)
    sys.stderr.write(loaded.stderr)
    summary = json.loads(loaded.stdout.strip().splitlines()[-1])
    runs = []
    for region in [COUNTY, CITY] if args.city else [COUNTY]:
        measured = subprocess.run([sys.executable, __file__, "--measure-only", region], check=True,
                                  capture_output=True, text=True)
        runs.append(json.loads(measured.stdout.strip().splitlines()[-1]))
        print(json.dumps(runs[-1], ensure_ascii=False), flush=True)
    text = report(summary, runs)
    print(text)
    if not args.no_write:
        write_section("what-if", text)


if __name__ == "__main__":
    main()

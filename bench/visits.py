"""Home visits at city scale: a month of visits for 50,000 plans, on PostgreSQL.

A city has ~50,000 visit plans (ARCHITECTURE.md). The rolling generator makes one visit
per plan and window, each with its deadline, in bulk: per batch of 1,000 plans it locks
the plans, reads the windows that already exist, inserts the new visits, and copies
their deadlines from them with one INSERT … SELECT. The mix is 20 % weekly (high risk), 50 % monthly (key), 30 % quarterly
(general), so June 2026 has 5 weekly windows, 1 monthly and 1 quarterly per plan.

Also timed: deriving the 50,000 plans from the registry with the tier rules, a second
generation run (nothing new: the idempotent path), and the coverage dashboard over the
month's visits.

    python bench/visits.py [--plans 50000] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import machine, measure, setup_django, write_section  # noqa: E402

TOWNSHIPS = 160
VILLAGES_PER_TOWNSHIP = 10
MONTH = datetime.date(2026, 6, 1)


def _regions():
    from regions.models import Region

    Region.objects.get_or_create(code="370800000000", defaults={"name": "济宁市", "level": "city"})
    Region.objects.get_or_create(code="370811000000", defaults={"name": "任城区", "level": "county",
                                                                "parent_id": "370800000000"})
    rows = []
    for t in range(1, TOWNSHIPS + 1):
        township = f"370811{t:03d}000"
        rows.append(Region(code=township, name=f"乡镇{t}", level="township", parent_id="370811000000"))
        rows += [Region(code=f"370811{t:03d}{v:03d}", name=f"村{t}-{v}", level="village", parent_id=township)
                 for v in range(1, VILLAGES_PER_TOWNSHIP + 1)]
    Region.objects.bulk_create(rows, ignore_conflicts=True)


def build(plans: int) -> None:
    """50,000 one-person households with the conditions of each tier, written in bulk."""
    from django.db import connection

    from registry.models import Household, Person, PersonCondition
    from registry.synthetic import make_id_number

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE visits_visitrecord, visits_followup, visits_visit, visits_visitplan, "
                       "visits_pairing, visits_majorevent, registry_personcondition, registry_person, "
                       "registry_household, deadlines_deadlinefiring, deadlines_deadline, audit_auditevent CASCADE")
    _regions()
    villages = [f"370811{t:03d}{v:03d}" for t in range(1, TOWNSHIPS + 1) for v in range(1, VILLAGES_PER_TOWNSHIP + 1)]
    households = Household.objects.bulk_create(
        [Household(region_id=villages[i % len(villages)], address=f"{i}号", registration="rural")
         for i in range(plans)], batch_size=5000)
    base = datetime.date(1930, 1, 1)
    people, conditions = [], []
    for i, household in enumerate(households):
        born = base + datetime.timedelta(days=i % 10950)  # aged 66 to 96
        kind = i % 10
        extra = {"disability_kind": "physical", "disability_grade": 2} if 2 <= kind < 7 else {}
        people.append(Person(household=household, name=f"居民{i}", gender="male", relation="head", birth_date=born,
                             id_number=make_id_number("370811", born, i // 10950), **extra))
    Person.objects.bulk_create(people, batch_size=5000)
    for i, person in enumerate(people):
        kind = i % 10
        if kind < 2:
            conditions.append(PersonCondition(person=person, condition="bedridden"))      # weekly
        elif kind >= 7:
            conditions.append(PersonCondition(person=person, condition="empty_nest"))     # quarterly
        # 2..6: 60+ with a disability, monthly
    PersonCondition.objects.bulk_create(conditions, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_person; ANALYZE registry_personcondition; ANALYZE registry_household")


def _local(day: datetime.date) -> datetime.datetime:
    from deadlines.calendar import local_zone

    return datetime.datetime.combine(day, datetime.time.min, tzinfo=local_zone())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup_django("engine_bench_visits")
    from django.db import connection
    from django.db.models import Count

    from deadlines.models import Deadline
    from staff.models import User
    from visits import coverage, services
    from visits.models import Visit, VisitPlan

    build(args.plans)
    start, end = _local(MONTH), _local(datetime.date(2026, 7, 1)) - datetime.timedelta(seconds=1)
    plan_day = _local(datetime.date(2026, 5, 20))

    def reset_plans():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE visits_visit, visits_visitplan, deadlines_deadline, audit_auditevent CASCADE")

    derived = measure(lambda: services.recompute_plans(now=plan_day, generate=False), runs=1, before=reset_plans)
    plan_count = VisitPlan.objects.filter(active=True).count()
    mix = dict(VisitPlan.objects.values_list("period").annotate(n=Count("pk")).order_by())

    def reset_visits():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE visits_visit, deadlines_deadline CASCADE")

    result = {}

    def generate():
        result["report"] = services.generate_visits(now=start, since=start, until=end)

    month = measure(generate, runs=args.runs, before=reset_visits)
    visits = Visit.objects.count()
    deadlines = Deadline.objects.filter(flow="home_visit", step="visit").count()
    assert visits == result["report"].created == deadlines, (visits, deadlines)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE visits_visit; ANALYZE deadlines_deadline")

    again = measure(lambda: services.generate_visits(now=start, since=start, until=end), runs=args.runs)
    assert Visit.objects.count() == visits

    viewer = User.objects.filter(username="bench-root").first() or User.objects.create_superuser(
        "bench-root", "bench@example.org", None)
    now = _local(datetime.date(2026, 6, 20))
    board = measure(lambda: coverage.coverage(viewer, MONTH, now), runs=args.runs)
    rows = coverage.coverage(viewer, MONTH, now)

    per_visit = month["p50_ms"] / visits * 1000
    text = f"""## Home visits

`python bench/visits.py` — {machine()}.

| operation | rows | p50 | p95 | queries |
|---|---:|---:|---:|---:|
| derive plans from the registry (tier rules) | {args.plans:,} people → {plan_count:,} plans | {derived['p50_ms'] / 1000:.1f} s | — | {derived['queries']:,} |
| generate a month of visits (June 2026), with deadlines | {visits:,} visits + {deadlines:,} deadlines | {month['p50_ms'] / 1000:.1f} s | {month['p95_ms'] / 1000:.1f} s | {month['queries']:,} |
| generate the same month again (nothing new) | 0 | {again['p50_ms'] / 1000:.1f} s | {again['p95_ms'] / 1000:.1f} s | {again['queries']:,} |
| coverage dashboard for the month (whole city) | {len(rows.rows)} townships | {board['p50_ms']:.0f} ms | {board['p95_ms']:.0f} ms | {board['queries']:,} |

Plans: {mix.get('week', 0):,} weekly, {mix.get('month', 0):,} monthly, {mix.get('quarter', 0):,} quarterly, in
{TOWNSHIPS} townships of {TOWNSHIPS * VILLAGES_PER_TOWNSHIP:,} villages. Generation costs about
{per_visit:.0f} µs per visit. Per batch of 1,000 plans it makes one locking read of the plans, one read
of the windows that already exist, one bulk insert of the new visits and one INSERT … SELECT that
copies their deadlines from them (per SLA policy in force), so the query count follows plans / 1,000,
not visits. Run again, it only reads: the existing (plan, window) pairs are skipped, and the unique
constraint stays the last guard. The dashboard is one grouped query, one more for the visits
overdue now (an EXISTS on the deadlines engine's overdue rows, as a semi-join), the township names
and the unpaired-household count.
{args.runs} runs each (the plan derivation once), tables emptied between generation runs; load
average at the end {", ".join(f"{x:.1f}" for x in os.getloadavg())} (1, 5, 15 min, on 2 cores).
"""
    write_section("visits", text)
    print(text)


if __name__ == "__main__":
    main()

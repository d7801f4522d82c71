"""Program statistics at city scale, on PostgreSQL.

    python bench/program_statistics.py                      # load the city when missing, then measure
    python bench/program_statistics.py --cases 20000        # a smaller city

Loading (not measured) bulk-writes a city of 11 counties and 132 townships into its own
database (engine_statistics): N enrolled households (低保, one in twenty 特困) with their
payment schedules (starts spread over two years, one in a hundred stopped, one in a
hundred in gradual exit), twelve months of paid roster lines for every case, and 3,600
temporary cases over the year (decided, paid from the township's reserve fund with their
ledger entries, one in ten by county transfer).

Measured in a fresh process: computing one month for the city (what the hourly job does),
computing the twelve months (the command after a restore), and the statistics page for
the city supervisor — a month, a quarter, a year; the county and township drill-down; the
API — as p50/p95 of whole requests with their query counts. Side by side in the same run:
the page against computing the same month from the records on each view, which is what
the monthly figures table saves. Writes the "statistics" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
import zoneinfo
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import connect_django, drop_database, machine, measure, setup_django, write_section  # noqa: E402

DB = "engine_statistics"
CITY = "370800000000"
COUNTIES = [f"3708{c:02d}000000" for c in range(11, 22)]
TOWNSHIPS_PER_COUNTY = 12
VILLAGES_PER_TOWNSHIP = 5
LAST_MONTH = datetime.date(2026, 11, 1)
TEMPORARY_CASES = 3600
ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


def _months(last: datetime.date, n: int) -> list[datetime.date]:
    out = []
    y, m = last.year, last.month
    for _ in range(n):
        out.append(datetime.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _loaded(cases: int) -> bool:
    """The city is there whole (rosters are written last); anything else is dropped and rebuilt
    (ledgers are append-only: a half-loaded city cannot be emptied row by row)."""
    import psycopg

    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
    try:
        with psycopg.connect(base.rstrip("/") + "/" + DB) as conn:
            starts = conn.execute("SELECT count(*) FROM enrolment_benefitchange WHERE kind = 'start'").fetchone()[0]
            lines = conn.execute("SELECT EXISTS (SELECT 1 FROM rosters_rosterline)").fetchone()[0]
    except psycopg.Error:
        return False
    return starts == cases and lines


def load(cases: int) -> None:
    if _loaded(cases):
        return
    drop_database(DB)
    setup_django(DB)
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from assistance.models import Application, Instalment
    from funds.models import LedgerEntry, ReserveFund
    from regions.models import Region
    from registry.models import Household, Person
    from registry.synthetic import make_id_number
    from staff.roles import sync_role_groups
    from workflows.enrolment.models import BenefitChange
    from workflows.rosters.models import Roster

    with transaction.atomic():
        Region.objects.get_or_create(code=CITY, defaults={"name": "济宁市", "level": "city"})
        villages = []
        for c, county in enumerate(COUNTIES):
            Region.objects.get_or_create(code=county, defaults={"name": f"第{c + 1}区县", "level": "county",
                                                                "parent_id": CITY})
            for t in range(1, TOWNSHIPS_PER_COUNTY + 1):
                township = f"{county[:6]}{t:03d}000"
                Region.objects.get_or_create(code=township, defaults={"name": f"{c + 1}-{t}街道", "level": "township",
                                                                      "parent_id": county})
                for v in range(1, VILLAGES_PER_TOWNSHIP + 1):
                    code = f"{county[:6]}{t:03d}{v:03d}"
                    Region.objects.get_or_create(code=code, defaults={"name": f"{c + 1}-{t}-{v}社区",
                                                                      "level": "village", "parent_id": township})
                    villages.append(code)
        sync_role_groups()
        user, _ = get_user_model().objects.get_or_create(username="bench_stats", defaults={"region_id": CITY})
        from django.contrib.auth.models import Group

        user.groups.add(Group.objects.get(name="supervisor"))
        admin, _ = get_user_model().objects.get_or_create(username="bench_admin", defaults={
            "is_superuser": True, "is_staff": True})
    starts = _months(datetime.date(2026, 10, 1), 24)
    batch = 10_000
    total = cases + TEMPORARY_CASES
    for begin in range(0, total, batch):
        n = min(batch, total - begin)
        with transaction.atomic():
            households = Household.objects.bulk_create([
                Household(region_id=villages[(begin + i) * 7 % len(villages)], address=f"幸福路{begin + i}号",
                          registration="rural", created_by=user) for i in range(n)])
            people = Person.objects.bulk_create([
                Person(household=h, name=f"孙{begin + i:06d}", gender="male", relation="head",
                       birth_date=datetime.date(1935, 1, 1) + datetime.timedelta(days=(begin + i) % 9000),
                       id_number=make_id_number("370811", datetime.date(1935, 1, 1)
                                                + datetime.timedelta(days=(begin + i) % 9000), (begin + i) // 9000))
                for i, h in enumerate(households)])
            rows = []
            for i, (h, p) in enumerate(zip(households, people, strict=True)):
                k = begin + i
                if k < cases:
                    program = "tekun" if k % 20 == 0 else "dibao"
                    status = "stopped" if k % 100 == 1 else "gradual_exit" if k % 100 == 2 else "approved"
                    start = starts[k % len(starts)]
                    created = datetime.datetime(start.year, start.month, 1, tzinfo=ZONE) - datetime.timedelta(days=35)
                    rows.append(Application(household=h, applicant=p, region_code=h.region_id, program=program,
                                            cause="年老体弱", status=status, amount_approved=Decimal(600 + k % 400),
                                            created_by=user, decided_at=created + datetime.timedelta(days=20 + k % 15)))
                else:
                    month = _months(LAST_MONTH, 12)[k % 12]
                    created = datetime.datetime(month.year, month.month, 1 + k % 20, 9, tzinfo=ZONE)
                    rejected = k % 9 == 0
                    rows.append(Application(household=h, applicant=p, region_code=h.region_id, program="temporary",
                                            cause="重大疾病", status="rejected" if rejected else "filed",
                                            amount_approved=None if rejected else Decimal(1000 + k % 3000),
                                            amount_paid=Decimal("0") if rejected else Decimal(1000 + k % 3000),
                                            created_by=user, decided_at=created + datetime.timedelta(days=3 + k % 12)))
            apps = Application.objects.bulk_create(rows)
            for a in apps:  # created_at is auto_now_add: set it as the cases were received
                a.created_at = a.decided_at - datetime.timedelta(days=20 if a.program != "temporary" else 3)
            Application.objects.bulk_update(apps, ["created_at"], batch_size=2000)
            changes = []
            for a in apps:
                if a.program == "temporary":
                    continue
                decided = a.decided_at.date()
                start = datetime.date(decided.year + decided.month // 12, decided.month % 12 + 1, 1)
                changes.append(BenefitChange(application=a, program=a.program, region_code=a.region_code,
                                             county_code=a.region_code[:6] + "000000", month=start, kind="start",
                                             monthly_amount=a.amount_approved, household_size=1 + a.pk % 3,
                                             source="approval"))
                if a.status == "stopped":
                    changes.append(BenefitChange(application=a, program=a.program, region_code=a.region_code,
                                                 county_code=a.region_code[:6] + "000000",
                                                 month=_months(LAST_MONTH, 1 + a.pk % 6)[0], kind="stop",
                                                 monthly_amount=0, source="review"))
                elif a.status == "gradual_exit":
                    month = _months(LAST_MONTH, 1 + a.pk % 4)[0]
                    changes.append(BenefitChange(application=a, program=a.program, region_code=a.region_code,
                                                 county_code=a.region_code[:6] + "000000", month=month,
                                                 kind="gradual_exit", monthly_amount=a.amount_approved,
                                                 until_month=_months(LAST_MONTH, 1)[0], source="review"))
            BenefitChange.objects.bulk_create(changes, batch_size=5000)
        print(f"loaded {begin + n:,} cases", file=sys.stderr)

    # Reserve funds and their ledgers: a payout per paid temporary case (one in ten by county transfer).
    with transaction.atomic():
        funds = {}
        for code in Region.objects.filter(level="township").values_list("code", flat=True):
            funds[code] = ReserveFund.objects.create(township_id=code, balance=Decimal("10000000.00"))
        paid = Application.objects.filter(program="temporary", status="filed").order_by("pk")
        entries, instalments = [], []
        for a in paid:
            source = "county_transfer" if a.pk % 10 == 0 else "reserve_fund"
            instalments.append(Instalment(application=a, number=1, amount=a.amount_approved, status="paid",
                                          source=source, paid_at=a.decided_at, paid_by=user))
            if source == "reserve_fund":
                local = timezone.localtime(a.decided_at)
                entries.append(LedgerEntry(fund=funds[a.region_code[:9] + "000"], kind="disbursement", direction=-1,
                                           amount=a.amount_approved, balance_after=Decimal("5000000.00"),
                                           at=a.decided_at, month=local.date().replace(day=1), application=a,
                                           instalment_number=1, idempotency_key=f"application:{a.pk}:instalment:1",
                                           actor=user))
        Instalment.objects.bulk_create(instalments, batch_size=5000)
        LedgerEntry.objects.bulk_create(entries, batch_size=5000)

    # Twelve months of rosters, every line of a case paying that month paid (set-based: millions of rows).
    for month in _months(LAST_MONTH, 12):
        with transaction.atomic():
            for county in COUNTIES:
                for program in ("dibao", "tekun"):
                    roster = Roster.objects.create(county_code=county, program=program, month=month,
                                                   status="locked", created_by=user, locked_at=timezone.now(),
                                                   locked_by=user)
                    with connection.cursor() as cursor:
                        cursor.execute("""
                            INSERT INTO rosters_rosterline (roster_id, program, month, application_id, household_id,
                                region_code, amount, people, payee, bank_name, account_number, status, attempt,
                                bank_reference, failure_reason, settled_at, run)
                            SELECT %s, a.program, %s, a.id, a.household_id, a.region_code, a.amount_approved,
                                   1, '', '', '', 'paid', 1, 'BK' || a.id, '', now(), 1
                            FROM assistance_application a
                            JOIN enrolment_benefitchange b ON b.application_id = a.id AND b.kind = 'start'
                            WHERE a.program = %s AND a.region_code BETWEEN %s AND %s AND b.month <= %s
                              AND NOT EXISTS (SELECT 1 FROM enrolment_benefitchange s WHERE s.application_id = a.id
                                              AND s.kind = 'stop' AND s.month <= %s)""",
                                       [roster.pk, month, program, county, county[:6] + "999999", month, month])
        print(f"rosters of {month:%Y-%m} loaded", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run(cases: int, runs: int) -> dict:
    connect_django(DB)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from staff.models import User
    from workflows.reporting import refresh
    from workflows.reporting.models import MonthlyFigure

    out: dict = {"cases": cases, "machine": machine()}
    MonthlyFigure.objects.all()._raw_delete(MonthlyFigure.objects.db)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        refresh.refresh_month(CITY, LAST_MONTH)
    out["month_s"] = round(time.perf_counter() - started, 2)
    out["month_queries"] = len(ctx.captured_queries)
    started = time.perf_counter()
    for month in _months(LAST_MONTH, 12):
        refresh.refresh_month(CITY, month)
    out["year_s"] = round(time.perf_counter() - started, 2)
    out["rows"] = MonthlyFigure.objects.count()
    from django.db.models import Sum

    out["paid_year"] = str(MonthlyFigure.objects.aggregate(s=Sum("paid_roster"))["s"])

    client = Client()
    client.force_login(User.objects.get(username="bench_stats"))
    county, township = COUNTIES[0], COUNTIES[0][:6] + "001000"
    pages = {
        "city, month": f"/statistics/?period={LAST_MONTH:%Y-%m}",
        "city, quarter": "/statistics/?period=2026-Q4",
        "city, year": "/statistics/?period=2026",
        "county, year": f"/statistics/?region={county}&period=2026",
        "township, month": f"/statistics/?region={township}&period={LAST_MONTH:%Y-%m}",
        "API, city, year": "/api/v1/statistics/?period=2026",
    }
    out["pages"] = {}
    for label, url in pages.items():
        def get(url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        get()
        out["pages"][label] = measure(get, runs=runs)
    # What the table saves: the same month computed from the records on a page view.
    out["live_month"] = measure(lambda: refresh.compute_month(refresh._region(CITY), LAST_MONTH), runs=3)
    out["load"] = round(os.getloadavg()[0], 1)
    return out


def report(r: dict) -> str:
    rows = "\n".join(f"| {label} | {m['p50_ms']:.0f} | {m['p95_ms']:.0f} | {m['queries']} |"
                     for label, m in r["pages"].items())
    city_year = r["pages"]["city, year"]["p95_ms"]
    return f"""## Program statistics

`python bench/program_statistics.py --cases {r['cases']}` — a city of 11 counties and 132 townships with {r['cases']:,}
enrolled 低保/特困 households (twelve months of paid roster lines each), and 3,600 temporary cases over the year
paid from reserve funds and county transfers, on PostgreSQL (database `{DB}`). {r['machine']}. Measured
{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, in a fresh process.

Computing the figures (what the jobs do): one month for the city **{r['month_s']} s** ({r['month_queries']} queries,
the hourly job); the twelve months **{r['year_s']} s** ({r['rows']:,} rows of figures; roster money over the year
{Decimal(r['paid_year']):,.2f} yuan). Load average when measured: {r.get('load', '?')} (2 cores).

| statistics page (city supervisor) | p50 ms | p95 ms | queries |
|---|---:|---:|---:|
{rows}

The city's page for a year: **p95 {city_year:.0f} ms** (limit 300). Side by side: computing the same month from
the records on each view would take {r['live_month']['p50_ms'] / 1000:.1f} s (p50) —
{r['live_month']['p50_ms'] / r['pages']['city, month']['p50_ms']:.0f} × the page that reads the monthly figures.
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # The benchmarks' settings: the test client's host, a fast password hasher.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    if args.measure_only:
        print(json.dumps(run(args.cases, args.runs)))
        return
    if args.load_only:
        load(args.cases)
        return
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--cases", str(args.cases), "--load-only"], check=True)
    print(f"data ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    result = subprocess.run([sys.executable, __file__, "--cases", str(args.cases), "--runs", str(args.runs),
                             "--measure-only"], check=True, capture_output=True, text=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print(json.dumps(figures, indent=1))
    write_section("statistics", report(figures))


if __name__ == "__main__":
    main()

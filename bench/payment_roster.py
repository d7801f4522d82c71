"""The monthly payment roster at city scale: generate, lock and export a roster of
200,000 enrolled cases, then import the bank's results for every line, on PostgreSQL.

    python bench/payment_roster.py              # load the data when missing, then measure
    python bench/payment_roster.py --cases 20000

Loading (not measured) bulk-writes one county of N single-person 低保 households, each
with an approved case, its schedule's start entry and a bank account, into its own
database (engine_rosters). Measuring runs in a fresh process, so its peak memory is the
roster's own: the services the Celery task and the pages call (generate, regenerate,
lock, the bank file as CSV, the bank-result import). Side by side in the same run:
regenerating the unchanged draft against the first generation, and each step against
the first generation. Writes the "payment-roster" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import connect_django, machine, peak_rss_mib, setup_django, write_section  # noqa: E402

DB = "engine_rosters"
COUNTY = "370811000000"
MONTH = datetime.date(2026, 12, 1)


def load(cases: int) -> None:
    setup_django(DB)
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from assistance.models import Application
    from regions.models import Region
    from registry.models import Household, Person
    from registry.synthetic import make_id_number
    from staff.roles import sync_role_groups
    from workflows.enrolment.models import BenefitChange
    from workflows.rosters.models import BankAccount, BankResultImport, Roster, RosterLine

    have = BenefitChange.objects.filter(county_code=COUNTY).count()
    if have == cases:
        return
    with transaction.atomic():
        for model in (BankResultImport, RosterLine, Roster):
            model.objects.all()._raw_delete(model.objects.db)
        for model in (BankAccount, BenefitChange, Application, Person, Household):
            model.objects.all()._raw_delete(model.objects.db)
        Region.objects.get_or_create(code="370800000000", defaults={"name": "济宁市", "level": "city"})
        Region.objects.get_or_create(code=COUNTY, defaults={"name": "任城区", "level": "county",
                                                            "parent_id": "370800000000"})
        villages = []
        for t in range(1, 11):
            township = f"370811{t:03d}000"
            Region.objects.get_or_create(code=township, defaults={"name": f"第{t}街道", "level": "township",
                                                                  "parent_id": COUNTY})
            for v in range(1, 21):
                code = f"370811{t:03d}{v:03d}"
                Region.objects.get_or_create(code=code, defaults={"name": f"第{t}-{v}社区", "level": "village",
                                                                  "parent_id": township})
                villages.append(code)
        sync_role_groups()
        user, _ = get_user_model().objects.get_or_create(username="bench_finance", defaults={"region_id": COUNTY})
    batch = 10_000
    for start in range(0, cases, batch):
        n = min(batch, cases - start)
        with transaction.atomic():
            households = Household.objects.bulk_create([
                Household(region_id=villages[(start + i) % len(villages)], address=f"幸福路{start + i}号",
                          registration="rural", created_by=user) for i in range(n)])
            people = Person.objects.bulk_create([
                Person(household=h, name=f"孙{start + i:06d}", gender="male", relation="head",
                       birth_date=datetime.date(1935, 1, 1) + datetime.timedelta(days=(start + i) % 9000),
                       id_number=make_id_number("370811", datetime.date(1935, 1, 1)
                                                + datetime.timedelta(days=(start + i) % 9000), (start + i) // 9000))
                for i, h in enumerate(households)])
            apps = Application.objects.bulk_create([
                Application(household=h, applicant=p, region_code=h.region_id, program="dibao", cause="年老体弱",
                            status="approved", amount_approved=Decimal(600 + (start + i) % 400), created_by=user)
                for i, (h, p) in enumerate(zip(households, people, strict=True))])
            BenefitChange.objects.bulk_create([
                BenefitChange(application=a, program="dibao", region_code=a.region_code, county_code=COUNTY,
                              month=datetime.date(2025, 1 + (a.pk % 12), 1), kind="start",
                              monthly_amount=a.amount_approved, household_size=1, source="approval")
                for a in apps])
            BankAccount.objects.bulk_create([
                BankAccount(application=a, holder=p.name, bank_name="济宁农商银行",
                            account_number=f"62230915{a.pk:010d}")
                for a, p in zip(apps, people, strict=True)])
        print(f"loaded {start + n:,} cases", file=sys.stderr)


def measure(cases: int) -> dict:
    connect_django(DB)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from workflows.rosters import services
    from workflows.rosters.models import BankResultImport, Roster, RosterLine

    user = get_user_model().objects.get(username="bench_finance")
    Roster.objects.filter(county_code=COUNTY).exists()  # warm the connection
    for model in (BankResultImport, RosterLine, Roster):
        model.objects.all()._raw_delete(model.objects.db)
    baseline = peak_rss_mib()
    out = {}

    def timed(name, fn):
        started = time.perf_counter()
        value = fn()
        out[name] = round(time.perf_counter() - started, 2)
        return value

    roster = Roster.objects.create(county_code=COUNTY, program="dibao", month=MONTH, created_by=user)
    timed("generate_s", lambda: services.generate(roster.pk))
    roster.refresh_from_db()
    assert roster.line_count == cases, roster.line_count
    Roster.objects.filter(pk=roster.pk).update(status="generating")
    timed("regenerate_s", lambda: services.generate(roster.pk))
    user = _with_role(user)
    roster = timed("lock_s", lambda: services.lock(user, Roster.objects.get(pk=roster.pk)))
    with tempfile.TemporaryFile() as f:
        def write_csv():
            for chunk in services.bank_csv(roster):
                f.write(chunk.encode("utf-8"))
            return f.tell()
        out["bank_file_bytes"] = timed("bank_csv_s", write_csv)
    # The bank's answer: every line paid but one in a hundred failed.
    ids = list(RosterLine.objects.filter(roster=roster).order_by("pk").values_list("pk", flat=True))
    rows = ["line,status,bank_reference,reason"]
    rows += [f"{pk},failed,,账户冻结" if i % 100 == 0 else f"{pk},paid,BK{pk:012d}," for i, pk in enumerate(ids)]
    content = ("\n".join(rows) + "\n").encode()
    report = timed("import_s", lambda: services.import_results(user, roster, content, file_name="bank.csv"))
    assert report.status == "applied" and report.paid + report.failed == cases, (report.status, report.errors[:3])
    out.update(cases=cases, lines=roster.line_count, total=str(roster.total), paid=report.paid,
               failed=report.failed, peak_mib=round(peak_rss_mib(), 1), baseline_mib=round(baseline, 1),
               machine=machine())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('rosters_rosterline'))")
        out["lines_table"] = cursor.fetchone()[0]
    return out


def _with_role(user):
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name="county_finance"))
    return type(user).objects.get(pk=user.pk)


def report(r: dict) -> str:
    gen_lock_export = r["generate_s"] + r["lock_s"] + r["bank_csv_s"]
    return f"""## Payment roster: generate, lock, bank file, reconciliation

`python bench/payment_roster.py --cases {r['cases']}` — one county of {r['cases']:,} enrolled 低保 cases on
PostgreSQL (database `{DB}`), measured in a fresh process. {r['machine']}. Measured
{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC.

| step | seconds | × first generation |
|---|---:|---:|
| generate the roster (new, {r['lines']:,} lines, total {r['total']}) | {r['generate_s']} | 1.00 |
| regenerate the unchanged draft | {r['regenerate_s']} | {r['regenerate_s'] / r['generate_s']:.2f} |
| lock | {r['lock_s']} | {r['lock_s'] / r['generate_s']:.2f} |
| bank file, CSV ({r['bank_file_bytes'] / 2**20:.1f} MiB) | {r['bank_csv_s']} | {r['bank_csv_s'] / r['generate_s']:.2f} |
| **generate + lock + export** | **{gen_lock_export:.2f}** (limit 30) | |
| import the bank's results ({r['paid']:,} paid, {r['failed']:,} failed) | **{r['import_s']}** (limit 30) | {r['import_s'] / r['generate_s']:.2f} |

Peak memory of the whole process: **{r['peak_mib']} MiB** (limit 1,024; {r['baseline_mib']} MiB with Django
loaded, before the roster). The lines table holds {r['lines_table']} for the roster.
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engine.settings")
    if args.measure_only:
        print(json.dumps(measure(args.cases)))
        return
    if args.load_only:
        load(args.cases)
        return
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--cases", str(args.cases), "--load-only"], check=True)
    print(f"data ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    result = subprocess.run([sys.executable, __file__, "--cases", str(args.cases), "--measure-only"], check=True,
                            capture_output=True, text=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print(json.dumps(figures))
    write_section("payment-roster", report(figures))


if __name__ == "__main__":
    main()

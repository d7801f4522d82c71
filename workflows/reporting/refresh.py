"""Computing the monthly figures from the records the cases use.

One month of one region is computed in a handful of grouped queries and one pass over
the enrolled cases' payment schedules, then written in one transaction (the month's
rows for that region are replaced whole). Where each figure comes from:

- received: cases whose ``created_at`` falls in the month;
- approved / rejected: cases decided in the month (``decided_at``) whose status is now
  one of the program's decided / rejected statuses; their days from receipt to decision
  (calendar days, local dates) go into the month's distribution;
- open at the end: received before the month's end and not decided by then (a case
  closed without a decision, e.g. referred elsewhere, no longer counts);
- households and people covered: for programs paid monthly, the cases whose payment
  schedule pays the month (``BenefitChange.pays_in``, the roster's own definition) and
  the people that entry covers; for programs paid once, the households paid in the month
  and their members; for the price subsidy, the roster lines paid and their people;
- paid from the reserve fund: the fund's ledger, disbursements less reversals in the
  month (the ledger's ``month``), by the case's program; paid by the county: instalments
  paid by county transfer in the month; paid by roster: roster lines of the month the
  bank reported paid;
- new enrolments, gradual exits, exits: payment-schedule entries taking effect in the
  month (start, gradual exit, stop).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import Count, DecimalField, F, Q, Sum
from django.utils import timezone

from assistance.models import Application, Instalment, InstalmentSource, InstalmentStatus
from core import programs
from core.money import MONEY_FIELD
from deadlines.calendar import start_of_day as local_start
from funds.models import EntryKind, LedgerEntry
from regions.codes import subtree_range, township_of, township_of_column, within
from regions.models import Region
from registry.models import Person
from workflows.enrolment.benefits import add_months
from workflows.enrolment.models import BenefitChange, BenefitKind
from workflows.rosters.models import LineStatus, RosterLine, RosterProgram, SubsidyRecipient

from .models import ZERO, MonthlyFigure

PRICE_SUBSIDY = RosterProgram.PRICE_SUBSIDY.value
_COUNT_FIELDS = ("received", "approved", "rejected", "open_at_end", "households_covered", "people_covered",
                 "new_enrolments", "gradual_exits", "exits")
_MONEY_FIELDS = ("paid_reserve_fund", "paid_county", "paid_roster")


def _region(code: str) -> Region:
    return Region.objects.get(code=code)


class _Rows:
    """The month's figures as they are counted: (township, program) → field → value."""

    def __init__(self):
        self.rows: dict[tuple[str, str], dict] = defaultdict(dict)

    def add(self, township: str, program: str, name: str, value) -> None:
        row = self.rows[(township, program)]
        row[name] = row.get(name, 0) + value

    def figures(self, month: datetime.date, now) -> list[MonthlyFigure]:
        out = []
        for (township, program), values in sorted(self.rows.items()):
            if not any(values.get(name) for name in (*_COUNT_FIELDS, *_MONEY_FIELDS, "decision_days")):
                continue
            days = values.pop("decision_days", None) or Counter()
            out.append(MonthlyFigure(
                township_code=township, program=program, month=month, computed_at=now,
                decision_days={str(k): v for k, v in sorted(days.items())},
                **{name: values.get(name, 0) for name in _COUNT_FIELDS},
                **{name: values.get(name) or ZERO for name in _MONEY_FIELDS}))
        return out


def _cases(region: Region):
    return Application.objects.filter(within("region_code", region.code, region.level))


def _count_cases(rows: _Rows, region: Region, start, end) -> None:
    cases = _cases(region).annotate(township=township_of_column("region_code"))
    for row in (cases.filter(created_at__gte=start, created_at__lt=end)
                .values("township", "program").annotate(n=Count("id")).order_by()):
        rows.add(row["township"], row["program"], "received", row["n"])

    specs = {p.code: p for p in programs.programs()}
    zone = timezone.get_current_timezone()
    for township, program, status, created, decided in (
            cases.filter(decided_at__gte=start, decided_at__lt=end)
            .values_list("township", "program", "status", "created_at", "decided_at").iterator(chunk_size=5000)):
        spec = specs.get(program)
        if spec is None:
            continue
        if status in spec.decided_statuses:
            rows.add(township, program, "approved", 1)
        elif status in spec.rejected_statuses:
            rows.add(township, program, "rejected", 1)
        else:
            continue
        days = (decided.astimezone(zone).date() - created.astimezone(zone).date()).days
        rows.rows[(township, program)].setdefault("decision_days", Counter())[days] += 1

    still_open = Q()
    for spec in specs.values():
        still_open |= Q(program=spec.code, decided_at__isnull=True, status__in=spec.open_statuses)
    for row in (cases.filter(created_at__lt=end).filter(still_open | Q(decided_at__gte=end))
                .values("township", "program").annotate(n=Count("id")).order_by()):
        rows.add(row["township"], row["program"], "open_at_end", row["n"])


def _count_schedules(rows: _Rows, region: Region, month: datetime.date) -> None:
    """Coverage from the entry in force for the month, and the month's schedule changes."""
    changes = BenefitChange.objects.filter(within("region_code", region.code, region.level))
    in_force: dict[int, tuple] = {}
    for entry in (changes.filter(month__lte=month).order_by("application_id", "month", "id")
                  .values_list("application_id", "region_code", "program", "kind", "monthly_amount",
                               "until_month", "household_size").iterator(chunk_size=10000)):
        in_force[entry[0]] = entry  # ordered: the last one seen is the one in force
    for _case, region_code, program, kind, amount, until, size in in_force.values():
        entry = BenefitChange(kind=kind, monthly_amount=amount, until_month=until)
        if entry.pays_in(month):
            township = township_of(region_code)
            rows.add(township, program, "households_covered", 1)
            rows.add(township, program, "people_covered", size or 1)

    field_of = {BenefitKind.START: "new_enrolments", BenefitKind.GRADUAL_EXIT: "gradual_exits",
                BenefitKind.STOP: "exits"}
    for row in (changes.filter(month=month, kind__in=list(field_of)).annotate(township=township_of_column("region_code"))
                .values("township", "program", "kind").annotate(n=Count("application_id", distinct=True)).order_by()):
        rows.add(row["township"], row["program"], field_of[row["kind"]], row["n"])


def _count_one_off_payments(rows: _Rows, region: Region, start, end, month: datetime.date) -> None:
    """Programs paid by instalment: money from the fund's ledger and the county's transfers,
    and the households paid in the month with their members."""
    ledger = LedgerEntry.objects.filter(month=month, fund__township__code__range=subtree_range(region.code, region.level))
    # A disbursement pays out (direction -1), its reversal brings the money back (+1).
    for row in (ledger.filter(kind__in=[EntryKind.DISBURSEMENT, EntryKind.REVERSAL], application__isnull=False)
                .values("fund__township_id", "application__program")
                .annotate(total=Sum(F("amount") * -F("direction"), output_field=DecimalField(**MONEY_FIELD))).order_by()):
        rows.add(row["fund__township_id"], row["application__program"], "paid_reserve_fund", row["total"])

    paid = Instalment.objects.filter(status=InstalmentStatus.PAID, paid_at__gte=start, paid_at__lt=end,
                                     application__in=_cases(region))
    for row in (paid.filter(source=InstalmentSource.COUNTY_TRANSFER)
                .annotate(township=township_of_column("application__region_code"))
                .values("township", "application__program").annotate(total=Sum("amount")).order_by()):
        rows.add(row["township"], row["application__program"], "paid_county", row["total"])

    households: dict[tuple[str, str], set[int]] = defaultdict(set)
    for region_code, program, household in (paid.values_list("application__region_code", "application__program",
                                                             "application__household_id").distinct()):
        households[(township_of(region_code), program)].add(household)
    everyone = set().union(*households.values()) if households else set()
    members = Counter(dict(Person.objects.filter(household_id__in=everyone).values("household_id")
                           .annotate(n=Count("id")).values_list("household_id", "n").order_by())) if everyone else {}
    for (township, program), ids in households.items():
        rows.add(township, program, "households_covered", len(ids))
        rows.add(township, program, "people_covered", sum(members.get(h, 0) for h in ids))


def _count_rosters(rows: _Rows, region: Region, month: datetime.date) -> None:
    lines = RosterLine.objects.filter(within("region_code", region.code, region.level), month=month,
                                      status=LineStatus.PAID).annotate(township=township_of_column("region_code"))
    for row in lines.values("township", "program").annotate(total=Sum("amount"), n=Count("id")).order_by():
        rows.add(row["township"], row["program"], "paid_roster", row["total"])
        if row["program"] == PRICE_SUBSIDY:
            rows.add(row["township"], PRICE_SUBSIDY, "households_covered", row["n"])
    people = (SubsidyRecipient.objects.filter(line__in=lines.filter(program=PRICE_SUBSIDY))
              .annotate(township=township_of_column("line__region_code"))
              .values("township").annotate(n=Count("id")).order_by())
    for row in people:
        rows.add(row["township"], PRICE_SUBSIDY, "people_covered", row["n"])


def compute_month(region: Region, month: datetime.date) -> list[MonthlyFigure]:
    """The month's figures for every township of ``region``, unsaved."""
    start, end = local_start(month), local_start(add_months(month, 1))
    rows = _Rows()
    _count_cases(rows, region, start, end)
    _count_schedules(rows, region, month)
    _count_one_off_payments(rows, region, start, end, month)
    _count_rosters(rows, region, month)
    return rows.figures(month, timezone.now())


def refresh_month(region_code: str, month: datetime.date) -> int:
    """Compute one month for a region and replace its rows; returns the rows written."""
    region = _region(region_code)
    month = month.replace(day=1)
    figures = compute_month(region, month)
    with transaction.atomic():
        (MonthlyFigure.objects.filter(within("township_code", region.code, region.level), month=month)
         .delete())
        MonthlyFigure.objects.bulk_create(figures, batch_size=1000)
    return len(figures)


def top_regions() -> list[str]:
    """What the nightly job computes: every region without a parent (a province
    deployment holds several cities)."""
    return list(Region.objects.filter(parent__isnull=True).order_by("code").values_list("code", flat=True))

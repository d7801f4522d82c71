"""Reading the statistics of a region and period from the monthly figures.

Sums over the period for flows (cases received and decided, money, enrolments and
exits); the period's last month so far for stocks (cases open, households and people
covered); days to decision merged from each month's distribution, so the average and
the 90th percentile are exact for any region and period. Three queries, whatever the
region's size: the period's sums by child region and program, the last month's stocks,
and the distributions.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Min, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from core import programs
from regions.codes import LEVEL_ORDER, PREFIX_LENGTH, Level, within
from regions.models import Region
from workflows.enrolment.benefits import add_months
from workflows.rosters.models import RosterProgram

from .models import ZERO, MonthlyFigure
from .periods import Period
from .refresh import PRICE_SUBSIDY

FLOW_FIELDS = ("received", "approved", "rejected", "paid_reserve_fund", "paid_county", "paid_roster",
               "new_enrolments", "gradual_exits", "exits")
STOCK_FIELDS = ("open_at_end", "households_covered", "people_covered")
MONEY_FIELDS = ("paid_reserve_fund", "paid_county", "paid_roster")
TREND_MONTHS = 12


def program_labels() -> dict[str, str]:
    labels = {spec.code: str(spec.label) for spec in programs.programs()}
    labels[PRICE_SUBSIDY] = str(RosterProgram.PRICE_SUBSIDY.label)
    return labels


@dataclass
class Figures:
    """One program's figures over a region and period (or the sum of several)."""

    received: int = 0
    approved: int = 0
    rejected: int = 0
    open_at_end: int = 0
    households_covered: int = 0
    people_covered: int = 0
    paid_reserve_fund: Decimal = ZERO
    paid_county: Decimal = ZERO
    paid_roster: Decimal = ZERO
    new_enrolments: int = 0
    gradual_exits: int = 0
    exits: int = 0
    days: Counter = field(default_factory=Counter)

    def add(self, values: dict) -> None:
        for name, value in values.items():
            if value:
                setattr(self, name, getattr(self, name) + value)

    def merge(self, other: Figures) -> None:
        for name in (*FLOW_FIELDS, *STOCK_FIELDS):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.days.update(other.days)

    @property
    def paid(self) -> Decimal:
        return self.paid_reserve_fund + self.paid_county + self.paid_roster

    @property
    def decided(self) -> int:
        return sum(self.days.values())

    @property
    def average_days(self) -> Decimal | None:
        n = self.decided
        if not n:
            return None
        return (Decimal(sum(d * c for d, c in self.days.items())) / n).quantize(Decimal("0.1"))

    @property
    def p90_days(self) -> int | None:
        """The nearest-rank 90th percentile: the fewest days within which 90 % were decided."""
        n = self.decided
        if not n:
            return None
        rank, seen = math.ceil(0.9 * n), 0
        for days in sorted(self.days):
            seen += self.days[days]
            if seen >= rank:
                return days
        return None

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in (*FLOW_FIELDS, *STOCK_FIELDS))


@dataclass
class Row:
    region: Region | None
    code: str
    name: str
    by_program: dict[str, Figures]
    total: Figures


@dataclass
class Statistics:
    region: Region
    period: Period
    programs: dict[str, str]  # code → label, in display order
    totals: dict[str, Figures]  # program → figures over the whole region
    total: Figures
    rows: list[Row]  # one per child region (the region itself at the bottom of the tree)
    child_level: str | None
    stock_month: object  # the month whose stocks are shown
    computed_at: object  # the oldest and newest computation read, or None when nothing is computed
    computed_until: object
    trend: list[dict]


def child_level(region: Region) -> str | None:
    index = LEVEL_ORDER.index(region.level)
    if region.level in (Level.TOWNSHIP, Level.VILLAGE):
        return None
    return LEVEL_ORDER[index + 1]


def stock_month(period: Period):
    """Stocks are read at the period's last month, or this month while the period runs."""
    this_month = timezone.localdate().replace(day=1)
    return min(period.last, this_month)


def _by_child(qs, level: str | None, region: Region):
    length = PREFIX_LENGTH[level] if level else PREFIX_LENGTH[region.level]
    return qs.annotate(child=Substr("township_code", 1, length))


def statistics(region: Region, period: Period) -> Statistics:
    level = child_level(region)
    labels = program_labels()
    figures = MonthlyFigure.objects.filter(within("township_code", region.code, region.level))
    in_period = figures.filter(month__gte=period.first, month__lte=period.last)
    stocks_at = stock_month(period)

    cells: dict[tuple[str, str], Figures] = defaultdict(Figures)
    for row in (_by_child(in_period, level, region).values("child", "program")
                .annotate(**{name: Sum(name) for name in FLOW_FIELDS}).order_by()):
        cells[(row["child"], row["program"])].add({name: row[name] for name in FLOW_FIELDS})
    for row in (_by_child(figures.filter(month=stocks_at), level, region)
                .values("child", "program", *STOCK_FIELDS).order_by()):
        cells[(row["child"], row["program"])].add({name: row[name] for name in STOCK_FIELDS})
    for child, program, days in _by_child(in_period.exclude(decision_days={}), level, region).values_list(
            "child", "program", "decision_days"):
        cells[(child, program)].days.update({int(k): v for k, v in days.items()})
    stamps = in_period.aggregate(first=Min("computed_at"), last=Max("computed_at"))

    if level:
        children = list(Region.objects.filter(parent=region).order_by("code"))
    else:
        children = [region]
    length = PREFIX_LENGTH[level] if level else PREFIX_LENGTH[region.level]
    codes = [p for p in labels if any(program == p for _c, program in cells)] or list(labels)
    shown = {code: labels[code] for code in labels if code in codes}
    rows, totals, total = [], {code: Figures() for code in shown}, Figures()
    for child in children:
        key = child.code[:length]
        by_program = {code: cells.get((key, code), Figures()) for code in shown}
        row_total = Figures()
        for code, fig in by_program.items():
            row_total.merge(fig)
            totals[code].merge(fig)
        total.merge(row_total)
        rows.append(Row(child, child.code, child.name, by_program, row_total))
    return Statistics(region=region, period=period, programs=shown, totals=totals, total=total, rows=rows,
                      child_level=level, stock_month=stocks_at, computed_at=stamps["first"],
                      computed_until=stamps["last"], trend=trend(region, period, shown))


def trend(region: Region, period: Period, shown: dict[str, str]) -> list[dict]:
    """The twelve months to the period's end: received and paid per program and month."""
    last = stock_month(period)
    first = add_months(last, 1 - TREND_MONTHS)
    months = [add_months(first, n) for n in range(TREND_MONTHS)]
    data = {m: {"month": m, "received": dict.fromkeys(shown, 0), "paid": dict.fromkeys(shown, ZERO)} for m in months}
    rows = (MonthlyFigure.objects.filter(within("township_code", region.code, region.level),
                                         month__gte=first, month__lte=last)
            .values("month", "program").annotate(received=Sum("received"), reserve=Sum("paid_reserve_fund"),
                                                  county=Sum("paid_county"), roster=Sum("paid_roster")).order_by())
    for row in rows:
        if row["program"] in shown and row["month"] in data:
            data[row["month"]]["received"][row["program"]] = row["received"] or 0
            data[row["month"]]["paid"][row["program"]] = (row["reserve"] or ZERO) + (row["county"] or ZERO) + (
                row["roster"] or ZERO)
    return [data[m] for m in months]


def level_label(level: str | None) -> str:
    return str(dict(Level.choices).get(level, "")) if level else _("Township")

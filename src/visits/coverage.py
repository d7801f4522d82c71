"""Coverage of home visits per township (a city's: per county) and month, and who has not
been seen lately.

A visit belongs to the month in which its window closes. Each figure is one grouped
query over the visits the user may see, so the page costs the same at 10 visits and
at 100,000. "Overdue now" is read from the deadlines engine (DeadlineQuerySet.overdue),
the one definition every queue and dashboard uses.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Substr
from django.utils import timezone

from deadlines.calendar import local_zone
from deadlines.models import Deadline
from regions.codes import PREFIX_LENGTH, breakdown_level, code_of, within
from regions.models import Region

from .models import Pairing, Visit, VisitPlan, VisitStatus

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str | None, default: datetime.date) -> datetime.date | None:
    """The first day of a "YYYY-MM" month; ``default`` when empty; None when malformed."""
    if not text:
        return default.replace(day=1)
    match = MONTH_RE.match(text.strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return None
    return datetime.date(year, month, 1)


def next_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def previous_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=local_zone())


@dataclass
class Row:
    code: str
    name: str
    planned: int = 0
    done_in_window: int = 0
    done_late: int = 0
    still_open: int = 0  # the window has not closed yet and no visit is recorded
    overdue: int = 0

    @property
    def due_so_far(self) -> int:
        return self.planned - self.still_open

    @property
    def missed(self) -> int:
        """Windows that closed without a visit in them (some were visited late)."""
        return self.due_so_far - self.done_in_window

    @property
    def share(self) -> Decimal | None:
        if not self.due_so_far:
            return None
        return (Decimal(100) * self.done_in_window / self.due_so_far).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def add(self, other: Row) -> None:
        for name in ("planned", "done_in_window", "done_late", "still_open", "overdue"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Coverage:
    month: datetime.date
    rows: list[Row]
    total: Row
    unpaired: int
    level: str  # what the rows are: Level.COUNTY or Level.TOWNSHIP


def _within(qs, place: Region | None):
    return qs.filter(within("region_code", place.code, place.level)) if place is not None else qs


def overdue_visits(now):
    """Visits whose deadline is overdue now, as a subquery."""
    return Deadline.objects.overdue(now).filter(subject_type=ContentType.objects.get_for_model(Visit),
                                                subject_id=OuterRef("pk"))


def coverage(user, month: datetime.date, now: datetime.datetime | None = None, *,
             place: Region | None = None) -> Coverage:
    """The month's coverage of the user's region by township (a city's by county), or of
    ``place`` within it (a county a city supervisor opened: the caller checks it is theirs)."""
    now = now or timezone.now()
    home = place or getattr(user, "region", None)
    level = breakdown_level(home.level if home else None)
    digits = PREFIX_LENGTH[level]
    visits = (_within(Visit.objects.visible_to(user), place).exclude(status=VisitStatus.CANCELLED)
              .filter(window_end__gt=_midnight(month), window_end__lte=_midnight(next_month(month))))
    grouped = (visits.annotate(township=Substr("region_code", 1, digits))
               .values("township").order_by("township")
               .annotate(planned=Count("pk"),
                         done_in_window=Count("pk", filter=Q(status=VisitStatus.DONE, in_window=True)),
                         done_late=Count("pk", filter=Q(status=VisitStatus.DONE, in_window=False)),
                         still_open=Count("pk", filter=Q(window_end__gt=now) & ~Q(status=VisitStatus.DONE))))
    # "Overdue now" in a query of its own: as a filter the EXISTS is one semi-join over the
    # overdue deadlines; inside the counts above it was a subquery run once per visit
    # (90,000 index probes for a city's month).
    overdue = dict(visits.filter(Exists(overdue_visits(now))).annotate(township=Substr("region_code", 1, digits))
                   .values("township").order_by().annotate(n=Count("pk")).values_list("township", "n"))
    grouped = [{**g, "overdue": overdue.get(g["township"], 0)} for g in grouped]
    codes = [code_of(g["township"], level) for g in grouped]
    names = {r.code: r.name for r in Region.objects.filter(code__in=codes).only("code", "name")}
    rows = [Row(code=code, name=names.get(code, code), **{k: v for k, v in g.items() if k != "township"})
            for code, g in zip(codes, grouped, strict=True)]
    total = Row(code="", name="")
    for row in rows:
        total.add(row)
    unpaired = (_within(VisitPlan.objects.visible_to(user), place).filter(active=True)
                .exclude(household_id__in=Pairing.objects.values("household_id"))
                .values("household_id").distinct().count())
    return Coverage(month=month, rows=rows, total=total, unpaired=unpaired, level=level)


def chart(data: Coverage, text: dict) -> dict:
    """Figures for the chart script; the page shows the same figures as a table."""
    return {
        "labels": [r.name for r in data.rows],
        "done": [r.done_in_window for r in data.rows],
        "missed": [r.missed for r in data.rows],
        "overdue": [r.overdue for r in data.rows],
        "share": [float(r.share) if r.share is not None else None for r in data.rows],
        "text": text,
    }


def not_visited(user, days: int, now: datetime.datetime | None = None, *, tier: str = "",
                place: Region | None = None):
    """Active plans of people not visited for more than ``days`` days (never visited:
    counted from the plan's start), longest first; within ``place`` when given."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=days)
    plans = _within(VisitPlan.objects.visible_to(user), place).filter(active=True).filter(
        Q(last_visited_at__lt=cutoff) | Q(last_visited_at__isnull=True, started_at__lt=cutoff))
    if tier:
        plans = plans.filter(tier=tier)
    return plans


def with_row_data(plans):
    """What a not-visited row shows, in a fixed number of queries."""
    return (plans.select_related("person", "household", "household__region", "household__visit_pairing__cadre")
            .order_by(F("last_visited_at").asc(nulls_first=True), "started_at", "pk"))


def days_since(plan: VisitPlan, now) -> int:
    since = plan.last_visited_at or plan.started_at
    return max(0, (now - since).days)

"""Breaches and on-time rates for supervisors and township heads.

Every figure reads "overdue" from DeadlineQuerySet.overdue and is a grouped query (closed
work from ClosedTally), so the dashboard costs the same number of queries, and about
the same time, at 10 deadlines and at 2,000,000.

The figures are broken down one level below the place the dashboard is about: a city's
by county (each county drilling down to its townships), a county's by township.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Substr, TruncWeek
from django.utils import timezone

from regions.codes import PREFIX_LENGTH, breakdown_level, code_of, township_of_column, within
from regions.models import Region

from .calendar import local_zone
from .models import ClosedTally, Deadline, DeadlineStatus

AGE_BUCKETS = [("lt1d", 0, 1), ("1to3d", 1, 3), ("3to7d", 3, 7), ("gt7d", 7, None)]
AGE_KEYS = [key for key, _low, _high in AGE_BUCKETS]


def age_condition(key: str, now: datetime.datetime) -> Q:
    """How long past its due time an overdue deadline is, in whole days: [low, high)."""
    _key, low, high = next(b for b in AGE_BUCKETS if b[0] == key)
    cond = Q(due_at__lte=now - datetime.timedelta(days=low))
    if high is not None:
        cond &= Q(due_at__gt=now - datetime.timedelta(days=high))
    return cond


def _narrow(qs, user, *, region: str = "", step: str = ""):
    if region:
        place = Region.objects.visible_to(user).filter(code=region).first()
        qs = qs.filter(within("region_code", place.code, place.level)) if place else qs.none()
    if step:
        # "flow.step" (the web filter: steps of different flows may share a name) or a bare step (the API).
        flow, _dot, name = step.rpartition(".")
        qs = qs.filter(flow=flow, step=name) if flow else qs.filter(step=name)
    return qs


def breaches(user, *, now=None, region: str = "", step: str = ""):
    """The open breaches a user may see, most overdue first."""
    qs = _narrow(Deadline.objects.visible_to(user).overdue(now), user, region=region, step=step)
    return qs.order_by("due_at", "pk")


def breaches_by_age(user, *, now=None, region: str = "", step: str = "", age: str = ""):
    """``breaches`` narrowed to one of the dashboard's age buckets (``AGE_KEYS``)."""
    now = now or timezone.now()
    qs = breaches(user, now=now, region=region, step=step)
    return qs.filter(age_condition(age, now)) if age else qs


def paused(user, *, region: str = "", step: str = ""):
    """Clocks stopped while waiting on the applicant, longest paused first."""
    qs = Deadline.objects.visible_to(user).filter(status=DeadlineStatus.PAUSED)
    return _narrow(qs, user, region=region, step=step).order_by("paused_at", "pk")


def with_row_data(qs):
    """What a deadline row shows (village and township names, assignee) in the same
    query as the rows, so a page or an export costs the same at 10 rows and 100,000."""
    township_code = township_of_column(OuterRef("region_code"))
    return qs.select_related("assignee").annotate(
        region_name=Subquery(Region.objects.filter(code=OuterRef("region_code")).values("name")[:1]),
        township_name=Subquery(Region.objects.filter(code=township_code).values("name")[:1]),
    )


def step_choices() -> list[tuple[str, str]]:
    """("flow.step", "Flow · Step") of every step the flows declare (core.programs), for filters."""
    from core import programs

    from .labels import flow_step_label

    pairs = sorted((spec.code, step.name) for spec, step in programs.steps())
    return [(f"{flow}.{step}", flow_step_label(flow, step)) for flow, step in pairs]


def recent_months(now: datetime.datetime, count: int) -> list[datetime.date]:
    """The first days of the last ``count`` local months, oldest first, this month last."""
    day = timezone.localtime(now, local_zone()).date().replace(day=1)
    months = []
    for _ in range(count):
        months.append(day)
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return months[::-1]


def on_time_matrix(on_time: list[dict], months: list[datetime.date]) -> list[dict]:
    """Dashboard.on_time as one row per region (county or township) with a cell per month
    (None: nothing closed)."""
    rows: dict[str, dict] = {}
    for r in on_time:
        row = rows.setdefault(r["region"], {"region": r["region"], "name": r["name"], "cells": {}})
        row["cells"][r["month"]] = r
    return [
        {**row, "cells": [row["cells"].get(month) for month in months]}
        for row in sorted(rows.values(), key=lambda row: row["region"])
    ]


def _region_names(codes, level: str) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=[code_of(c, level) for c in codes]).values_list("code", "name"))


@dataclass
class Dashboard:
    level: str  # what by_region and on_time are broken down by: Level.COUNTY or Level.TOWNSHIP
    by_region: list[dict]
    by_step: list[dict]
    by_age: dict[str, int]
    on_time: list[dict]
    trend: list[dict]
    total_open: int
    total_overdue: int


def dashboard(user, *, now=None, months: int = 6, weeks: int = 12, place: Region | None = None) -> Dashboard:
    """The figures of the user's region, or of ``place`` within it (a county a city
    supervisor drilled down to: the caller checks that the user may see it)."""
    now = now or timezone.now()
    zone = local_zone()
    place_or_home = place or getattr(user, "region", None)
    level = breakdown_level(place_or_home.level if place_or_home else None)
    digits = PREFIX_LENGTH[level]
    visible = Deadline.objects.visible_to(user)
    tallies = ClosedTally.objects.visible_to(user)
    if place is not None:
        visible = visible.filter(within("region_code", place.code, place.level))
        tallies = tallies.filter(within("township", place.code, place.level))
    # The overdue figures from one grouped scan of the overdue rows (region × step, an
    # index-only scan of deadline_overdue_idx), summed here: three separate aggregates
    # read them three times. The open total comes from the open-work index.
    grouped = (visible.overdue(now).annotate(area=Substr("region_code", 1, digits))
               .values("area", "flow", "step")
               .annotate(overdue=Count("pk"), **{key: Count("pk", filter=age_condition(key, now)) for key in AGE_KEYS})
               .order_by())
    areas: dict[str, int] = defaultdict(int)
    steps: dict[tuple[str, str], int] = defaultdict(int)
    by_age = dict.fromkeys(AGE_KEYS, 0)
    for r in grouped:
        areas[code_of(r["area"], level)] += r["overdue"]
        steps[r["flow"], r["step"]] += r["overdue"]
        for key in AGE_KEYS:
            by_age[key] += r[key]
    totals = {"open": visible.filter(status__in=[DeadlineStatus.OPEN, DeadlineStatus.PAUSED]).count(),
              "overdue": sum(areas.values())}
    by_region = [{"region": code, "count": n} for code, n in sorted(areas.items(), key=lambda i: (-i[1], i[0]))]
    by_step = [{"flow": f, "step": st, "count": n}
               for (f, st), n in sorted(steps.items(), key=lambda i: (-i[1], i[0]))]

    local_now = timezone.localtime(now, zone)
    first_month = (local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
                   - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    # Closed work is counted from ClosedTally (kept by triggers): at city scale a GROUP BY
    # over the closed deadlines themselves read 500,000 rows per page view.
    on_time = list(
        tallies.filter(closed_month__gte=first_month.date())
        .annotate(area=Substr("township", 1, digits)).values("area", "closed_month")
        .annotate(total=Sum("closed"), on_time=Sum("closed") - Sum("late"))
        .order_by("area", "closed_month")
    )
    on_time = [{"region": code_of(r["area"], level), "month": r["closed_month"], "total": r["total"],
                "on_time": r["on_time"]} for r in on_time]

    week_start = (local_now - datetime.timedelta(days=local_now.weekday(), weeks=weeks - 1)).replace(
        hour=0, minute=0, second=0, microsecond=0)
    today = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    counts: dict[datetime.date, dict] = defaultdict(lambda: {"due": 0, "late": 0})

    def add(week, due, late):
        week = timezone.localtime(week, zone).date() if isinstance(week, datetime.datetime) else week
        counts[week]["due"] += due
        counts[week]["late"] += late

    # Closed work due on the days before today from the tally; from the deadlines, each
    # through its own partial index: open or paused work due in the window, and closed
    # work due today before now (a day not over yet).
    for r in (tallies.filter(due_day__gte=week_start.date(), due_day__lt=today.date())
              .annotate(week=TruncWeek("due_day")).values("week").annotate(due=Sum("closed"), late=Sum("late"))):
        add(r["week"], r["due"], r["late"])
    week = TruncWeek("due_at", tzinfo=zone)
    open_work = (visible.exclude(status=DeadlineStatus.CLOSED).filter(due_at__gte=week_start, due_at__lt=now)
                 .annotate(week=week).values("week")
                 .annotate(due=Count("pk"), late=Count("pk", filter=Q(status=DeadlineStatus.OPEN))).order_by())
    closed_today = (visible.filter(status=DeadlineStatus.CLOSED, due_at__gte=today, due_at__lt=now)
                    .annotate(week=week).values("week")
                    .annotate(due=Count("pk"), late=Count("pk", filter=Q(closed_at__gt=F("due_at")))).order_by())
    for r in open_work.union(closed_today, all=True):
        add(r["week"], r["due"], r["late"])
    trend = []
    for i in range(weeks):
        day = (week_start + datetime.timedelta(weeks=i)).date()
        row = counts.get(day, {"due": 0, "late": 0})
        trend.append({"week": day, "due": row["due"], "late": row["late"],
                      "on_time_rate": _rate(row["due"] - row["late"], row["due"])})

    names = _region_names({r["region"] for r in by_region} | {r["region"] for r in on_time}, level)
    for r in by_region:
        r["name"] = names.get(r["region"], r["region"])
    for r in on_time:
        r["name"] = names.get(r["region"], r["region"])
        r["rate"] = _rate(r["on_time"], r["total"])
        r["month"] = timezone.localtime(r["month"], zone).date() if isinstance(r["month"], datetime.datetime) \
            else r["month"]
    return Dashboard(level, by_region, by_step, by_age, on_time, trend, totals["open"], totals["overdue"])


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))

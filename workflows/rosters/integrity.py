"""The payment rosters' part of core.integrity: a generated roster's line count and
total are those of its lines."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum

from core.integrity import Report

from .models import Roster, RosterStatus


def totals(report: Report) -> None:
    rosters = (Roster.objects.filter(status__in=[RosterStatus.DRAFT, RosterStatus.LOCKED])
               .annotate(lines_counted=Count("lines"), lines_total=Sum("lines__amount")).order_by("pk"))
    count = 0
    for roster in rosters:
        count += 1
        total = roster.lines_total or Decimal("0.00")
        if (roster.line_count, roster.total) != (roster.lines_counted, total):
            report.problems.append(f"roster {roster.pk}: {roster.line_count} lines totalling {roster.total} "
                                   f"recorded, its lines are {roster.lines_counted} totalling {total}")
    report.checked["payment rosters"] = count

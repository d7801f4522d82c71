"""Program statistics in the JSON API:

    GET /api/v1/statistics/?region=<12-digit code>&period=<2026-11 | 2026-Q4 | 2026>

The figures of a region and period per program and per child region (the drill-down),
as the statistics page shows them (workflows.reporting.figures). Supervisors and
administrators (``reporting.view_statistics``); a region outside the caller's answers
404; a period that cannot be read 400. Money as strings with two decimals.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.errors import InvalidInput
from core.scoping import get_visible_or_404
from regions.models import Region
from workflows.reporting import figures, periods

from .means import MethodPermission


def _figures(fig: figures.Figures) -> dict:
    return {
        "received": fig.received, "approved": fig.approved, "rejected": fig.rejected,
        "open_at_end": fig.open_at_end,
        "average_days_to_decision": str(fig.average_days) if fig.average_days is not None else None,
        "p90_days_to_decision": fig.p90_days,
        "households_covered": fig.households_covered, "people_covered": fig.people_covered,
        "paid": {"reserve_fund": f"{fig.paid_reserve_fund:.2f}", "county": f"{fig.paid_county:.2f}",
                 "roster": f"{fig.paid_roster:.2f}", "total": f"{fig.paid:.2f}"},
        "new_enrolments": fig.new_enrolments, "gradual_exits": fig.gradual_exits, "exits": fig.exits,
    }


class StatisticsView(GenericAPIView):
    permission_classes = [IsAuthenticated, MethodPermission]
    method_perms = {"GET": ["reporting.view_statistics"]}
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("region", str, description="a 12-digit region code (default: "
                                                                           "the caller's home region)"),
                               OpenApiParameter("period", str, description="YYYY-MM, YYYY-Qn or YYYY "
                                                                           "(default: this month)")],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        params = request.query_params
        try:
            period = periods.parse(params["period"]) if params.get("period") else periods.current()
        except ValueError:
            raise InvalidInput({"period": [_("Give a month (2026-11), a quarter (2026-Q4) or a year (2026).")]}) from None
        code = params.get("region") or request.user.region_id
        if not code and request.user.is_superuser:
            code = Region.objects.filter(parent__isnull=True).order_by("code").values_list("code", flat=True).first()
        region = get_visible_or_404(Region.objects.all(), request.user, code=code or "")
        stats = figures.statistics(region, period)
        return Response({
            "region": {"code": region.code, "name": region.name, "level": region.level},
            "period": {"code": period.code, "first_month": f"{period.first:%Y-%m}", "last_month": f"{period.last:%Y-%m}",
                       "stocks_as_of": f"{stats.stock_month:%Y-%m}"},
            "computed_at": stats.computed_until.isoformat() if stats.computed_until else None,
            "programs": {code: {"label": label, **_figures(stats.totals[code])} for code, label in stats.programs.items()},
            "total": _figures(stats.total),
            "regions": [{"code": row.code, "name": row.name,
                         "programs": {c: _figures(row.by_program[c]) for c in stats.programs},
                         "total": _figures(row.total)} for row in stats.rows],
        })

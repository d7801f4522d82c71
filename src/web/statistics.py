"""Program statistics (统计报表): the page with its drill-down, the Excel and PDF, asking
for the figures to be computed again, and the proactive notices' conversion.

Every figure is read from workflows.reporting (the monthly figures, computed from the
records the cases use); the region goes through the same scope as every page: a region
outside the user's answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from audit import services as audit
from core.decorators import staff_view
from core.errors import DomainError
from exports.responses import XLSX, attachment, timestamped
from regions.codes import within
from regions.models import Region
from workflows.enrolment.models import ProactiveNotice
from workflows.enrolment.proactive import conversion
from workflows.reporting import figures, periods
from workflows.reporting import services as reporting
from workflows.reporting.models import Refresh, RefreshStatus
from workflows.reporting.refresh import local_start

from .places import ancestors, place_or_home
from .statistics_export import columns, statistics_pdf, statistics_workbook

PERMISSION = reporting.PERMISSION
# Lazy: read in the language of the page that shows them, not the one at import.
PERIOD_KINDS = (("month", gettext_lazy("Month")), ("quarter", gettext_lazy("Quarter")), ("year", gettext_lazy("Year")))


def _choice(request) -> tuple[Region, periods.Period, list[str]]:
    """The region and period asked for (the user's home region and this month by default);
    a region outside the user's scope is a 404, a period that cannot be read falls back with a message."""
    errors = []
    region = place_or_home(request)
    kind = request.GET.get("kind") or ""
    try:
        period = periods.parse(request.GET.get("period")) if request.GET.get("period") else periods.current()
    except ValueError:
        errors.append(_("The period could not be read (use 2026-11, 2026-Q4 or 2026); this month is shown."))
        period = periods.current()
    if kind in dict(PERIOD_KINDS) and kind != period.kind:
        period = period.of_kind(kind)
    return region, period, errors


def _link(region_code: str, period: periods.Period, **extra) -> str:
    return reverse("statistics") + "?" + urlencode({"region": region_code, "period": period.code, **extra})


def _chart(stats: figures.Statistics) -> dict:
    """The trend for the chart script; the page shows the same figures as a table."""
    return {
        "labels": [f"{m['month']:%Y-%m}" for m in stats.trend],
        "series": [{"label": label, "paid": [float(m["paid"][code]) for m in stats.trend],
                    "received": [m["received"][code] for m in stats.trend]}
                   for code, label in stats.programs.items()],
        "text": {"paid": _("Paid (yuan)"), "received": _("Cases received")},
    }


@staff_view(PERMISSION)
@require_safe
def statistics_page(request):
    region, period, errors = _choice(request)
    for error in errors:
        messages.warning(request, error)
    stats = figures.statistics(region, period)
    program = request.GET.get("program") or ""
    if program not in stats.programs:
        program = ""
    for row in stats.rows:
        row.shown = row.by_program[program] if program else row.total
        row.link = _link(row.code, period) if stats.child_level and row.code != region.code else ""
    notices = ProactiveNotice.objects.visible_to(request.user).filter(
        within("region_code", region.code, region.level),
        created_at__gte=local_start(period.first), created_at__lt=local_start(period.end))
    refresh = None
    if request.GET.get("refresh", "").isdigit():
        refresh = Refresh.objects.visible_to(request.user).filter(pk=int(request.GET["refresh"])).first()
    return render(request, "reporting/statistics.html", {
        "region": region, "period": period, "stats": stats, "program": program,
        "ancestors": ancestors(region, request.user), "kinds": PERIOD_KINDS,
        "previous": _link(region.code, period.shifted(-1), **({"program": program} if program else {})),
        "next": (_link(region.code, period.shifted(1), **({"program": program} if program else {}))
                 if period.end <= timezone.localdate() else ""),
        "level_label": figures.level_label(stats.child_level),
        "columns": columns(), "chart": _chart(stats), "conversion": conversion(notices), "refresh": refresh,
        "running": refresh is not None and refresh.status in (RefreshStatus.QUEUED, RefreshStatus.RUNNING),
        "query": urlencode({"region": region.code, "period": period.code}),
    })


def _download(request, extension: str, content_type: str, render):
    """The statistics of the region and period asked for, as a file (audited)."""
    region, period, _errors = _choice(request)
    content = render(figures.statistics(region, period))
    audit.record("reporting.statistics.exported", actor=request.user, region_code=region.code, request=request,
                 extra={"period": period.code, "format": extension})
    display = _("Statistics %(region)s %(period)s") % {"region": region.name, "period": period.label}
    return attachment(content, timestamped(f"statistics-{region.code}-{period.code}", extension), content_type,
                      display_name=timestamped(display, extension))


@staff_view(PERMISSION)
@require_safe
def statistics_export(request):
    return _download(request, "xlsx", XLSX, statistics_workbook)


@staff_view(PERMISSION)
@require_safe
def statistics_report(request):
    """The official-style summary (统计月报) of a region and period, as PDF."""
    return _download(request, "pdf", "application/pdf", statistics_pdf)


@staff_view(PERMISSION)
@require_POST
def statistics_refresh(request):
    region, period, _errors = _choice(request)
    try:
        run = reporting.request_refresh(request.user, region.code, period, request=request)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(_link(region.code, period))
    messages.success(request, _("The figures are being computed again; this page shows the progress."))
    return redirect(_link(region.code, period, refresh=run.pk))

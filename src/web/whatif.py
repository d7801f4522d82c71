"""Policy what-if pages (政策测算): ask what a new dibao standard, township limit or amount
band would do; follow the answer's progress; read it per county, with a chart and the
affected households (masked), and export them to Excel.

Views stay thin: workflows.whatif.services checks who asks and what, and answers in a
Celery worker without changing anything. Every run is read through the user's region
(outsiders get 404); a role without the permission gets 403.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from core.decorators import staff_view
from core.errors import InvalidInput
from core.scoping import get_visible_or_404, user_code_range
from exports.responses import export as export_response
from forms.registry import apply_errors
from regions.codes import Level
from regions.models import Region
from workflows.whatif import services
from workflows.whatif.models import Change, Kind, RunStatus, WhatIfRow, WhatIfRun

from .whatif_export_kinds import AFFECTED, affected_rows, decorate
from .whatif_forms import FORMS, RowFilterForm

PERMISSION = services.PERMISSION
PAGE_SIZE = 50
# Without JavaScript the page reloads itself this often while the answer is computed.
REFRESH_SECONDS = 5


def regions_of(user) -> list[tuple[str, str]]:
    """The city and counties of the user's region: where a hypothetical rule may apply."""
    scope = user_code_range(user)
    if scope is None:
        return []
    return [(code, name) for code, name, level in Region.objects.filter(
        level__in=[Level.CITY, Level.COUNTY], code__range=scope).order_by("code").values_list("code", "name", "level")]


def _forms(user, bound=None) -> dict:
    regions = regions_of(user)
    return {kind: (bound if bound is not None and bound.kind == kind else form_class(regions=regions))
            for kind, form_class in FORMS.items()}


def _list(request, *, bound=None, status=200):
    runs = WhatIfRun.objects.visible_to(request.user).select_related("requested_by")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    for run in page.object_list:
        run.question = services.describe(run)
    forms = _forms(request.user, bound)
    return render(request, "whatif/whatif_list.html", {
        "page": page, "standard_form": forms[Kind.STANDARD], "limit_form": forms[Kind.TOWNSHIP_LIMIT],
        "band_form": forms[Kind.BAND], "open_kind": bound.kind if bound is not None else Kind.STANDARD,
    }, status=status)


@staff_view(PERMISSION)
@require_safe
def whatif_list(request):
    return _list(request)


@staff_view(PERMISSION)
@require_POST
def whatif_create(request):
    form_class = FORMS.get(request.POST.get("kind", ""))
    if form_class is None:
        messages.error(request, _("Choose what to change."))
        return _list(request, status=400)
    form = form_class(request.POST, regions=regions_of(request.user))
    if not form.is_valid():
        return _list(request, bound=form, status=400)
    try:
        run = services.request_run(request.user, request=request, **form.service_fields())
    except InvalidInput as exc:
        apply_errors(form, exc.errors)
        return _list(request, bound=form, status=400)
    messages.success(request, _("The what-if is being answered; this page follows its progress."))
    return redirect("whatif_detail", pk=run.pk)


def _run(user, pk) -> WhatIfRun:
    return get_visible_or_404(WhatIfRun.objects.select_related("requested_by"), user, pk=pk)


def progress_text(run: WhatIfRun) -> str:
    if run.status == RunStatus.QUEUED:
        return _("Waiting for a worker to start…")
    if run.progress_total is None:
        return _("Counting…")
    numbers = {"done": formats.number_format(run.progress_done, force_grouping=True),
               "total": formats.number_format(run.progress_total, force_grouping=True), "percent": run.percent}
    return _("%(done)s of %(total)s done (%(percent)d%%).") % numbers


def _chart(run: WhatIfRun) -> dict | None:
    """Monthly cost per county now and under the new rule, for the page's chart (a table holds the same)."""
    if run.kind != Kind.STANDARD or not run.result.get("counties"):
        return None
    counties = run.result["counties"]
    return {"labels": [c["name"] for c in counties],
            "now": [float(Decimal(c["monthly_now"])) for c in counties],
            "new": [float(Decimal(c["monthly_new"])) for c in counties],
            "text": {"now": _("Monthly cost now (yuan)"), "new": _("Monthly cost under the new rule (yuan)")}}


@never_cache
@staff_view(PERMISSION)
@require_safe
def whatif_detail(request, pk):
    run = _run(request.user, pk)
    context = {"run": run, "question": services.describe(run), "progress_text": progress_text(run),
               "refresh_seconds": REFRESH_SECONDS, "result": run.result, "chart": None}
    if run.status == RunStatus.DONE:
        changes = list(WhatIfRow.objects.filter(run=run).order_by().values_list("change", flat=True).distinct())
        changes = [c for c in Change.values if c in changes]
        filters = RowFilterForm(request.GET or None, changes=changes)
        change = filters.cleaned_data["change"] if filters.is_bound and filters.is_valid() else ""
        rows = affected_rows(request.user, run, change)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        decorate(page.object_list)
        context.update(page=page, filter_form=filters, change=change, chart=_chart(run))
    return render(request, "whatif/whatif_detail.html", context)


@never_cache
@staff_view(PERMISSION)
@require_safe
def whatif_status(request, pk):
    """The run's progress as JSON, in the shape the export job page's script reads (exports/job.js)."""
    run = _run(request.user, pk)
    return JsonResponse({
        "status": run.status, "label": run.get_status_display(), "finished": run.is_finished,
        "rows_done": run.progress_done, "rows_total": run.progress_total, "percent": run.percent,
        "progress_text": progress_text(run), "error": run.error,
    })


@staff_view(PERMISSION)
@require_safe
def whatif_export(request, pk):
    run = _run(request.user, pk)
    if run.status != RunStatus.DONE:
        messages.error(request, _("The what-if is not answered yet."))
        return redirect("whatif_detail", pk=run.pk)
    change = request.GET.get("change", "")
    if change and change not in Change.values:
        change = ""
    return export_response(request, AFFECTED, affected_rows(request.user, run, change),
                           {"run": run.pk, "change": change})

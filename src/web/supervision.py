"""Deadline supervision: the dashboard, the breach list and its exports, pausing clocks.

Every figure comes from deadlines.reports (the one definition of overdue, a grouped
query each); pausing and resuming go through deadlines.services, which decide who
may do it. Supervisors see their region and township heads their township, through
the same scope as every other page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit import services as audit
from core.decorators import staff_view
from core.errors import DomainError, InvalidInput
from core.scoping import get_visible_or_404
from deadlines import reports, services
from deadlines.models import Deadline
from exports.responses import attachment, timestamped
from exports.responses import export as export_response
from forms.registry import apply_errors
from forms.supervision import AGE_LABELS, BreachFilterForm, PauseForm
from regions.codes import Level

from .deadline_rows import staff_names
from .export_kinds import BREACHES, breach_params
from .places import place_from
from .supervision_export import dashboard_workbook

PAGE_SIZE = 50
MONTHS = 6

# --- Dashboard ------------------------------------------------------------------------------

def _dashboard_data(user, now, place=None) -> dict:
    board = reports.dashboard(user, now=now, months=MONTHS, place=place)
    months = reports.recent_months(now, MONTHS)
    return {
        "board": board,
        "place": place,
        "by_county": board.level == Level.COUNTY,
        "months": months,
        "on_time": reports.on_time_matrix(board.on_time, months),
        "ages": [{"key": key, "label": AGE_LABELS[key], "count": board.by_age[key] or 0} for key in reports.AGE_KEYS],
    }


def _chart(trend: list[dict]) -> dict:
    """The weekly trend for the chart script; the page shows the same figures as a table."""
    return {
        "labels": [date_format(w["week"], "MONTH_DAY_FORMAT") for w in trend],
        "due": [w["due"] for w in trend],
        "late": [w["late"] for w in trend],
        "rate": [float(w["on_time_rate"]) if w["on_time_rate"] is not None else None for w in trend],
        "text": {"due": _("Due"), "late": _("Late"), "rate": _("On time (%)"), "count": _("Deadlines")},
    }


@staff_view("deadlines.view_breaches")
@require_safe
def sla_dashboard(request):
    data = _dashboard_data(request.user, timezone.now(), place_from(request))
    return render(request, "supervision/dashboard.html", {**data, "chart": _chart(data["board"].trend)})


@staff_view("deadlines.view_breaches")
@require_safe
def sla_dashboard_export(request):
    user, now = request.user, timezone.now()
    data = _dashboard_data(user, now, place_from(request))
    content = dashboard_workbook(data["board"], months=data["months"], on_time=data["on_time"],
                                 ages=[(str(a["label"]), a["count"]) for a in data["ages"]], now=now)
    audit.record("deadlines.dashboard.exported", actor=user, region_code=user.region_id or "", request=request)
    return attachment(content, timestamped("deadline-dashboard"), display_name=timestamped(_("Deadline supervision")))


# --- Breach list and paused clocks ---------------------------------------------------------------

def _filters(request, *, with_age: bool = True):
    """(form, filters) for a list and its export; an invalid filter (a region outside the
    user's scope, an unknown step) finds nothing rather than silently widening the list."""
    form = BreachFilterForm(request.GET or None, user=request.user, with_age=with_age)
    if not form.is_bound:
        return form, {name: "" for name in form.fields}
    return form, form.filters() if form.is_valid() else None


def _page(request, deadlines):
    page = Paginator(reports.with_row_data(deadlines).prefetch_related("subject"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return page, staff_names(page.object_list)


@staff_view("deadlines.view_breaches")
@require_safe
def sla_breaches(request):
    form, filters = _filters(request)
    now = timezone.now()
    deadlines = (reports.breaches_by_age(request.user, now=now, **filters) if filters is not None
                 else Deadline.objects.none())
    page, names = _page(request, deadlines)
    return render(request, "supervision/breaches.html", {
        "form": form, "page": page, "staff_names": names, "now": now,
    })


@staff_view("deadlines.view_breaches")
@require_safe
def sla_breaches_export(request):
    """The breach list as xlsx, as it stands now: answered at once up to
    EXPORT_INLINE_MAX_ROWS, beyond that written by a worker (to the same moment) while the
    user watches a progress page."""
    form, filters = _filters(request)
    if filters is None:
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(reverse("sla_breaches") + "?" + request.GET.urlencode())
    user, now = request.user, timezone.now()
    return export_response(request, BREACHES, reports.breaches_by_age(user, now=now, **filters),
                           breach_params(filters, now))


@staff_view("deadlines.view_breaches")
@require_safe
def sla_paused(request):
    form, filters = _filters(request, with_age=False)
    deadlines = reports.paused(request.user, **filters) if filters is not None else Deadline.objects.none()
    page, names = _page(request, deadlines)
    return render(request, "supervision/paused.html", {
        "form": form, "page": page, "staff_names": names, "now": timezone.now(),
    })


# --- Pausing and resuming a clock -------------------------------------------------------------------

def _deadline_for(user, pk) -> Deadline:
    return get_visible_or_404(reports.with_row_data(Deadline.objects.all()), user, pk=pk)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("sla_breaches")


def _deadline_page(request, deadline, form=None, *, status=200):
    return render(request, "supervision/deadline.html", {
        "deadline": deadline, "form": form or PauseForm(), "next": _next_url(request), "now": timezone.now(),
        "staff_names": staff_names([deadline]),
    }, status=status)


def _refused(request, deadline, exc: DomainError):
    # The service said no (not theirs to pause: 403; already paused or closed: 409):
    # say why on the deadline's page, with the status code an API client would get.
    messages.error(request, exc.message)
    return _deadline_page(request, deadline, status=exc.status_code)


@staff_view()
@require_http_methods(["GET", "POST"])
def deadline_pause(request, pk):
    deadline = _deadline_for(request.user, pk)
    form = PauseForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.pause_deadline(request.user, deadline, reason=form.cleaned_data["reason"], request=request)
            except InvalidInput as exc:
                apply_errors(form, exc.errors)
            except DomainError as exc:
                return _refused(request, deadline, exc)
            else:
                messages.success(request, _("The clock is paused. Resume it when the case can go on."))
                return redirect(_next_url(request))
        return _deadline_page(request, deadline, form, status=400)
    return _deadline_page(request, deadline, form)


@staff_view()
@require_POST
def deadline_resume(request, pk):
    deadline = _deadline_for(request.user, pk)
    try:
        resumed = services.resume_deadline(request.user, deadline, request=request)
    except DomainError as exc:
        return _refused(request, deadline, exc)
    messages.success(request, _("The clock is running again: now due %(due)s.") % {
        "due": date_format(timezone.localtime(resumed.due_at), "Y-m-d H:i")})
    return redirect(_next_url(request))

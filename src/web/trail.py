"""The audit trail page: read-only, region-scoped."""

from __future__ import annotations

import datetime

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit.models import AuditEvent
from core.decorators import staff_view
from forms.audit import AuditFilterForm
from regions.models import Region

from .labels import EVENT_LABELS

PAGE_SIZE = 50


def _day_start(day: datetime.date) -> datetime.datetime:
    # Days are the user's local days (Asia/Shanghai), not UTC days.
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _filtered(events, form):
    if not form.is_bound:
        return events
    if not form.is_valid():
        return events.none()
    data = form.cleaned_data
    if data["event"]:
        events = events.filter(event__startswith=data["event"].strip())
    if data["date_from"]:
        events = events.filter(at__gte=_day_start(data["date_from"]))
    if data["date_to"]:
        events = events.filter(at__lt=_day_start(data["date_to"] + datetime.timedelta(days=1)))
    return events


@staff_view("audit.view_auditevent")
@require_safe
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    events = _filtered(AuditEvent.objects.visible_to(request.user), form)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    codes = {e.region_code for e in page if e.region_code}
    region_names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    for event in page:
        event.region_name = region_names.get(event.region_code, "")
    # An invalid filter (a day beyond the calendar, an end before the start) shows the page
    # with the form's errors and no rows, as a 400.
    return render(request, "audit/event_list.html", {
        "form": form, "page": page, "event_names": sorted(EVENT_LABELS),
    }, status=400 if form.is_bound and not form.is_valid() else 200)

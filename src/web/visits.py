"""Home-visit pages: the field worker's list and phone record form, a visit and its
records (with the printable PDF and the photo), a household's plans and pairing,
major events, follow-ups, and the coverage dashboard with its exports.

Each view checks the role's permission (403), loads through the region scope (404),
and leaves every change to visits.services.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit import services as audit
from core.decorators import staff_view
from core.errors import Conflict, InvalidInput
from core.scoping import get_visible_or_404
from deadlines import services as deadlines
from deadlines.models import Deadline
from exports.responses import attachment, timestamped
from exports.responses import export as export_response
from forms.visits import EventForm, FollowUpForm, NotVisitedForm, PairingForm, RecordForm, apply_errors
from regions.codes import Level
from registry.models import Household, Person, PersonCondition
from visits import coverage as reports
from visits import services
from visits.export import coverage_workbook
from visits.models import (
    FollowUp,
    FollowUpStatus,
    MajorEvent,
    Outcome,
    Pairing,
    Visit,
    VisitPlan,
    VisitRecord,
)

from .places import place_from
from .visits_export_kinds import NOT_VISITED, not_visited_params

PAGE_SIZE = 30
def _with_deadlines(visits):
    """Each visit's deadline (escalation level, overdue) in one extra query per page."""
    return visits.prefetch_related(Prefetch("deadlines", queryset=Deadline.objects.only(
        "id", "subject_type_id", "subject_id", "status", "due_at", "escalation_level")))


def _deadline_of(visit):
    found = list(visit.deadlines.all())
    return found[0] if found else None


# --- The field worker's list ------------------------------------------------------------------------

TABS = [("mine", "My visits"), ("unassigned", "Not assigned"), ("all", "All in my area")]


@staff_view("visits.view_visit")
@require_safe
def visit_list(request):
    user, now = request.user, timezone.now()
    tab = request.GET.get("tab") or ("mine" if user.has_perm("visits.record_visit") else "all")
    if tab not in dict(TABS):
        tab = "mine"
    visible = Visit.objects.visible_to(user).open()
    lists = {"mine": visible.filter(assigned_to=user), "unassigned": visible.filter(assigned_to__isnull=True),
             "all": visible}
    visits = lists[tab]
    if request.GET.get("overdue") == "1":
        visits = visits.filter(window_end__lte=now)
    else:
        # Windows opening later than the generation horizon are not shown as work yet.
        visits = visits.filter(window_start__lte=now + datetime.timedelta(days=settings.VISIT_GENERATE_AHEAD_DAYS))
    visits = _with_deadlines(visits.select_related("household", "household__region", "assigned_to", "event")
                             .order_by("window_end", "retry_at", "pk"))
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    for visit in page.object_list:
        visit.deadline = _deadline_of(visit)
    labels = {"mine": _("My visits"), "unassigned": _("Not assigned"), "all": _("All in my area")}
    tabs = [{"key": key, "label": labels[key], "active": key == tab} for key, _label in TABS]
    return render(request, "visits/visit_list.html", {"page": page, "tabs": tabs, "tab": tab, "now": now})


# --- One visit --------------------------------------------------------------------------------------

def _visit_or_404(user, pk) -> Visit:
    return get_visible_or_404(Visit.objects.select_related("plan", "person", "household", "household__region",
                                                           "assigned_to", "event"), user, pk=pk)


def _detail(request, visit: Visit, *, status: int = 200):
    records = list(visit.records.select_related("recorded_by").order_by("visited_at", "pk"))
    final = next((r for r in records if r.outcome != Outcome.NOT_HOME), None)
    case_link = ""
    if final is not None and final.outcome == Outcome.DANGER and request.user.has_perm("assistance.add_application"):
        case_link = services.assistance_case_link(visit, final)
    return render(request, "visits/visit_detail.html", {
        "visit": visit, "records": records, "final": final, "deadline": deadlines.deadline_for(visit),
        "follow_up": FollowUp.objects.filter(visit=visit).first(), "case_link": case_link, "now": timezone.now(),
        "may_record": visit.is_open and request.user.has_perm("visits.record_visit"),
        "conditions": [c.get_condition_display() for c in visit.person.conditions.all()],
    }, status=status)


@staff_view("visits.view_visit")
@require_safe
def visit_detail(request, pk):
    return _detail(request, _visit_or_404(request.user, pk))


@staff_view("visits.record_visit")
@require_http_methods(["GET", "POST"])
def visit_record(request, pk):
    visit = _visit_or_404(request.user, pk)
    if not visit.is_open and request.method == "GET":
        # A form sent anyway (opened before someone else recorded) goes to the service,
        # which says who recorded it, or recognises a resend of our own record.
        messages.info(request, _("This visit is closed: nothing more to record."))
        return redirect(visit.get_absolute_url())
    form = RecordForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                record, created = services.record_visit(request.user, visit, request=request, **form.service_data())
            except InvalidInput as exc:
                apply_errors(form, exc.errors)
            except Conflict as exc:
                messages.error(request, exc.message)
                return _detail(request, _visit_or_404(request.user, pk), status=409)
            else:
                messages.success(request, _record_message(record, created))
                return redirect(visit.get_absolute_url())
        status = 400
    return render(request, "visits/visit_record.html", {"visit": visit, "form": form}, status=status)


def _record_message(record: VisitRecord, created: bool) -> str:
    if not created:
        return _("This record was already saved.")
    if record.outcome == Outcome.NOT_HOME:
        return _("Saved: nobody was at home. The visit stays open; try again from %(at)s.") % {
            "at": timezone.localtime(record.visit.retry_at).strftime("%Y-%m-%d %H:%M")}
    if record.outcome == Outcome.DANGER:
        return _("Saved. The township head has been alerted.")
    if record.outcome == Outcome.NEEDS_HELP:
        return _("Saved. A follow-up task has been opened.")
    return _("Saved. Thank you.")


def _record_or_404(user, pk) -> VisitRecord:
    return get_visible_or_404(VisitRecord.objects.select_related(
        "visit", "visit__plan", "visit__person", "visit__household", "visit__household__region", "recorded_by"),
        user, pk=pk)


@staff_view("visits.view_visit")
@require_safe
def record_pdf(request, pk):
    from visits.pdf import render_record_pdf

    record = _record_or_404(request.user, pk)
    content = render_record_pdf(record)
    audit.record("visits.record.printed", actor=request.user, obj=record.visit, region_code=record.visit.region_code,
                 extra={"record": record.pk}, request=request)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="visit-record-{record.pk}.pdf"'
    patch_cache_control(response, private=True, no_store=True)
    return response


@staff_view("visits.view_visit")
@require_safe
def record_photo(request, pk):
    record = _record_or_404(request.user, pk)
    if not record.photo:
        raise Http404
    response = FileResponse(record.photo.open("rb"), content_type=record.photo_type or "application/octet-stream")
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- A household's plans and pairing --------------------------------------------------------------------

def _household_or_404(user, pk) -> Household:
    return get_visible_or_404(Household.objects.select_related("region"), user, pk=pk)


def _household_page(request, household, pairing_form=None, *, status=200):
    members = list(Person.objects.filter(household=household).prefetch_related(
        Prefetch("conditions", queryset=PersonCondition.objects.order_by("condition"))).order_by("pk"))
    plans = {p.person_id: p for p in VisitPlan.objects.filter(household=household, active=True)}
    for member in members:
        member.plan = plans.get(member.pk)
    visits = _with_deadlines(Visit.objects.filter(household=household).select_related(
        "assigned_to", "event", "household__region")
                             .order_by("-window_end", "-pk"))[:20]
    for visit in visits:
        visit.deadline = _deadline_of(visit)
    pairing = Pairing.objects.filter(household=household).select_related("cadre").first()
    may_pair = request.user.has_perm("visits.change_pairing")
    if may_pair and pairing_form is None:
        pairing_form = PairingForm(household=household, initial={"cadre": pairing.cadre_id if pairing else None})
    return render(request, "visits/household_visits.html", {
        "household": household, "members": members, "visits": visits, "pairing": pairing,
        "pairing_form": pairing_form if may_pair else None, "now": timezone.now(),
    }, status=status)


@staff_view("visits.view_visitplan")
@require_safe
def household_visits(request, pk):
    return _household_page(request, _household_or_404(request.user, pk))


@staff_view("visits.view_visitplan")
@require_POST
def household_recompute(request, pk):
    household = _household_or_404(request.user, pk)
    report = services.recompute_household(request.user, household, request=request)
    messages.success(request, _("Plans recomputed: %(new)d new, %(changed)d changed, %(ended)d ended.") % {
        "new": len(report.created), "changed": len(report.changed), "ended": len(report.ended)})
    return redirect("household_visits", pk=household.pk)


@staff_view("visits.change_pairing")
@require_POST
def household_pairing(request, pk):
    household = _household_or_404(request.user, pk)
    form = PairingForm(request.POST, household=household)
    if form.is_valid():
        try:
            services.pair_household(request.user, household, form.cleaned_data["cadre"], request=request)
        except InvalidInput as exc:
            apply_errors(form, exc.errors)
        else:
            messages.success(request, _("%(name)s now visits this household.") % {
                "name": form.cleaned_data["cadre"].display_name})
            return redirect("household_visits", pk=household.pk)
    return _household_page(request, household, form, status=400)


# --- Major events ---------------------------------------------------------------------------------------

@staff_view("visits.view_visit")
@require_safe
def event_list(request):
    events = MajorEvent.objects.visible_to(request.user).select_related("region", "declared_by")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "visits/event_list.html", {"page": page})


@staff_view("visits.declare_event")
@require_http_methods(["GET", "POST"])
def event_create(request):
    form = EventForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                event = services.declare_major_event(
                    request.user, region_code=data["region"], kind=data["kind"], title=data["title"],
                    round_hours=data["round_hours"], notes=data["notes"], request=request)
            except InvalidInput as exc:
                apply_errors(form, exc.errors)
            else:
                messages.success(request, _("Declared. %(count)d high-risk people are to be visited within "
                                            "%(hours)d hours.") % {"count": event.visits_created,
                                                                   "hours": event.round_hours})
                return redirect(event.get_absolute_url())
        status = 400
    return render(request, "visits/event_form.html", {"form": form}, status=status)


@staff_view("visits.view_visit")
@require_safe
def event_detail(request, pk):
    event = get_visible_or_404(MajorEvent.objects.select_related("region", "declared_by"), request.user, pk=pk)
    visits = _with_deadlines(Visit.objects.visible_to(request.user).filter(event=event)
                             .select_related("household", "household__region", "assigned_to")
                             .order_by("status", "region_code", "pk"))
    page = Paginator(visits, PAGE_SIZE * 2).get_page(request.GET.get("page"))
    for visit in page.object_list:
        visit.deadline = _deadline_of(visit)
    counts = dict(Visit.objects.visible_to(request.user).filter(event=event).values_list("status")
                  .annotate(n=Count("pk")).order_by())
    return render(request, "visits/event_detail.html", {"event": event, "page": page, "counts": counts,
                                                        "now": timezone.now()})


# --- Follow-ups --------------------------------------------------------------------------------------

@staff_view("visits.view_followup")
@require_safe
def follow_up_list(request):
    user = request.user
    show = request.GET.get("show", "open")
    follow_ups = FollowUp.objects.visible_to(user).select_related("assigned_to", "household__region")
    if show == "mine":
        follow_ups = follow_ups.filter(assigned_to=user, status=FollowUpStatus.OPEN)
    elif show == "done":
        follow_ups = follow_ups.filter(status=FollowUpStatus.DONE)
    else:
        show = "open"
        follow_ups = follow_ups.filter(status=FollowUpStatus.OPEN)
    follow_ups = follow_ups.prefetch_related("deadlines").order_by("created_at", "pk")
    page = Paginator(follow_ups, PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.deadline = _deadline_of(item)
    return render(request, "visits/follow_up_list.html", {"page": page, "show": show, "now": timezone.now()})


@staff_view("visits.view_followup")
@require_http_methods(["GET", "POST"])
def follow_up_detail(request, pk):
    follow_up = get_visible_or_404(FollowUp.objects.select_related("visit", "record", "assigned_to", "done_by",
                                                                   "household__region"), request.user, pk=pk)
    form = FollowUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("visits.complete_followup"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.complete_follow_up(request.user, follow_up, resolution=form.cleaned_data["resolution"],
                                            request=request)
            except InvalidInput as exc:
                apply_errors(form, exc.errors)
            except Conflict as exc:
                messages.error(request, exc.message)
                status = 409
            else:
                messages.success(request, _("Follow-up closed."))
                return redirect(follow_up.get_absolute_url())
        if status == 200:
            status = 400
    return render(request, "visits/follow_up_detail.html", {
        "follow_up": follow_up, "form": form, "deadline": deadlines.deadline_for(follow_up), "now": timezone.now(),
        "may_complete": follow_up.status == FollowUpStatus.OPEN and request.user.has_perm("visits.complete_followup"),
    }, status=status)


# --- Coverage -------------------------------------------------------------------------------------------

def _month(request, now):
    month = reports.parse_month(request.GET.get("month"), timezone.localdate(now))
    if month is None:
        raise Http404  # a malformed month in the address: nothing to show
    return month


def _days(request) -> tuple[NotVisitedForm, int, str]:
    form = NotVisitedForm(request.GET or None)
    days, tier = settings.VISIT_NOT_VISITED_DAYS, ""
    if form.is_bound and form.is_valid():
        days = form.cleaned_data["days"] or days
        tier = form.cleaned_data["tier"] or ""
    return form, days, tier


@staff_view("visits.view_coverage")
@require_safe
def coverage(request):
    now = timezone.now()
    month = _month(request, now)
    place = place_from(request)
    data = reports.coverage(request.user, month, now, place=place)
    _form, days, _tier = _days(request)
    not_seen = reports.not_visited(request.user, days, now, place=place).count()
    chart = reports.chart(data, {"done": _("Done in window"), "missed": _("Missed"), "overdue": _("Overdue now"),
                                 "share": _("Done in window (%)"), "count": _("Visits")})
    return render(request, "visits/coverage.html", {
        "data": data, "chart": chart, "month": month, "previous": reports.previous_month(month),
        "next": reports.next_month(month) if reports.next_month(month) <= timezone.localdate(now) else None,
        "days": days, "not_seen": not_seen, "now": now, "place": place, "by_county": data.level == Level.COUNTY,
    })


@staff_view("visits.view_coverage")
@require_safe
def coverage_export(request):
    user, now = request.user, timezone.now()
    month = _month(request, now)
    place = place_from(request)
    _form, days, tier = _days(request)
    content, rows = coverage_workbook(reports.coverage(user, month, now, place=place),
                                      reports.not_visited(user, days, now, tier=tier, place=place), now=now, days=days)
    audit.record("visits.coverage.exported", actor=user, region_code=user.region_id or "",
                 extra={"month": month.strftime("%Y-%m"), "days": days, "rows": rows}, request=request)
    return attachment(content, timestamped(f"visit-coverage-{month:%Y-%m}"),
                      display_name=timestamped(_("Visit coverage %(month)s") % {"month": f"{month:%Y-%m}"}))


@staff_view("visits.view_coverage")
@require_safe
def not_visited(request):
    now = timezone.now()
    form, days, tier = _days(request)
    place = place_from(request)
    plans = reports.with_row_data(reports.not_visited(request.user, days, now, tier=tier, place=place))
    page = Paginator(plans, PAGE_SIZE * 2).get_page(request.GET.get("page"))
    for plan in page.object_list:
        plan.days_since = reports.days_since(plan, now)
    return render(request, "visits/not_visited.html", {"form": form, "page": page, "days": days, "tier": tier,
                                                        "place": place})


@staff_view("visits.view_coverage")
@require_safe
def not_visited_export(request):
    """The not-visited list as xlsx, as it stands now: answered at once up to
    EXPORT_INLINE_MAX_ROWS, beyond that written by a worker (to the same moment) while the
    user watches a progress page."""
    user, now = request.user, timezone.now()
    _form, days, tier = _days(request)
    place = place_from(request)
    return export_response(request, NOT_VISITED, reports.not_visited(user, days, now, tier=tier, place=place),
                           not_visited_params(days, tier, now, place))


"""The 低保/特困 pages that are not a step: recording an objection to a running notice
and extending a case's whole-case limit (both on the case page), the public notices of
the user's region (公示公告) with their PDFs, and the county's 特困 spot checks.

Views stay thin: the services (workflows.enrolment.services, workflows.tekun.services,
workflows.enrolment.notices) check role, region and state and write the audit rows.
Every record is read through the user's region (outsiders get 404); a role without the
permission gets 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit import services as audit
from core.decorators import staff_view
from core.errors import Conflict, InvalidInput
from core.scoping import code_visible_to, user_code_range
from exports.responses import attachment
from exports.responses import export as export_response
from forms.registry import apply_errors
from regions.codes import Level
from regions.models import Region
from workflows.enrolment import notices as notice_files
from workflows.enrolment import services
from workflows.enrolment.models import NoticeKind
from workflows.tekun import services as tekun

from .cases import application_for, case_page
from .enrolment_case import is_enrolment, notice_state
from .enrolment_export_kinds import NOTICES, SPOT_CHECKS, notice_params, spot_check_params
from .enrolment_forms import MONTH, ExtensionForm, ObjectionForm, SpotCheckForm
from .enrolment_rows import filter_notices, visible_notices, visible_spot_checks

PAGE_SIZE = 50


def _enrolment_case(user, pk):
    application = application_for(user, pk)  # 404 outside the user's region
    if not is_enrolment(application):
        raise Http404
    return application


# --- On the case page ----------------------------------------------------------------------------------

def _refused(request, application, exc, **forms):
    messages.error(request, exc.message)
    return case_page(request, application, status=exc.status_code, **forms)


@staff_view("enrolment.add_objection")
@require_POST
def objection_create(request, pk):
    application = _enrolment_case(request.user, pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        return case_page(request, application, status=400, objection_form=form)
    try:
        services.raise_objection(request.user, application.pk, request=request, **form.cleaned_data)
    except InvalidInput as exc:
        apply_errors(form, exc.errors)
        return case_page(request, application, status=400, objection_form=form)
    except Conflict as exc:
        return _refused(request, application, exc, objection_form=form)
    messages.success(request, _("Objection recorded: the notice is withdrawn and the case is investigated again."))
    return redirect("application_detail", pk=application.pk)


@staff_view("enrolment.extend_case")
@require_POST
def case_extend(request, pk):
    application = _enrolment_case(request.user, pk)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        return case_page(request, application, status=400, extension_form=form)
    try:
        services.extend(request.user, application.pk, reason=form.cleaned_data["reason"], request=request)
    except InvalidInput as exc:
        apply_errors(form, exc.errors)
        return case_page(request, application, status=400, extension_form=form)
    except Conflict as exc:
        return _refused(request, application, exc, extension_form=form)
    messages.success(request, _("The whole-case limit is extended; the reason is kept on the case."))
    return redirect("application_detail", pk=application.pk)


# --- Public notices (公示公告) --------------------------------------------------------------------------

@staff_view("enrolment.view_publicnotice")
@require_safe
def notice_list(request):
    form, notices = filter_notices(request.user, request.GET)
    rows = (notices.defer("content").select_related("application__applicant")
            .order_by("-starts_at", "-pk"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    villages = dict(Region.objects.filter(code__in={n.region_code for n in page.object_list})
                    .values_list("code", "name"))
    for notice in page.object_list:
        notice.state, notice.state_label = notice_state(notice, now)
        notice.village = villages.get(notice.region_code, notice.region_code)
    return render(request, "enrolment/notice_list.html", {"form": form, "page": page})


@staff_view("enrolment.view_publicnotice")
@require_safe
def notice_export(request):
    form, notices = filter_notices(request.user, request.GET)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect("notice_list")
    return export_response(request, NOTICES, notices, notice_params(form))


@staff_view("enrolment.view_publicnotice")
@require_safe
def notice_pdf(request, pk):
    notice = visible_notices(request.user).filter(pk=pk).first()
    if notice is None:
        raise Http404
    if not notice.sha256:
        # Not rendered yet (its task still waits for a worker): render it now, once.
        notice = notice_files.render(notice.pk)
    name = f"public-notice-{notice.application_id}-{notice.kind}-{notice.round}.pdf"
    display = (_("Public notice %(id)s-%(round)s.pdf") if notice.kind == NoticeKind.FIRST_REVIEW
               else _("Published list %(id)s-%(round)s.pdf")) % {"id": notice.application_id, "round": notice.round}
    # Names on a posted list: kept by no cache, as every file the engine hands out.
    response = attachment(bytes(notice.content), name, "application/pdf", display_name=display)
    if request.method == "GET":
        audit.record("enrolment.notice.downloaded", actor=request.user, obj=notice, region_code=notice.region_code,
                     extra={"application": notice.application_id, "sha256": notice.sha256}, request=request)
    return response


# --- 特困's spot checks ------------------------------------------------------------------------------

def _counties(user) -> list[tuple[str, str]]:
    """The counties of the user's region: their own, or every one under their city."""
    scope = user_code_range(user)
    if scope is None:
        return []
    return list(Region.objects.filter(level=Level.COUNTY, code__range=scope).order_by("code")
                .values_list("code", "name"))


def _spot_check_rows(user, period: str):
    rows = visible_spot_checks(user, period).select_related("application__applicant", "application__household__region",
                                                    "drawn_by", "checked_by")
    return rows.order_by("-period", "application_id")


@staff_view("enrolment.view_spotcheck")
@require_http_methods(["GET", "POST"])
def spot_check_list(request):
    user = request.user
    may_draw = user.has_perm("tekun.draw_spot_checks")
    counties = _counties(user)
    status = 200
    form = SpotCheckForm(counties=counties)
    if request.method == "POST":
        if not may_draw:
            raise PermissionDenied
        form = SpotCheckForm(request.POST, counties=counties)
        if form.is_valid():
            period, county = form.cleaned_data["period"], form.cleaned_data["county"]
            if not code_visible_to(user, county):
                raise Http404
            try:
                drawn = tekun.draw_spot_checks(user, county, period, request=request)
            except InvalidInput as exc:
                apply_errors(form, exc.errors)
            else:
                messages.success(request, _("%(count)s cases of %(period)s are on the spot-check list.")
                                 % {"count": len(drawn), "period": period})
                return redirect(f"{request.path}?period={period}")
        status = 400
    period = request.GET.get("period", "").strip()
    if not MONTH.match(period):
        period = ""
    page = Paginator(_spot_check_rows(user, period), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enrolment/spot_check_list.html", {
        "form": form if may_draw else None, "page": page, "period": period,
    }, status=status)


@staff_view("enrolment.view_spotcheck")
@require_safe
def spot_check_export(request):
    period = request.GET.get("period", "").strip()
    if period and not MONTH.match(period):
        messages.error(request, _("Give the month as YYYY-MM."))
        return redirect("spot_check_list")
    return export_response(request, SPOT_CHECKS, _spot_check_rows(request.user, period), spot_check_params(period))

"""Early-warning pages: the township's warnings and their follow-up, the supervisor's
figures, and other departments' lists (upload, report, template).

Each view checks the role's permission (403), reads through the region scope (404),
and leaves every change to workflows.monitoring's services.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from audit import services as audit
from core.decorators import staff_view
from core.errors import Conflict, InvalidInput
from core.scoping import get_visible_or_404
from exports.responses import attachment, timestamped
from exports.responses import export as export_response
from forms.registry import apply_errors
from regions.codes import PREFIX_LENGTH as DIGITS
from regions.codes import Level, breakdown_level, within
from regions.models import Region
from workflows.monitoring import lists, services
from workflows.monitoring.exports import WARNINGS
from workflows.monitoring.forms import FiguresForm, FollowUpForm, ListUploadForm
from workflows.monitoring.models import (
    Department,
    DepartmentEntry,
    EarlyWarning,
    ImportStatus,
    ListImport,
    Scan,
)
from workflows.monitoring.pages import params_of, warning_filters

from .places import ancestors, place_or_home

PAGE_SIZE = 50


@staff_view("monitoring.view_earlywarning")
@require_safe
def warning_list(request):
    now = timezone.now()
    form, warnings, show = warning_filters(request.user, request.GET, now)
    page = Paginator(warnings.select_related("household__region", "entry").prefetch_related("deadlines"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    params = params_of(form)
    last_scan = Scan.objects.filter(status="done").order_by("-started_at").first()
    return render(request, "monitoring/warning_list.html", {
        "form": form, "page": page, "show": show, "rule": params.get("rule", ""), "now": now,
        "last_scan": last_scan,
        "may_figures": request.user.has_perm("monitoring.view_warning_figures")})


@staff_view("monitoring.view_earlywarning")
@require_safe
def warning_export(request):
    form, warnings, _show = warning_filters(request.user, request.GET)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect("warning_list")
    return export_response(request, WARNINGS, warnings, params_of(form))


@staff_view("monitoring.view_earlywarning")
@require_http_methods(["GET", "POST"])
def warning_detail(request, pk):
    warning = get_visible_or_404(EarlyWarning.objects.select_related(
        "household__region", "person", "entry__list_import", "application", "notice", "done_by"), request.user, pk=pk)
    may_follow = warning.is_open and request.user.has_perm("monitoring.follow_up_warning")
    form = FollowUpForm(request.POST or None, warning=warning) if may_follow or request.method == "POST" else None
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("monitoring.follow_up_warning"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.follow_up(request.user, warning.pk, request=request, **form.service_fields())
            except InvalidInput as exc:
                apply_errors(form, exc.errors)
            except Conflict as exc:
                messages.error(request, exc.message)
                status = 409
            else:
                messages.success(request, _("Follow-up recorded; the warning has left the queue."))
                return redirect("warning_list")
        status = status if status != 200 else 400
    household = warning.household
    return render(request, "monitoring/warning_detail.html", {
        "warning": warning, "form": form, "may_follow": may_follow, "now": timezone.now(),
        "deadline": warning.deadline,
        "household": household, "head": household.head if household else None,
        "may_apply": household is not None and request.user.has_perm("assistance.add_application"),
        "may_register": household is None and request.user.has_perm("registry.add_household"),
    }, status=status)


# --- the supervisor's figures -----------------------------------------------------------------------

@staff_view("monitoring.view_warning_figures")
@require_safe
def warning_figures(request):
    region = place_or_home(request)
    form = FiguresForm(request.GET or None)
    days = 90
    if form.is_bound and form.is_valid():
        days = form.cleaned_data["days"] or 90
    elif form.is_bound:
        messages.warning(request, _("The period could not be read; the last 90 days are shown."))
    since = timezone.now() - timezone.timedelta(days=days)
    warnings = (EarlyWarning.objects.visible_to(request.user).filter(within("region_code", region.code, region.level))
                .filter(raised_at__gte=since))
    # A city by county, a county by township, a township by village.
    child = breakdown_level(region.level) if region.level in (Level.CITY, Level.COUNTY) else Level.VILLAGE
    digits = DIGITS[child]
    figures = services.follow_up_figures(warnings, digits=digits)
    names = dict(Region.objects.filter(code__in=[r["region"] for r in figures["regions"]]).values_list("code", "name"))
    for row in figures["regions"]:
        row["name"] = names.get(row["region"], row["region"])
        row["link"] = child != Level.VILLAGE
    return render(request, "monitoring/warning_figures.html", {
        "region": region, "figures": figures, "days": days, "form": form, "ancestors": ancestors(region, request.user),
        "last_scan": Scan.objects.order_by("-started_at").first()})


# --- other departments' lists -----------------------------------------------------------------------

@staff_view("monitoring.view_listimport")
@require_http_methods(["GET", "POST"])
def department_lists(request):
    may_import = request.user.has_perm("monitoring.import_list")
    form = ListUploadForm(request.POST or None, request.FILES or None) if may_import else None
    status = 200
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > lists.MAX_BYTES:
                form.add_error("file", _("The file is larger than %(mb)s MB.") % {"mb": lists.MAX_BYTES // 2**20})
            else:
                try:
                    report = lists.import_list(request.user, form.cleaned_data["department"], upload.read(),
                                               file_name=upload.name, as_of=form.cleaned_data["as_of"],
                                               request=request)
                except InvalidInput as exc:
                    apply_errors(form, exc.errors)
                else:
                    if report.status == ImportStatus.IMPORTED:
                        messages.success(request, _("Imported %(rows)s rows: %(matched)s found in the registry, "
                                                    "%(unmatched)s not registered.") % {
                            "rows": report.rows, "matched": report.matched, "unmatched": report.unmatched})
                    else:
                        messages.error(request, _("Nothing was imported: %(n)s rows were rejected. Correct them and "
                                                  "upload the whole file again.") % {"n": report.error_count})
                    return redirect(report.get_absolute_url())
        status = 400
    page = Paginator(ListImport.objects.visible_to(request.user).select_related("uploaded_by"), PAGE_SIZE)\
        .get_page(request.GET.get("page"))
    return render(request, "monitoring/department_lists.html", {
        "form": form, "page": page, "departments": Department.choices,
        "own_columns": [(Department(d).label, column) for d, column in lists.OWN_COLUMN.items()]}, status=status)


@staff_view("monitoring.view_listimport")
@require_safe
def department_list_detail(request, pk):
    report = get_visible_or_404(ListImport.objects.select_related("uploaded_by"), request.user, pk=pk)
    unmatched = (DepartmentEntry.objects.visible_to(request.user).filter(list_import=report, person__isnull=True)
                 .order_by("pk")[:200])
    return render(request, "monitoring/department_list_detail.html", {"report": report, "unmatched": unmatched})


@staff_view("monitoring.view_listimport")
@require_safe
def department_list_template(request):
    """An empty workbook with the columns a department's list must have."""
    from openpyxl import Workbook

    department = request.GET.get("department", "")
    if department not in Department.values:
        raise Http404
    extra = {"medical": "自付金额", "disability": "残疾等级", "unemployment": "登记日期", "death": "死亡日期"}[department]
    book = Workbook()
    sheet = book.active
    sheet.title = department
    sheet.append(["身份证号", "姓名", "区划代码", extra])
    out = io.BytesIO()
    book.save(out)
    audit.record("monitoring.list.template", actor=request.user, region_code=request.user.region_id or "",
                 extra={"department": department}, request=request)
    label = Department(department).label
    return attachment(out.getvalue(), timestamped(f"department-list-{department}"),
                      display_name=timestamped(str(label)))

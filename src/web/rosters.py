"""Monthly payment rosters (发放花名册): county finance's inbox, a roster with its lines,
the lock with its confirmation, the bank file (CSV, Excel), the summary PDF, the bank's
results with the report of rejected rows, a failed payment issued again, and a case's
bank account on the case page.

Views stay thin: workflows.rosters.services checks role, region and state and writes the
audit rows. Every roster is read through the user's region (outsiders get 404); a role
without the permission gets 403; bad input is the page again with its errors (400).
"""

from __future__ import annotations

import tempfile
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit import services as audit
from core.decorators import staff_view
from core.errors import Conflict, InvalidInput
from core.money import figures
from core.scoping import user_code_range
from documents.numerals import rmb_capitals
from exports.responses import attachment
from exports.responses import export as export_response
from exports.xlsx import XLSX
from forms.registry import apply_errors
from regions.codes import Level
from regions.models import Region
from workflows.rosters import services
from workflows.rosters.models import (
    BankAccount,
    LineStatus,
    Roster,
    RosterLine,
    RosterStatus,
    mask_account,
)

from .cases import application_for, case_page
from .roster_export_kinds import ROSTER_LINES, ROSTERS, line_params, roster_params
from .roster_forms import BankAccountForm, LineFilterForm, LockForm, ResultsForm, RosterRequestForm
from .roster_rows import (
    bank_xlsx,
    filter_lines,
    filtered_rosters,
    program_label,
    region_names,
    roster_pdf,
    summary,
    township_of,
    with_counts,
)

PAGE_SIZE = 50
VIEW = "rosters.view_roster"
# Seconds between reloads of a page while a roster is being generated.
REFRESH_SECONDS = 5


def _rosters(user):
    return Roster.objects.visible_to(user)


def _roster_or_404(user, pk) -> Roster:
    roster = services.visible_roster(user, pk)
    if roster is None:
        raise Http404
    return roster


def counties_of(user) -> list[tuple[str, str]]:
    scope = user_code_range(user)
    if scope is None:
        return []
    return list(Region.objects.filter(level=Level.COUNTY, code__range=scope).order_by("code")
                .values_list("code", "name"))


# --- the inbox ---------------------------------------------------------------------------------------

def _inbox(request, *, request_form=None, status=200):
    user = request.user
    form, rosters = filtered_rosters(user, request.GET)
    page = Paginator(with_counts(rosters).select_related("locked_by"), PAGE_SIZE).get_page(request.GET.get("page"))
    names = region_names(r.county_code for r in page.object_list)
    for roster in page.object_list:
        roster.county_name = names.get(roster.county_code, roster.county_code)
        roster.program_label = program_label(roster.program)
    visible = _rosters(user)
    generating = list(visible.filter(status=RosterStatus.GENERATING).order_by("-month"))
    to_lock = list(visible.filter(status=RosterStatus.DRAFT).order_by("-month", "program"))
    to_reconcile = list(with_counts(visible.filter(status=RosterStatus.LOCKED)).filter(pending_count__gt=0)
                        .order_by("-month", "program"))
    failed = list(RosterLine.objects.visible_to(user).filter(status=LineStatus.FAILED, roster__status="locked")
                  .select_related("roster", "application__applicant").order_by("-month", "pk")[:PAGE_SIZE])
    for roster in (*generating, *to_lock, *to_reconcile):
        roster.program_label = program_label(roster.program)
    may_make = user.has_perm("rosters.add_roster")
    return render(request, "rosters/roster_list.html", {
        "page": page, "filter_form": form, "generating": generating, "to_lock": to_lock,
        "to_reconcile": to_reconcile, "failed": failed,
        "request_form": request_form or (RosterRequestForm(counties=counties_of(user)) if may_make else None),
        "refresh_seconds": REFRESH_SECONDS if generating else None,
        "may_reissue": user.has_perm("rosters.reconcile_roster"),
    }, status=status)


@staff_view(VIEW)
@require_safe
@never_cache
def roster_list(request):
    return _inbox(request)


@staff_view("rosters.add_roster")
@require_POST
def roster_create(request):
    form = RosterRequestForm(request.POST, counties=counties_of(request.user))
    if not form.is_valid():
        return _inbox(request, request_form=form, status=400)
    try:
        roster, created = services.request_roster(request.user, **form.cleaned_data)
    except InvalidInput as exc:
        apply_errors(form, exc.errors)
        return _inbox(request, request_form=form, status=400)
    if created:
        messages.success(request, _("The roster is being generated; this page follows its progress."))
    else:
        messages.info(request, _("This roster already exists: here it is."))
    return redirect("roster_detail", pk=roster.pk)


@staff_view(VIEW)
@require_safe
def roster_list_export(request):
    form, rosters = filtered_rosters(request.user, request.GET)
    if form.is_bound and not form.is_valid():
        return redirect("roster_list")
    return export_response(request, ROSTERS, rosters, roster_params(form))


# --- one roster --------------------------------------------------------------------------------------

def _line_filters(roster: Roster, data, s):
    townships = [(row.code, row.name) for row in s.townships]
    form = LineFilterForm(data or None, townships=townships)
    values = {"status": "", "township": "", "q": ""}
    if form.is_bound and form.is_valid():
        values = {k: form.cleaned_data[k] or "" for k in values}
    return form, values


def _detail(request, roster: Roster, *, results_form=None, report=None, status=200):
    user = request.user
    s = summary(roster)
    form, values = _line_filters(roster, request.GET, s)
    lines = filter_lines(roster, **values).select_related("application__applicant")
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    villages = region_names(line.region_code for line in page.object_list)
    townships = {row.code: row.name for row in s.townships}
    for line in page.object_list:
        line.village = villages.get(line.region_code, "")
        line.township = townships.get(township_of(line.region_code), "")
    locked = roster.status == RosterStatus.LOCKED
    may_reconcile = user.has_perm("rosters.reconcile_roster")
    return render(request, "rosters/roster_detail.html", {
        "roster": roster, "s": s, "program_label": program_label(roster.program), "page": page,
        "filter_form": form, "filtered": any(values.values()),
        "imports": list(roster.imports.select_related("uploaded_by")[:20]),
        "may_regenerate": roster.status == RosterStatus.DRAFT and user.has_perm("rosters.add_roster"),
        "may_lock": roster.status == RosterStatus.DRAFT and user.has_perm("rosters.lock_roster"),
        "may_download": locked and may_reconcile,
        "may_reissue": locked and may_reconcile,
        "results_form": (results_form or ResultsForm()) if locked and may_reconcile else None,
        "report": report,
        "total_capitals": rmb_capitals(roster.total),
        "refresh_seconds": REFRESH_SECONDS if roster.status == RosterStatus.GENERATING else None,
    }, status=status)


@staff_view(VIEW)
@require_safe
@never_cache
def roster_detail(request, pk):
    return _detail(request, _roster_or_404(request.user, pk))


@staff_view("rosters.add_roster")
@require_POST
def roster_regenerate(request, pk):
    roster = _roster_or_404(request.user, pk)
    try:
        services.regenerate(request.user, roster)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The roster is being generated again from the cases' payment schedules."))
    return redirect("roster_detail", pk=roster.pk)


@staff_view("rosters.lock_roster")
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def roster_lock(request, pk):
    """A confirmation first: the number of lines and the total, in figures and in capitals
    (大写); the lock goes ahead only for the very figures confirmed."""
    roster = _roster_or_404(request.user, pk)
    if roster.status != RosterStatus.DRAFT:
        messages.error(request, _("Only a draft roster can be locked.") if roster.status == RosterStatus.LOCKED
                       else _("The roster is being generated: lock it when it is ready."))
        return redirect("roster_detail", pk=roster.pk)
    status = 200
    if request.method == "POST":
        form = LockForm(request.POST)
        if form.is_valid():
            if (form.cleaned_data["lines"] != roster.line_count
                    or form.cleaned_data["total"] != roster.total):
                messages.error(request, _("The roster changed since you looked at it: check the figures again."))
                form = LockForm(initial={"lines": roster.line_count, "total": roster.total})
                status = 409
            else:
                try:
                    services.lock(request.user, roster, request=request)
                except Conflict as exc:
                    messages.error(request, exc.message)
                    return redirect("roster_detail", pk=roster.pk)
                messages.success(request, _("Roster locked: %(n)s lines, %(total)s yuan. Download the bank file.") % {
                    "n": roster.line_count, "total": figures(roster.total)})
                return redirect("roster_detail", pk=roster.pk)
        else:
            status = 400
    else:
        form = LockForm(initial={"lines": roster.line_count, "total": roster.total})
    s = summary(roster)
    return render(request, "rosters/roster_lock.html", {
        "roster": roster, "s": s, "form": form, "program_label": program_label(roster.program),
        "total_capitals": rmb_capitals(roster.total),
        "without_account": roster.lines.filter(account_number="").count(),
    }, status=status)


def _locked_for_bank(request, pk) -> Roster:
    roster = _roster_or_404(request.user, pk)
    if roster.status != RosterStatus.LOCKED:
        raise Conflict(_("Lock the roster before sending it to the bank."))
    return roster


def _bank_file_name(roster: Roster, extension: str) -> str:
    return f"roster-{roster.county_code}-{roster.program}-{roster.month_label}.{extension}"


@staff_view("rosters.reconcile_roster")
@require_safe
def roster_bank_file(request, pk):
    try:
        roster = _locked_for_bank(request, pk)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("roster_detail", pk=pk)
    audit.record("rosters.bank_file.downloaded", actor=request.user, obj=roster, region_code=roster.county_code,
                 extra={"format": "csv"}, request=request)
    response = StreamingHttpResponse(services.bank_csv(roster), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_bank_file_name(roster, "csv")}"'
    response["Cache-Control"] = "no-store"
    return response


@staff_view("rosters.reconcile_roster")
@require_safe
def roster_bank_xlsx(request, pk):
    try:
        roster = _locked_for_bank(request, pk)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("roster_detail", pk=pk)
    with tempfile.TemporaryFile() as out:
        bank_xlsx(roster, out)
        out.seek(0)
        content = out.read()
    audit.record("rosters.bank_file.downloaded", actor=request.user, obj=roster, region_code=roster.county_code,
                 extra={"format": "xlsx"}, request=request)
    return attachment(content, _bank_file_name(roster, "xlsx"), XLSX)


@staff_view(VIEW)
@require_safe
def roster_pdf_view(request, pk):
    roster = _roster_or_404(request.user, pk)
    if roster.status == RosterStatus.GENERATING:
        messages.error(request, _("The roster is being generated: its PDF is ready when it is."))
        return redirect("roster_detail", pk=roster.pk)
    content = roster_pdf(roster)
    audit.record("rosters.roster.printed", actor=request.user, obj=roster, region_code=roster.county_code,
                 request=request)
    name = f"{_('Payment roster')}-{roster.month_label}.pdf"
    return attachment(content, _bank_file_name(roster, "pdf"), "application/pdf", display_name=name)


@staff_view(VIEW)
@require_safe
def roster_lines_export(request, pk):
    roster = _roster_or_404(request.user, pk)
    s = summary(roster)
    form, values = _line_filters(roster, request.GET, s)
    if form.is_bound and not form.is_valid():
        return redirect("roster_detail", pk=roster.pk)
    return export_response(request, ROSTER_LINES, filter_lines(roster, **values), line_params(roster, values))


@staff_view("rosters.reconcile_roster")
@require_POST
def roster_results(request, pk):
    roster = _roster_or_404(request.user, pk)
    form = ResultsForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, roster, results_form=form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > services.MAX_RESULT_BYTES:
        form.add_error("file", _("The file is larger than %(mb)s MB.") % {"mb": services.MAX_RESULT_BYTES // 2**20})
        return _detail(request, roster, results_form=form, status=400)
    try:
        report = services.import_results(request.user, roster, upload.read(), file_name=upload.name or "",
                                         request=request)
    except InvalidInput as exc:
        apply_errors(form, exc.errors)
        return _detail(request, roster, results_form=form, status=400)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("roster_detail", pk=roster.pk)
    if report.status != "applied":
        messages.error(request, _("The file was rejected: nothing was applied. Correct the rows below and upload "
                                  "it again."))
        return _detail(request, Roster.objects.get(pk=roster.pk), report=report, status=400)
    messages.success(request, _("Results recorded: %(paid)s paid, %(failed)s failed, %(unchanged)s already "
                                "recorded.") % {"paid": report.paid, "failed": report.failed,
                                                "unchanged": report.unchanged})
    return redirect("roster_detail", pk=roster.pk)


@staff_view("rosters.reconcile_roster")
@require_POST
def line_reissue(request, pk):
    try:
        line = services.reissue(request.user, pk, request=request)
    except LookupError:
        raise Http404 from None
    except Conflict as exc:
        messages.error(request, exc.message)
        line = RosterLine.objects.visible_to(request.user).filter(pk=pk).first()
        if line is None:
            raise Http404 from None
    else:
        messages.success(request, _("Payment issued again (attempt %(n)s): it is in the next bank file.") % {
            "n": line.attempt})
    back = request.POST.get("next", "")
    if back == "inbox":
        return redirect("roster_list")
    return redirect(reverse("roster_detail", args=[line.roster_id]) + "?status=failed")


# --- on the case page ------------------------------------------------------------------------------------

def case_payments(application, user, *, account_form=None) -> dict:
    """The bank account and roster lines of a 低保/特困 case, for its case page."""
    if not (user.has_perm("rosters.view_bankaccount") or user.has_perm("rosters.view_roster")):
        return {}
    account = BankAccount.objects.filter(application_id=application.pk).first()
    may_edit = user.has_perm("rosters.change_bankaccount") or user.has_perm("rosters.add_bankaccount")
    if account_form is None and may_edit:
        account_form = BankAccountForm(initial={"holder": account.holder, "bank_name": account.bank_name}
                                       if account else {"holder": application.applicant.name})
    lines = list(RosterLine.objects.filter(application_id=application.pk).order_by("-month", "-pk")[:36])
    return {"account": account if user.has_perm("rosters.view_bankaccount") else None,
            "masked_account": mask_account(account.account_number) if account else "",
            "may_see_account": user.has_perm("rosters.view_bankaccount"), "account_form": account_form,
            "lines": lines, "lines_total": sum((line.amount for line in lines if line.status == LineStatus.PAID),
                                               Decimal("0.00")),
            "may_see_rosters": user.has_perm(VIEW)}


@staff_view()
@require_POST
def case_bank_account(request, pk):
    """Record or correct the case's bank account (township caseworkers, county finance)."""
    if not (request.user.has_perm("rosters.change_bankaccount") or request.user.has_perm("rosters.add_bankaccount")):
        raise PermissionDenied
    application = application_for(request.user, pk)  # 404 outside the user's region
    form = BankAccountForm(request.POST)
    if form.is_valid():
        try:
            services.set_account(request.user, application, request=request, **form.cleaned_data)
        except InvalidInput as exc:
            apply_errors(form, exc.errors)
        except LookupError:
            raise Http404 from None
        else:
            messages.success(request, _("Bank account recorded."))
            return redirect(reverse("application_detail", args=[application.pk]) + "#bank-account")
    return case_page(request, application, status=400, account_form=form)

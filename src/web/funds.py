"""Reserve-fund pages: the fund list, a fund with its ledger, monthly statements (page,
PDF, Excel) and sign-off, and replenishment requests.

Each view checks the role's permission (403), loads through the region scope (404),
and leaves every change to funds.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit import services as audit
from core.decorators import staff_view
from core.errors import Conflict, InvalidInput
from core.money import figures
from core.scoping import get_visible_or_404
from exports.responses import attachment
from exports.xlsx import XLSX
from forms.funds import (
    AdjustmentForm,
    AllocationForm,
    DecisionForm,
    LimitsForm,
    ReplenishmentRequestForm,
    ReverseForm,
    SignOffForm,
    apply_errors,
)
from funds import services
from funds.models import (
    EntryKind,
    LedgerEntry,
    MonthlySignOff,
    ReplenishmentRequest,
    RequestStatus,
    ReserveFund,
    month_of,
)
from funds.statements import build_statement, check_fund, months_of, parse_month, statement_pdf, statement_xlsx
from funds.waiting import waiting_instalments

PAGE_SIZE = 50
VIEW = "funds.view_reservefund"


def _funds(user):
    return ReserveFund.objects.visible_to(user).with_status().select_related("township")


def _fund_or_404(user, pk) -> ReserveFund:
    return get_visible_or_404(_funds(user), user, pk=pk)


def _may_reverse(user) -> bool:
    return services.may_reverse(user)


@staff_view(VIEW)
@require_safe
def fund_list(request):
    funds = _funds(request.user).order_by("township_id")
    page = Paginator(funds, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "funds/fund_list.html", {"page": page})


def _detail(request, fund: ReserveFund, *, status: int = 200, **forms):
    user = request.user
    entries = fund.entries.select_related("actor").order_by("-id")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [entry.pk for entry in page.object_list]
    reversed_ids = set(LedgerEntry.objects.filter(reverses_id__in=ids).values_list("reverses_id", flat=True))
    may_reverse = _may_reverse(user)
    for entry in page.object_list:
        entry.is_reversed = entry.pk in reversed_ids
        entry.may_reverse = may_reverse and entry.kind == EntryKind.DISBURSEMENT and not entry.is_reversed
    signed = set(fund.sign_offs.values_list("month", flat=True))
    this_month = month_of(timezone.now())
    context = {
        "fund": fund,
        "page": page,
        "months": [{"month": m, "slug": f"{m:%Y-%m}", "signed": m in signed, "open": m >= this_month}
                   for m in months_of(fund)],
        "may_sign": user.has_perm("funds.sign_off"),
        "open_request": fund.replenishments.filter(status=RequestStatus.OPEN).first(),
        "requests": fund.replenishments.select_related("requested_by", "decided_by")[:10],
        "waiting": list(waiting_instalments(fund)[:100]),
        "allocation_form": forms.get("allocation_form") or (AllocationForm() if user.has_perm("funds.allocate")
                                                           else None),
        "adjustment_form": forms.get("adjustment_form") or (AdjustmentForm() if user.has_perm("funds.adjust")
                                                           else None),
        "limits_form": forms.get("limits_form") or (LimitsForm(initial={
            "low_water_mark": fund.low_water_mark, "target_balance": fund.target_balance})
            if user.has_perm("funds.allocate") else None),
        "request_form": forms.get("request_form") or (ReplenishmentRequestForm()
                                                      if user.has_perm("funds.request_replenishment") else None),
        "reverse_form": ReverseForm() if may_reverse else None,
    }
    return render(request, "funds/fund_detail.html", context, status=status)


@staff_view(VIEW)
@require_safe
@never_cache
def fund_detail(request, pk):
    return _detail(request, _fund_or_404(request.user, pk))


def _post(request, pk, form_class, form_name, action):
    """Run one change from a form on the fund page: 403 for the wrong role, 404 outside
    the region, the page again with the errors (400) for bad input, a message for a
    refusal (409), and back to the page on success."""
    fund = _fund_or_404(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            message = action(fund, form)
        except InvalidInput as exc:
            apply_errors(form, exc.errors)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("fund_detail", pk=fund.pk)
        else:
            messages.success(request, message)
            return redirect("fund_detail", pk=fund.pk)
    return _detail(request, fund, status=400, **{form_name: form})


@staff_view("funds.allocate")
@require_POST
def fund_allocate(request, pk):
    def action(fund, form):
        key = form.idempotency_key(fund)
        if LedgerEntry.objects.filter(idempotency_key=key).exists():
            return _("This allocation was already recorded; nothing more was allocated.")
        data = form.cleaned_data
        entry = services.allocate(request.user, fund, data["amount"], data["reference"], request=request,
                                  idempotency_key=key)
        return _("Allocated %(amount)s yuan. The balance is now %(balance)s yuan.") % {
            "amount": figures(entry.amount), "balance": figures(entry.balance_after)}

    return _post(request, pk, AllocationForm, "allocation_form", action)


@staff_view("funds.adjust")
@require_POST
def fund_adjust(request, pk):
    def action(fund, form):
        key = form.idempotency_key(fund)
        if LedgerEntry.objects.filter(idempotency_key=key).exists():
            return _("This adjustment was already recorded; nothing more was changed.")
        data = form.cleaned_data
        entry = services.adjust(request.user, fund, data["amount"], data["reason"], request=request,
                                idempotency_key=key)
        return _("Adjustment recorded. The balance is now %(balance)s yuan.") % {
            "balance": figures(entry.balance_after)}

    return _post(request, pk, AdjustmentForm, "adjustment_form", action)


@staff_view("funds.allocate")
@require_POST
def fund_limits(request, pk):
    def action(fund, form):
        data = form.cleaned_data
        services.set_limits(request.user, fund, low_water_mark=data["low_water_mark"],
                            target_balance=data["target_balance"], request=request)
        return _("The fund's limits were saved.")

    return _post(request, pk, LimitsForm, "limits_form", action)


@staff_view("funds.request_replenishment")
@require_POST
def fund_request_replenishment(request, pk):
    def action(fund, form):
        data = form.cleaned_data
        replenishment = services.request_replenishment(request.user, fund, amount=data["amount"],
                                                       reason=data["reason"], request=request)
        return _("Replenishment of %(amount)s yuan requested from county finance.") % {
            "amount": figures(replenishment.amount)}

    return _post(request, pk, ReplenishmentRequestForm, "request_form", action)


@staff_view(VIEW)
@require_POST
def fund_entry_reverse(request, pk, entry_pk):
    fund = _fund_or_404(request.user, pk)
    entry = fund.entries.filter(pk=entry_pk).first()
    if entry is None:
        raise Http404
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the payout is reversed."))
        return redirect("fund_detail", pk=fund.pk)
    try:
        reversal = services.reverse(request.user, entry, form.cleaned_data["reason"], request=request)
    except InvalidInput:
        messages.error(request, _("Say why the payout is reversed."))
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Payout no. %(n)s reversed: %(amount)s yuan are back in the fund.") % {
            "n": entry.pk, "amount": figures(reversal.amount)})
    return redirect("fund_detail", pk=fund.pk)


# --- statements ---------------------------------------------------------------------------------

def _statement_for(request, pk, month):
    fund = _fund_or_404(request.user, pk)
    parsed = parse_month(month)
    if parsed is None:
        raise Http404
    return build_statement(fund, parsed)


@staff_view(VIEW)
@require_safe
@never_cache
def fund_statement(request, pk, month):
    statement = _statement_for(request, pk, month)
    return _statement_page(request, statement)


def _statement_page(request, statement, *, form=None, status=200):
    fund = statement.fund
    may_sign = (request.user.has_perm("funds.sign_off") and statement.sign_off is None
                and statement.month < month_of(timezone.now()))
    return render(request, "funds/statement.html", {
        "fund": fund, "s": statement, "check": check_fund(fund),
        "sign_off_form": (form or SignOffForm()) if may_sign else None,
        # Why there is no sign-off button: the month has not ended, or signing is county finance's.
        "month_open": statement.month >= month_of(timezone.now()),
    }, status=status)


def _download(request, statement, content: bytes, content_type: str, extension: str) -> HttpResponse:
    audit.record("funds.statement.downloaded", actor=request.user, obj=statement.fund,
                 region_code=statement.fund.township_id, extra={"month": statement.slug, "format": extension},
                 request=request)
    return attachment(content, statement.filename(extension), content_type)


@staff_view(VIEW)
@require_safe
def fund_statement_pdf(request, pk, month):
    statement = _statement_for(request, pk, month)
    # A signed-off month answers the statement as it was signed, byte for byte.
    signed = (MonthlySignOff.objects.filter(pk=statement.sign_off.pk).values_list("statement_pdf", flat=True).first()
              if statement.sign_off else None)
    content = bytes(signed) if signed else statement_pdf(statement)
    return _download(request, statement, content, "application/pdf", "pdf")


@staff_view(VIEW)
@require_safe
def fund_statement_xlsx(request, pk, month):
    statement = _statement_for(request, pk, month)
    return _download(request, statement, statement_xlsx(statement), XLSX, "xlsx")


@staff_view("funds.sign_off")
@require_POST
def fund_sign_off(request, pk, month):
    statement = _statement_for(request, pk, month)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        return _statement_page(request, statement, form=form, status=400)
    try:
        services.sign_off_month(request.user, statement.fund, statement.month, note=form.cleaned_data["note"],
                                request=request)
    except InvalidInput as exc:
        apply_errors(form, exc.errors)
        return _statement_page(request, statement, form=form, status=400)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(month)s is signed off: its entries are locked.") % {"month": statement.label})
    return redirect("fund_statement", pk=statement.fund.pk, month=statement.slug)


# --- replenishment requests ---------------------------------------------------------------------

def _open_task(replenishment):
    """The open ``replenish`` task of this request, if any."""
    from viewflow.workflow.models import Task

    from workflows.engine import OPEN_TASK_STATUSES
    from workflows.replenishment.flows import ReplenishmentFlow

    return (Task.objects.filter(flow_task=ReplenishmentFlow.replenish, process__artifact_object_id=replenishment.pk,
                                status__in=OPEN_TASK_STATUSES).order_by("-pk").first())


@staff_view(VIEW)
@require_http_methods(["GET", "POST"])
@never_cache
def fund_replenishment(request, pk):
    replenishment = get_visible_or_404(
        ReplenishmentRequest.objects.select_related("fund__township", "requested_by", "decided_by",
                                                    "allocation"), request.user, pk=pk)
    task = _open_task(replenishment) if replenishment.status == RequestStatus.OPEN else None
    may_decide = task is not None and request.user.has_perm("funds.approve_replenishment")
    form = None
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("funds.approve_replenishment"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if task is None:
            messages.error(request, _("This replenishment request has already been decided."))
            return redirect("fund_replenishment", pk=replenishment.pk)
        form = DecisionForm(request.POST)
        if form.is_valid():
            from workflows import engine

            try:
                engine.complete(request.user, task.pk, services.decide_replenishment, request=request,
                                **form.cleaned_data)
            except InvalidInput as exc:
                apply_errors(form, exc.errors)
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("fund_replenishment", pk=replenishment.pk)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("fund_replenishment", pk=replenishment.pk)
        status = 400
    elif may_decide:
        form = DecisionForm(initial={"amount": replenishment.amount})
    return render(request, "funds/replenishment.html", {
        "r": replenishment, "fund": replenishment.fund, "task": task,
        "deadline": _deadline(task), "form": form if may_decide else None,
    }, status=status)


def _deadline(task):
    if task is None:
        return None
    from workflows.engine import task_deadline

    return task_deadline(task)

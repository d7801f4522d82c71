"""Case pages of every program: opening a case, the case list and page, each task's page
with its step form, and the work queues (my tasks, the township's unclaimed tasks,
the approval queue). What a step shows and does comes from its program's step table
(core.programs); nothing here names a program or a step.

Views stay thin. Every record is loaded through the region scope (outsiders get 404),
each page checks the role's permission (403), and every change goes through
assistance.services (opening a case) or workflows.engine (claim, release, complete),
whose errors come back onto the form (400), or as a message with the status an API
client would get (403, 409).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from assistance import services
from assistance.models import Application
from audit.models import AuditEvent
from core import programs
from core.counting import count_each
from core.decorators import staff_view
from core.errors import Conflict, DomainError, InvalidInput, NotPermitted
from core.money import figures
from core.scoping import get_visible_or_404
from documents.models import Document
from documents.numerals import rmb_capitals
from exports.responses import export as export_response
from forms.cases import ApplicationFilterForm, HouseholdFindForm
from forms.registry import apply_errors
from funds.models import township_balance
from regions.models import Region
from registry.models import Household
from registry.search import search_households
from workflows import engine
from workflows.guard import services as guard

from . import case_rows
from .export_kinds import APPLICATIONS, application_params
from .next_actor import next_actors
from .queries import with_list_data as households_with_list_data

PAGE_SIZE = 50
# Who may follow a task without doing it: supervisors and heads watching deadlines.
FOLLOW_PERMISSION = "deadlines.view_breaches"
def _may_do(user, task: Task) -> bool:
    return not task.owner_permission or user.has_perm(task.owner_permission)


def _next_task_url(user, application_id: int) -> str | None:
    """The case's next task if this user may do it now (open, theirs or nobody's yet)."""
    deadlines = list(case_rows.open_task_deadlines().filter(application_id=application_id).order_by("due_at", "pk"))
    tasks = Task.objects.in_bulk([d.subject_id for d in deadlines]) if deadlines else {}
    for deadline in deadlines:
        task = tasks.get(deadline.subject_id)
        if task is not None and task.owner_id in (None, user.pk) and _may_do(user, task):
            return reverse("task_detail", args=[task.pk])
    return None


# --- Opening a case -------------------------------------------------------------------------------

def _household_id(request, pk):
    raw = pk if pk is not None else request.GET.get("household", "")
    try:
        return int(raw) if raw not in ("", None) else None
    except (TypeError, ValueError):
        raise Http404 from None


def _choose_household(request):
    form = HouseholdFindForm(request.GET or None)
    households = Household.objects.none()
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        households = search_households(request.user, q=form.cleaned_data["q"])
    page = Paginator(households_with_list_data(households.order_by("-id")), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "cases/household_pick.html", {"form": form, "page": page})


@staff_view("assistance.add_application")
@require_http_methods(["GET", "POST"])
def application_create(request, pk=None):
    household_id = _household_id(request, pk)
    if household_id is None:
        return _choose_household(request)
    user = request.user
    household = get_visible_or_404(Household.objects.select_related("region").prefetch_related("members"), user,
                                   pk=household_id)
    spec = _program_for_page(request)
    if spec is None:
        raise Http404
    # A link may prefill the form (a visit that found an emergency links here with kind and cause).
    initial = {key: value for key, value in request.GET.items() if key not in ("household", "program")}
    form = spec.opening_form(request.POST or None, household=household, program=spec.code, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                application = services.open_application(user, request=request, **form.service_data())
            except InvalidInput as exc:
                apply_errors(form, exc.errors)
            else:
                messages.success(request, _("Application %(id)s received.") % {"id": application.pk})
                return redirect(_next_task_url(user, application.pk) or application.get_absolute_url())
        status = 400
    return render(request, "cases/application_form.html", {
        "form": form, "household": household, "program_label": spec.label,
        "other_programs": [p for p in programs.programs() if p.opening_form is not None and p.code != spec.code],
    }, status=status)


def _program_for_page(request):
    """The program applied for: named by the form or the link, else the first with a web form."""
    code = request.POST.get("program") or request.GET.get("program")
    with_form = [p for p in programs.programs() if p.opening_form is not None]
    if code:
        return next((p for p in with_form if p.code == code), None)
    return with_form[0] if with_form else None


# --- The case list and the case page ------------------------------------------------------------------

def _search(request):
    """(form, applications) for the list and its export: an invalid filter finds nothing
    rather than silently widening the list."""
    form = ApplicationFilterForm(request.GET or None, user=request.user)
    if not form.is_bound:
        return form, case_rows.search_applications(request.user)
    if not form.is_valid():
        return form, Application.objects.none()
    data = form.cleaned_data
    return form, case_rows.search_applications(request.user, status=data["status"], region=data["region"],
                                               q=data["q"])


@staff_view("assistance.view_application")
@require_safe
def application_list(request):
    form, applications = _search(request)
    page = Paginator(case_rows.with_list_data(applications), PAGE_SIZE).get_page(request.GET.get("page"))
    case_rows.attach_open_tasks(page.object_list)
    return render(request, "cases/application_list.html", {"form": form, "page": page, "now": timezone.now()})


@staff_view("assistance.view_application")
@require_safe
def application_export(request):
    """The list's applications as xlsx: answered at once up to EXPORT_INLINE_MAX_ROWS, beyond
    that written by a worker while the user watches a progress page."""
    form, applications = _search(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(reverse("application_list") + "?" + request.GET.urlencode())
    return export_response(request, APPLICATIONS, applications, application_params(form))


def application_for(user, pk) -> Application:
    return get_visible_or_404(
        Application.objects.select_related("household__region", "applicant", "created_by", "intake_by",
                                           "decided_by", *programs.detail_relations()), user, pk=pk)


def _case_context(application) -> dict:
    """What the case and task pages show of the case's program: its own fields' block and
    its flags, with the flag every program shares (a relative of staff)."""
    spec = programs.program(application.program)
    return {"details_template": spec.details_template if spec else "", "flags": programs.case_flags(application)}


def _open_tasks(user, application: Application) -> list:
    deadlines = case_rows.open_tasks_by_application([application.pk]).get(application.pk, [])
    tasks = Task.objects.in_bulk([d.subject_id for d in deadlines]) if deadlines else {}
    for deadline in deadlines:
        task = tasks.get(deadline.subject_id)
        deadline.may_open = task is not None and (_may_do(user, task) or user.has_perm(FOLLOW_PERMISSION))
    return deadlines


@staff_view("assistance.view_application")
@require_safe
def application_detail(request, pk):
    return case_page(request, application_for(request.user, pk))


def case_page(request, application, *, status: int = 200, **extra):
    """The case page; ``extra``: a form of the page posted back with its errors."""
    user = request.user
    history = list(AuditEvent.objects.visible_to(user).select_related("actor")
                   .filter(object_type="assistance.application", object_id=str(application.pk)).order_by("at", "id"))
    documents = list(Document.objects.visible_to(user).filter(application=application)
                     .select_related("instalment").defer("content").order_by("created_at", "id"))
    return render(request, "cases/application_detail.html", {
        "application": application,
        "investigators": list(application.investigators.order_by("username")),
        "instalments": list(application.instalments.select_related("paid_by").order_by("number")),
        "documents": documents,
        "history": history,
        "duplicate_overrides": guard.overrides_of(application),
        "open_tasks": (open_tasks := _open_tasks(user, application)),
        "next_actors": next_actors(open_tasks),
        "now": timezone.now(),
        **_case_context(application),
        **extra,
    }, status=status)


# --- A task and its step --------------------------------------------------------------------------------

def _task_page(request, task, deadline, form=None, *, status=200):
    user = request.user
    application = application_for(user, deadline.application_id)
    may_do = _may_do(user, task)
    is_open = task.status in engine.OPEN_TASK_STATUSES
    mine = task.owner_id == user.pk
    step = programs.step(deadline.flow, deadline.step)
    form_class = step.fields if step is not None else None
    if not (form_class is not None and is_open and may_do and (task.owner_id is None or mine)):
        form = None  # done, or someone else's: nothing to fill in
    elif form is None:
        form = form_class(case=application)
    # A step that grants the case shows what the duplicate-benefit guard finds before the
    # decision; the reason to grant despite it is asked for only when there is something.
    findings = guard.findings(application) if step is not None and step.guard_on and is_open else []
    if form is not None and not findings:
        form.fields.pop(guard.OVERRIDE_FIELD, None)
    shows_fund = step is not None and (step.shows_fund or step.moves_money)
    balances = case_rows.fund_balances([application.township_code]) if shows_fund else {}
    payment = (_payment_facts(application, deadline, balances.get(application.township_code))
               if step is not None and step.moves_money and form is not None else None)
    return render(request, "cases/task_detail.html", {
        "task": task, "deadline": deadline, "application": application, "form": form,
        "step_help": step.help if step is not None else "", "is_open": is_open, "mine": mine,
        "owner": task.owner if task.owner_id else None,
        "can_claim": is_open and may_do and task.owner_id is None,
        "can_release": mine and task.status == STATUS.ASSIGNED,
        "show_fund": shows_fund,
        "fund_balance": balances.get(application.township_code),
        "payment": payment,
        "duplicate_findings": findings,
        "investigators": list(application.investigators.order_by("username")),
        # Done or not: who acts now on the case (this task's own line, or what came after it).
        "next_actors": next_actors(case_rows.open_tasks_by_application([application.pk]).get(application.pk, [])),
        "now": timezone.now(),
        **_case_context(application),
    }, status=status)


CONFIRM_PAYMENT = "confirm_payment"


def _payment_facts(application, deadline, balance) -> dict:
    """What a person confirms before a step moves money: how much (in figures and in
    capitals, as vouchers write it), to whom, from which fund, and what the fund keeps."""
    spec = programs.program(application.program)
    amount = spec.payment_preview(application, deadline.step) if spec and spec.payment_preview else None
    township = Region.objects.filter(code=application.township_code).values_list("name", flat=True).first()
    return {
        "amount": amount, "capitals": rmb_capitals(amount) if amount is not None else "",
        "payee": application.applicant, "fund": township or application.township_code, "balance": balance,
        "balance_after": balance - amount if amount is not None and balance is not None else None,
        "short": amount is not None and balance is not None and balance < amount,
    }


def _paid_message(application, payment: dict) -> str:
    """The flash after a payment, repeating the facts the person confirmed."""
    balance = case_rows.fund_balances([application.township_code]).get(application.township_code)
    amount = payment["amount"] if payment["amount"] is not None else application.amount_paid
    return _("Paid %(amount)s yuan (%(capitals)s) to %(payee)s from the reserve fund of %(fund)s; "
             "the fund now holds %(balance)s yuan.") % {
        "amount": figures(amount), "capitals": rmb_capitals(amount), "payee": payment["payee"].name,
        "fund": payment["fund"], "balance": figures(balance) if balance is not None else "—"}


def _visible_task(user, pk):
    task, deadline = engine.visible_task_or_404(user, pk)
    if deadline.application_id is None:
        raise Http404  # work of another kind (a visit) has its own pages
    return task, deadline


def _refused(request, task, deadline, exc: DomainError, form=None):
    """The engine or a service said no: say why on the task's page, with the status
    code an API client would get (403 not yours / not allowed, 409 taken or done)."""
    messages.error(request, exc.message)
    task.refresh_from_db()
    return _task_page(request, task, deadline, form, status=exc.status_code)


@staff_view("assistance.view_application")
@require_http_methods(["GET", "POST"])
def task_detail(request, pk):
    user = request.user
    task, deadline = _visible_task(user, pk)
    if deadline.flow == "reserve_fund":
        # A replenishment request is decided on the fund's own page.
        return redirect("fund_replenishment", task.process.artifact_object_id)
    may_do = _may_do(user, task)
    if request.method == "GET":
        if not (may_do or user.has_perm(FOLLOW_PERMISSION)):
            raise PermissionDenied
        return _task_page(request, task, deadline)

    if not may_do:
        raise PermissionDenied
    step = programs.step(deadline.flow, deadline.step)
    if step is None or step.fields is None:
        raise Http404
    application = application_for(user, deadline.application_id)
    form = step.fields(request.POST, case=application)
    if not form.is_valid():
        return _task_page(request, task, deadline, form, status=400)
    payment = None
    if step.moves_money:
        # Money moves only after the person saw the amount, the payee and the fund, and said so.
        if not request.POST.get(CONFIRM_PAYMENT):
            form.add_error(None, _("Check the amount, the payee and the fund, then confirm the payment."))
            return _task_page(request, task, deadline, form, status=400)
        balances = case_rows.fund_balances([application.township_code])
        payment = _payment_facts(application, deadline, balances.get(application.township_code))
    try:
        result = engine.complete(user, task.pk, step.service, request=request, **form.service_fields())
    except InvalidInput as exc:
        apply_errors(form, exc.errors)
        return _task_page(request, task, deadline, form, status=400)
    except (Conflict, NotPermitted) as exc:
        return _refused(request, task, deadline, exc, form)
    if isinstance(result, engine.KeepOpen):
        messages.warning(request, result.message)
        return redirect("task_detail", pk=task.pk)
    application = Application.objects.get(pk=deadline.application_id)
    if payment is not None:
        if payment["amount"] is None:  # entered on the step (an urgent payment): what was paid now
            payment["amount"] = form.cleaned_data.get("amount")
        messages.success(request, _paid_message(application, payment))
    messages.success(request, _("%(step)s recorded. The application is now: %(status)s.") % {
        "step": step.label, "status": application.status_label})
    return redirect(_next_task_url(user, application.pk) or application.get_absolute_url())


@staff_view("assistance.view_application")
@require_POST
def task_claim(request, pk):
    task, deadline = _visible_task(request.user, pk)
    try:
        engine.claim(request.user, task.pk, request=request)
    except Conflict as exc:
        return _refused(request, task, deadline, exc)
    messages.success(request, _("The task is yours now."))
    return redirect("task_detail", pk=task.pk)


@staff_view("assistance.view_application")
@require_POST
def task_release(request, pk):
    task, deadline = _visible_task(request.user, pk)
    try:
        engine.release(request.user, task.pk, request=request)
    except Conflict as exc:
        return _refused(request, task, deadline, exc)
    messages.success(request, _("The task is back in the township's queue."))
    return redirect("task_detail", pk=task.pk)


# --- Work queues ------------------------------------------------------------------------------------------

INBOX_TABS = {"mine": gettext_lazy("My tasks"), "queue": gettext_lazy("My township's unclaimed tasks")}


@staff_view()
@require_safe
def task_inbox(request):
    user = request.user
    if not any(user.has_perm(perm) for perm in programs.case_step_permissions()):
        raise PermissionDenied
    tab = request.GET.get("tab") if request.GET.get("tab") in INBOX_TABS else "mine"
    counts = count_each({key: case_rows.inbox(user, key) for key in INBOX_TABS})  # both tabs, one query
    paginator = Paginator(case_rows.inbox(user, tab).select_related("assignee"), PAGE_SIZE)
    paginator.count = counts[tab]  # counted above: no COUNT of its own
    page = paginator.get_page(request.GET.get("page"))
    now = timezone.now()
    case_rows.attach_cases(page.object_list)
    case_rows.prepare_queue_rows(page.object_list, now)
    tabs = [{"key": key, "label": label, "count": counts[key], "active": key == tab} for key, label in INBOX_TABS.items()]
    return render(request, "cases/task_inbox.html", {"page": page, "tab": tab, "tabs": tabs, "now": now})


@staff_view()
@require_safe
def approval_queue(request):
    user = request.user
    if not case_rows.approval_steps(user):
        raise PermissionDenied
    approvals = case_rows.approvals(user).select_related("assignee").annotate(fund_balance=township_balance())
    page = Paginator(approvals, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = page.object_list
    now = timezone.now()
    case_rows.attach_cases(rows)
    case_rows.prepare_queue_rows(rows, now)
    for deadline in rows:
        step = programs.step(deadline.flow, deadline.step)
        deadline.shows_fund = step is not None and step.shows_fund
    return render(request, "cases/approval_queue.html", {"page": page, "now": now})

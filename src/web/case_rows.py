"""What the case pages list, each in a fixed number of queries however many rows:
applications with their open tasks, work-queue rows with their case, and the
reserve-fund balances of the townships on a page.

The work queues read the Deadline rows, as the API does: one row per open human
task, with its role, region, assignee and due time (ordered by due time, so the
overdue, due earliest, come first).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from assistance.models import Application
from core import programs
from deadlines.labels import step_label
from deadlines.models import Deadline, DeadlineStatus
from regions.codes import within
from registry.models import Person
from registry.search import person_match


def task_type_id() -> int:
    # Cached by the content-type manager: one query per process, not per page.
    return ContentType.objects.get_for_model(Task).pk


def open_task_deadlines() -> QuerySet[Deadline]:
    """Open (or paused) work of the flows: a paused task is still someone's task."""
    return Deadline.objects.filter(subject_type_id=task_type_id()).exclude(status=DeadlineStatus.CLOSED)


# --- Applications ---------------------------------------------------------------------------------

def search_applications(user, *, status: str = "", region=None, q: str = "") -> QuerySet[Application]:
    applications = Application.objects.visible_to(user)
    if status == "open":
        applications = applications.filter(open_condition())
    elif status:
        applications = applications.filter(status=status)
    if region is not None:
        applications = applications.filter(within("region_code", region.code, region.level))
    q = (q or "").strip()
    if q:
        # A subquery, not a join: the applicant's name or the tail of their ID number.
        match = Q(applicant_id__in=Person.objects.filter(person_match(q)).values("id"))
        if q.isdigit() and len(q) <= 9:
            match |= Q(pk=int(q))
        applications = applications.filter(match)
    return applications.order_by("-id")


def open_condition() -> Q:
    """A case that is still being worked on, by its own program's statuses."""
    condition = Q(pk__in=[])
    for spec in programs.programs():
        condition |= Q(program=spec.code, status__in=sorted(spec.open_statuses))
    return condition


def with_list_data(applications: QuerySet[Application]) -> QuerySet[Application]:
    return applications.select_related("applicant", "household__region")


def open_tasks_by_application(application_ids) -> dict[int, list[Deadline]]:
    by_application: dict[int, list[Deadline]] = {}
    if not application_ids:
        return by_application
    for deadline in (open_task_deadlines().filter(application_id__in=list(application_ids))
                     .select_related("assignee").order_by("due_at", "pk")):
        by_application.setdefault(deadline.application_id, []).append(deadline)
    return by_application


def attach_open_tasks(applications) -> None:
    """Set ``open_tasks`` on each application of a page, from one query."""
    tasks = open_tasks_by_application([a.pk for a in applications])
    for application in applications:
        application.open_tasks = tasks.get(application.pk, [])


# --- Work queues ------------------------------------------------------------------------------------

def inbox(user, tab: str) -> QuerySet[Deadline]:
    """``mine``: assigned to the user; ``queue``: nobody's yet, of a role the user holds,
    in the user's region (their township's unclaimed work)."""
    tasks = open_task_deadlines().visible_to(user)
    if tab == "queue":
        tasks = tasks.filter(assignee__isnull=True, role__in=sorted(user.roles))
    else:
        tasks = tasks.filter(assignee=user)
    return tasks.order_by("due_at", "pk")


def approval_steps(user) -> list[tuple[str, str]]:
    """(flow, step) of every deciding step (the step table's ``decides``) the user's roles may do."""
    return [(spec.code, step.name) for spec, step in programs.steps()
            if spec.is_program and step.decides and user.has_perm(step.permission)]


def approvals(user) -> QuerySet[Deadline]:
    """Decisions waiting in the user's region: a township head's township (approvals and
    urgent payments), a county reviewer's county (referrals)."""
    by_flow: dict[str, list[str]] = {}
    for flow, step in approval_steps(user):
        by_flow.setdefault(flow, []).append(step)
    condition = Q(pk__in=[])
    for flow, names in by_flow.items():
        condition |= Q(flow=flow, step__in=names)
    return open_task_deadlines().visible_to(user).filter(condition).order_by("due_at", "pk")


# The application columns a queue row shows: a page reads 50 of them, not whole rows.
CASE_ROW_FIELDS = ("id", "program", "status", "amount_requested", "recommended_amount", "related_to_staff",
                   "applicant__id", "applicant__name")


def attach_cases(deadlines) -> None:
    """Set ``case`` (the application, with its applicant's name) on each row of a page, in one query."""
    ids = {d.application_id for d in deadlines if d.application_id}
    relations = programs.detail_relations()
    columns = [*CASE_ROW_FIELDS, *programs.flag_columns(), *(f"{r}__case_id" for r in relations)]
    cases = (Application.objects.select_related("applicant", *relations).only(*columns).in_bulk(ids)
             if ids else {})
    for deadline in deadlines:
        deadline.case = cases.get(deadline.application_id)
        deadline.flags = programs.case_flags(deadline.case) if deadline.case else []


def _url_maker(name: str):
    """pk → the URL of a page taking one integer, reversed once per page instead of once
    per row (a queue page links every row twice; reverse() was a fifth of its time)."""
    sentinel = 987654321
    head, _sep, tail = reverse(name, args=[sentinel]).rpartition(str(sentinel))
    return lambda pk: f"{head}{pk}{tail}"


def prepare_queue_rows(deadlines, now) -> None:
    """Set what a work-queue row shows on each deadline of a page (its case attached
    first): links, the step's name, the case number, and whether it is overdue at the
    page's moment. Done here once per row, so the template only prints values: a page
    of 50 rows rendered per-row tags and an include in about as long as its queries took."""
    task_url, case_url = _url_maker("task_detail"), _url_maker("application_detail")
    for deadline in deadlines:
        deadline.late = deadline.is_overdue(now)
        deadline.task_url = task_url(deadline.subject_id)
        deadline.step_label = step_label(deadline.flow, deadline.step)
        case = getattr(deadline, "case", None)
        deadline.case_url = case_url(case.pk) if case else ""
        deadline.case_number = _("No. %(number)s") % {"number": case.pk} if case else ""


# --- Reserve funds ------------------------------------------------------------------------------

def fund_balances(township_codes) -> dict[str, Decimal]:
    """township code → the balance of its reserve fund; a township without a fund is absent."""
    from funds.models import ReserveFund

    codes = sorted(set(township_codes))
    if not codes:
        return {}
    return dict(ReserveFund.objects.filter(township_id__in=codes).values_list("township_id", "balance"))

"""What every human step of every flow shares: a deadline opened when the task is
created and closed when it is done, claiming, and completing through a service.

Viewflow gives any user holding a node's permission every task of that node; the
region check is ours (core.scoping), and out-of-region tasks answer 404.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from audit import services as audit
from core import programs
from core.errors import Conflict, NotPermitted
from core.scoping import code_visible_to
from deadlines import services as deadlines
from deadlines.models import Deadline
from workflows.guard import services as guard

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


class KeepOpen:
    """Returned by a step service that recorded why the step cannot finish yet (e.g. the
    reserve fund cannot cover a payment): its changes are kept, the task stays open."""

    def __init__(self, message: str):
        self.message = message


def open_task_deadline(activation, *, flow: str, role: str, region_code: str, program: str = "",
                       application_id: int | None = None) -> Deadline:
    task = activation.task
    return deadlines.open_deadline(task, flow=flow, step=task.flow_task.name, role=role, region_code=region_code,
                                   program=program, started_at=task.created, assignee=task.owner,
                                   application_id=application_id)


def task_deadline(task: Task) -> Deadline | None:
    return deadlines.deadline_for(task)


def visible_task_or_404(user, task_id: int) -> tuple[Task, Deadline]:
    """A task and its deadline, if the task's region is within the user's scope."""
    deadline = (Deadline.objects.visible_to(user)
                .filter(subject_type__app_label="viewflow", subject_type__model="task", subject_id=task_id).first())
    if deadline is None:
        raise Http404
    return Task.objects.select_related("process").get(pk=task_id), deadline


def _check_may_do(user, task: Task, deadline: Deadline) -> None:
    if not code_visible_to(user, deadline.region_code):
        raise Http404
    if task.owner_permission and not user.has_perm(task.owner_permission):
        raise NotPermitted(_("This step belongs to another role."))


def claim(user, task_id: int, request=None) -> Task:
    """Take an unassigned task. Two people claiming at once: one gets it, the other 409."""
    task, deadline = visible_task_or_404(user, task_id)
    _check_may_do(user, task, deadline)
    with transaction.atomic():
        # The conditional update is the claim: only one UPDATE can match owner IS NULL.
        taken = Task.objects.filter(pk=task.pk, owner__isnull=True, status=STATUS.NEW).update(
            owner=user, status=STATUS.ASSIGNED, assigned=timezone.now())
        if not taken:
            task.refresh_from_db()
            if task.owner_id == user.pk and task.status in OPEN_TASK_STATUSES:
                return task
            raise Conflict(_("This task has already been taken or finished."))
        Deadline.objects.filter(pk=deadline.pk).update(assignee=user)
        audit.record("workflow.task.claimed", actor=user, obj=task, region_code=deadline.region_code,
                     extra={"step": deadline.step, "application": deadline.application_id}, request=request)
    task.refresh_from_db()
    return task


def release(user, task_id: int, request=None) -> Task:
    task, deadline = visible_task_or_404(user, task_id)
    with transaction.atomic():
        released = Task.objects.filter(pk=task.pk, owner=user, status=STATUS.ASSIGNED).update(
            owner=None, status=STATUS.NEW, assigned=None)
        if not released:
            raise Conflict(_("Only your own task that is not started can be released."))
        Deadline.objects.filter(pk=deadline.pk).update(assignee=None)
        audit.record("workflow.task.released", actor=user, obj=task, region_code=deadline.region_code,
                     extra={"step": deadline.step}, request=request)
    task.refresh_from_db()
    return task


@contextmanager
def _process_locked(task: Task):
    """Wait for the row lock on the task's process before viewflow takes it. A flow's
    lock (select_for_update_lock) asks with NOWAIT inside a savepoint and, when another
    completion of the same case holds the row, swallows the error and carries on in an
    aborted transaction: a 500. Waiting here instead, in the caller's transaction, the
    second of two completions runs after the first has committed, finds its task done
    and answers 409; viewflow's own attempt then finds the row already ours."""
    Process.objects.select_for_update().filter(pk=task.process_id).values_list("pk", flat=True).first()
    yield


def complete(user, task_id: int, step_service, *, request=None, **fields):
    """Run ``step_service(user, task, **fields)`` — the one service for this state change —
    then finish the task so viewflow creates the next one, all in one transaction.
    An unassigned task is claimed on the way if the user may claim it.

    A step that grants a case (its ``guard_on``) is checked by the duplicate-benefit guard
    first: what it finds needs ``override_reason``, which is kept with the case; without
    findings the reason is not asked for, and a step that grants nothing ignores it."""
    override_reason = fields.pop(guard.OVERRIDE_FIELD, "")
    task, deadline = visible_task_or_404(user, task_id)
    _check_may_do(user, task, deadline)
    step = programs.step(deadline.flow, deadline.step)
    guarded = deadline.application_id is not None and guard.guards(step, fields)
    with transaction.atomic(), _process_locked(task), task.activation() as activation:
        task = activation.task
        if task.status not in OPEN_TASK_STATUSES:
            raise Conflict(_("This task is already done."))
        if task.owner_id is None:
            claimed = Task.objects.filter(pk=task.pk, owner__isnull=True).update(
                owner=user, status=STATUS.ASSIGNED, assigned=timezone.now())
            if not claimed:
                raise Conflict(_("This task has just been taken by someone else."))
            task.refresh_from_db()
            activation = task.flow_task.activation_class(task)
            audit.record("workflow.task.claimed", actor=user, obj=task, region_code=deadline.region_code,
                         extra={"step": deadline.step, "application": deadline.application_id}, request=request)
        elif task.owner_id != user.pk:
            raise NotPermitted(_("This task is assigned to someone else."))
        # The deadline row is what the queues, reminders and "money arrived" read: it names
        # the task's owner, also when the step keeps the task open (a payment that waits).
        Deadline.objects.filter(pk=deadline.pk).exclude(assignee=user).update(assignee=user)
        # What the approver was shown, found again now: the case as it stands before the grant.
        found = guard.findings_for(deadline.application_id) if guarded else []
        reason = guard.require_override(found, override_reason)
        try:
            result = step_service(user, task, request=request, **fields)
        except TransitionNotAllowed:
            # The record moved on while its task stayed open (a reversed payment takes a
            # paid case back to paying while its filing task waits): a refusal, not a crash.
            raise Conflict(_("This step cannot be done in the case's current state.")) from None
        if isinstance(result, KeepOpen):
            return result
        if found:
            guard.record_override(user, deadline.application_id, deadline.step, found, reason, request=request)
        if task.status == STATUS.ASSIGNED:
            activation.start(request)
        activation.execute()
        deadlines.close_deadline(task)
    return result

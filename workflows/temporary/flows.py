"""Temporary assistance (临时救助).

    intake ─┬─ complete, urgent ──> pay_first (head, 24 h) ─> complete_paperwork (5 wd) ─┐
            ├─ complete ──────────> investigate ─────────────────────────────────────────┤
            ├─ incomplete ────────> receive_documents ─> intake                          │
            └─ not local ─────────> end (referred to the relief station)                 v
    township_approve ─┬─ approve (≤ township limit) ─> disburse ⟲ (instalments) ─> file_with_county ─> end
                      ├─ refer / above limit / staff relative ─> county_approve ─┬─ approve ─> disburse
                      └─ reject ─> end (written notice)                          └─ reject ─> end

Each step is a viewflow View node: its permission and role come from the step table
(steps.py), the assignment is its owner, and its deadline opens with the task. The
step's state change itself is the step's service, called through
workflows.engine.complete.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponseRedirect
from django.urls import reverse
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from assistance.models import Application
from deadlines import services as deadlines
from workflows.engine import OPEN_TASK_STATUSES, open_task_deadline

from .models import CODE, Status, TemporaryCase
from .steps import PROGRAM

STEPS = PROGRAM.steps


def task_page(request, **kwargs):
    """Viewflow's own task screens are not used: send people to the engine's task page."""
    task_id = kwargs.get("task_pk") or kwargs.get("pk")
    return HttpResponseRedirect(reverse("task_detail", args=[task_id]) if task_id else "/")


def _node(name: str):
    """A human step: its permission from the step table, its deadline opened on creation."""
    return flow.View(task_page).Permission(STEPS[name].permission)


def _status(*statuses):
    return lambda activation: TemporaryAssistanceFlow.application(activation.process).status in statuses


class TemporaryAssistanceFlow(flow.Flow):
    process_class = Process
    # A real row lock: gateways and concurrent completions of one case must not interleave.
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_case).Next(this.intake)

    intake = (_node("intake")
              .Assign(this.intake_owner).onCreate(this.task_created).Next(this.after_intake))
    after_intake = (flow.Switch()
                    .Case(this.receive_documents, _status(Status.INCOMPLETE))
                    .Case(this.pay_first, _status(Status.URGENT_PAYMENT))
                    .Case(this.end_referred, _status(Status.REFERRED_OUT))
                    .Default(this.investigate))
    receive_documents = (_node("receive_documents")
                         .Assign(this.intake_owner).onCreate(this.task_created).Next(this.intake))

    pay_first = (_node("pay_first")
                 .onCreate(this.task_created).Next(this.complete_paperwork))
    complete_paperwork = (_node("complete_paperwork")
                          .Assign(this.intake_owner).onCreate(this.task_created).Next(this.township_approve))
    investigate = (_node("investigate")
                   .onCreate(this.task_created).Next(this.township_approve))

    township_approve = (_node("township_approve")
                        .onCreate(this.task_created).Next(this.after_township))
    after_township = (flow.Switch()
                      .Case(this.county_approve, _status(Status.COUNTY_REVIEW))
                      .Case(this.end_rejected, _status(Status.REJECTED))
                      .Default(this.disburse))
    county_approve = (_node("county_approve")
                      .onCreate(this.task_created).Next(this.after_county))
    after_county = (flow.Switch()
                    .Case(this.end_rejected, _status(Status.REJECTED))
                    .Default(this.disburse))

    disburse = (_node("disburse")
                .onCreate(this.task_created).Next(this.after_disburse))
    after_disburse = (flow.Switch()
                      .Case(this.file_with_county, _status(Status.PAID))
                      .Default(this.disburse))
    file_with_county = (_node("file_with_county")
                        .onCreate(this.task_created).Next(this.end))

    end = flow.End()
    end_rejected = flow.End()
    end_referred = flow.End()

    @staticmethod
    def application(process) -> TemporaryCase:
        cached = getattr(process, "_application", None)
        if cached is None:
            cached = TemporaryCase.objects.get(pk=process.artifact_object_id)
            process._application = cached
        return cached

    def start_case(self, activation, application: Application):
        activation.process.artifact = application
        activation.process.save()
        activation.process._application = application
        return activation.process

    def intake_owner(self, activation):
        return self.application(activation.process).created_by

    def task_created(self, activation):
        application = self.application(activation.process)
        open_task_deadline(activation, flow=CODE, role=STEPS[activation.task.flow_task.name].role,
                           region_code=application.region_code, program=application.program,
                           application_id=application.pk)


def reopen_payment(application: Application) -> Task | None:
    """A payment of the case came back (payments.record_reversal) and the case is being
    paid again: give it an open ``disburse`` task unless it has one. The filing task that
    followed the last payment is cancelled (there is nothing to file while money is owed),
    and a finished process is opened again; the new task opens its deadline like any other.
    The caller holds the process and case locks (assistance.services.lock_case)."""
    process = Process.objects.select_for_update().filter(
        artifact_content_type=ContentType.objects.get_for_model(Application), artifact_object_id=application.pk).first()
    if process is None:  # a case made outside its flow (a data fix, a test): nothing to reopen
        return None
    tasks = list(Task.objects.filter(process=process).order_by("pk"))
    node = TemporaryAssistanceFlow.disburse
    open_tasks = [t for t in tasks if t.status in OPEN_TASK_STATUSES]
    for task in open_tasks:
        if task.flow_task == node:
            return task
    for task in open_tasks:
        task.flow_task.activation_class(task).cancel()
        deadlines.close_deadline(task)
    if process.status != PROCESS.NEW:
        process.status, process.finished = PROCESS.NEW, None
        process.save(update_fields=["status", "finished"])
    previous = [t for t in tasks if t.status == STATUS.DONE and t.flow_task == node] or [
        t for t in tasks if t.status == STATUS.DONE]
    last = previous[-1]
    return node.activation_class.create(node, last.flow_task.activation_class(last), last.token).task

"""The flow of 低保 and 特困 enrolment, built for each program from its step table.

    intake ─┬─ incomplete ─> receive_documents ─> intake
            ├─ staff relative ─> county_investigate (county team) ─┐
            └─ complete ─────> investigate (≥ 2 staff, family signs) ┤
    verify (county, a result per source) ─> township_review ─┬─ reject ─> end (written notice)
                                                             ├─ delegated ─> township_confirm ─┐
                                                             └─────────────> county_confirm ───┤
                                            approve / reject ─> end  <─────────────────────────┘
    An objection while the notice runs (services.raise_objection) cancels the waiting
    confirmation and opens reinvestigate ─> township_review (again, with a new notice).

Each program's folder calls ``build`` with its step table; the class it returns lives
in that folder's flows module (viewflow stores a process's flow by that path).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponseRedirect
from django.urls import reverse
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from assistance.models import Application
from deadlines import services as deadlines
from workflows.engine import OPEN_TASK_STATUSES

from .models import EnrolmentCase, Status


def task_page(request, **kwargs):
    """Viewflow's own task screens are not used: send people to the engine's task page."""
    task_id = kwargs.get("task_pk") or kwargs.get("pk")
    return HttpResponseRedirect(reverse("task_detail", args=[task_id]) if task_id else "/")


def _status(*statuses):
    return lambda activation: EnrolmentFlowMixin.application(activation.process).status in statuses


def _related(activation) -> bool:
    return EnrolmentFlowMixin.application(activation.process).related_to_staff


def _delegated(activation) -> bool:
    case = EnrolmentFlowMixin.application(activation.process)
    details = getattr(case, case.program)
    return details.delegated and not case.related_to_staff


class EnrolmentFlowMixin:
    process_class = Process
    lock_impl = lock.select_for_update_lock

    @staticmethod
    def application(process) -> EnrolmentCase:
        cached = getattr(process, "_application", None)
        if cached is None:
            cached = EnrolmentCase.objects.get(pk=process.artifact_object_id)
            process._application = cached
        return cached

    def start_case(self, activation, application: Application):
        activation.process.artifact = application
        activation.process.save()
        activation.process._application = application
        if application.related_to_staff:
            # A staff relative's case is the county's (DOMAIN.md), whatever the county
            # delegates: the program's open_case took delegation from the rule without
            # knowing, and the whole-case clock (20 or 30 working days) reads it.
            details = getattr(application, application.program)
            if details.delegated:
                details.delegated = False
                details.save(update_fields=["delegated"])
        return activation.process

    def intake_owner(self, activation):
        return self.application(activation.process).created_by

    def task_created(self, activation):
        from .models import PublicNotice

        case = self.application(activation.process)
        task = activation.task
        step = self.program_steps[task.flow_task.name]
        started = task.created
        if step.decides and task.flow_task.name.endswith("_confirm"):
            # Confirmation's limit runs from the end of the public notice, when the file is complete.
            notice = PublicNotice.objects.running().filter(application_id=case.pk).order_by("-round").first()
            if notice is not None and notice.ends_at > started:
                started = notice.ends_at
        deadlines.open_deadline(task, flow=case.program, step=task.flow_task.name, role=step.role,
                                region_code=case.region_code, program=case.program, started_at=started,
                                assignee=task.owner, application_id=case.pk)


def build(name: str, module: str, steps: dict) -> type:
    """A viewflow Flow class for a program whose step table is ``steps``."""

    def node(step: str):
        return flow.View(task_page).Permission(steps[step].permission)

    attrs = {
        "__module__": module,
        "__doc__": f"{name}\n\nEnrolment flow (workflows/enrolment/flows.py).",
        "program_steps": steps,
        "start": flow.StartHandle(this.start_case).Next(this.intake),
        "intake": node("intake").Assign(this.intake_owner).onCreate(this.task_created).Next(this.after_intake),
        "after_intake": (flow.Switch()
                         .Case(this.receive_documents, _status(Status.INCOMPLETE))
                         .Case(this.county_investigate, _related)
                         .Default(this.investigate)),
        "receive_documents": (node("receive_documents").Assign(this.intake_owner).onCreate(this.task_created)
                              .Next(this.intake)),
        "investigate": node("investigate").onCreate(this.task_created).Next(this.verify),
        "county_investigate": node("county_investigate").onCreate(this.task_created).Next(this.verify),
        "verify": node("verify").onCreate(this.task_created).Next(this.township_review),
        "township_review": node("township_review").onCreate(this.task_created).Next(this.after_review),
        "after_review": (flow.Switch()
                         .Case(this.end_rejected, _status(Status.REJECTED))
                         .Case(this.township_confirm, _delegated)
                         .Default(this.county_confirm)),
        "reinvestigate": node("reinvestigate").onCreate(this.task_created).Next(this.township_review),
        "township_confirm": node("township_confirm").onCreate(this.task_created).Next(this.end),
        "county_confirm": node("county_confirm").onCreate(this.task_created).Next(this.end),
        "end": flow.End(),
        "end_rejected": flow.End(),
    }
    return type(name, (EnrolmentFlowMixin, flow.Flow), attrs)


def reopen_for_objection(flow_class, case) -> Task:
    """An objection came in while the notice ran: cancel the waiting confirmation and open
    a re-investigation after it. The caller holds the process and case locks."""
    process = Process.objects.select_for_update().get(
        artifact_content_type=ContentType.objects.get_for_model(Application), artifact_object_id=case.pk)
    tasks = list(Task.objects.filter(process=process).order_by("pk"))
    last = None
    for task in tasks:
        if task.status in OPEN_TASK_STATUSES:
            task.flow_task.activation_class(task).cancel()
            deadlines.close_deadline(task)
            last = task
    if last is None:
        last = [t for t in tasks if t.status == STATUS.DONE][-1]
    target = flow_class.reinvestigate
    return target.activation_class.create(target, last.flow_task.activation_class(last), last.token).task

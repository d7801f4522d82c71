"""register (caseworker) → assess (caseworker) → decide (township head)."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.urls import reverse
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Process

from workflows.engine import open_task_deadline

from .models import CODE, SampleCase
from .steps import PROGRAM


def task_page(request, **kwargs):
    return HttpResponseRedirect(reverse("task_detail", args=[kwargs.get("task_pk") or kwargs.get("pk")]))


def _node(name):
    return flow.View(task_page).Permission(PROGRAM.steps[name].permission).onCreate(this.task_created)


class SampleFlow(flow.Flow):
    process_class = Process
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_case).Next(this.register)
    register = _node("register").Next(this.assess)
    assess = _node("assess").Next(this.decide)
    decide = _node("decide").Next(this.end)
    end = flow.End()

    def start_case(self, activation, application):
        activation.process.artifact = application
        activation.process.save()
        return activation.process

    def task_created(self, activation):
        case = SampleCase.objects.get(pk=activation.process.artifact_object_id)
        open_task_deadline(activation, flow=CODE, role=PROGRAM.steps[activation.task.flow_task.name].role,
                           region_code=case.region_code, program=CODE, application_id=case.pk)

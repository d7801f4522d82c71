"""Replenishment of a township reserve fund (备用金补充).

    start (a payment left the balance under the low-water mark, a payment could not
           be covered, or the township head asked)
      └─> replenish (county finance, deadline from the "reserve_fund"/"replenish" policy)
            ├─ approve ─> allocation entry in the fund's ledger ─> end
            └─ reject (with reasons) ────────────────────────────> end

The request (funds.ReplenishmentRequest) is the process artifact; at most one is
open per fund (a partial unique index). The step's state change is
funds.services.decide_replenishment, called through workflows.engine.complete.
"""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.urls import reverse
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Process

from funds.models import ReplenishmentRequest
from workflows.engine import open_task_deadline

from .steps import CODE, FLOW

STEP = FLOW.steps["replenish"]


def task_page(request, **kwargs):
    """Viewflow's own task screens are not used: the request's page holds the decision form."""
    task_id = kwargs.get("task_pk") or kwargs.get("pk")
    process_id = kwargs.get("process_pk")
    if process_id:
        process = Process.objects.filter(pk=process_id).first()
        if process is not None and process.artifact_object_id:
            return HttpResponseRedirect(reverse("fund_replenishment", args=[process.artifact_object_id]))
    return HttpResponseRedirect(reverse("task_detail", args=[task_id]) if task_id else "/")


class ReplenishmentFlow(flow.Flow):
    process_class = Process
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_request).Next(this.replenish)
    replenish = (flow.View(task_page).Permission(STEP.permission)
                 .onCreate(this.task_created).Next(this.end))
    end = flow.End()

    @staticmethod
    def replenishment(process) -> ReplenishmentRequest:
        cached = getattr(process, "_replenishment", None)
        if cached is None:
            cached = ReplenishmentRequest.objects.select_related("fund").get(pk=process.artifact_object_id)
            process._replenishment = cached
        return cached

    def start_request(self, activation, replenishment: ReplenishmentRequest):
        activation.process.artifact = replenishment
        activation.process.save()
        activation.process._replenishment = replenishment
        return activation.process

    def task_created(self, activation):
        replenishment = self.replenishment(activation.process)
        open_task_deadline(activation, flow=CODE, role=STEP.role, region_code=replenishment.fund.township_id)

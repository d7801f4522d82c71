"""The review flow (复核) of an enrolled case.

    start (the daily schedule, a reported change or a refusal of work opened a Review)
      └─> review_investigate (caseworker, ≥ 2 staff, the means test re-run as of today)
            └─> review_decide (township head: continue | adjust | gradual_exit | stop) ─> end

The review (reviews.Review) is the process artifact; at most one is open per case (a
partial unique index). Each task's deadline row names the case (``application_id``), so
the engine's queue, task page and the API's complete endpoint serve these steps like a
program's.
"""

from __future__ import annotations

from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Process

from workflows.engine import open_task_deadline
from workflows.enrolment.flows import task_page

from .models import Review
from .steps import CODE, FLOW


class ReviewFlow(flow.Flow):
    process_class = Process
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_review).Next(this.review_investigate)
    review_investigate = (flow.View(task_page).Permission(FLOW.steps["review_investigate"].permission)
                          .onCreate(this.task_created).Next(this.review_decide))
    review_decide = (flow.View(task_page).Permission(FLOW.steps["review_decide"].permission)
                     .onCreate(this.task_created).Next(this.end))
    end = flow.End()

    @staticmethod
    def review(process) -> Review:
        cached = getattr(process, "_review", None)
        if cached is None:
            cached = Review.objects.get(pk=process.artifact_object_id)
            process._review = cached
        return cached

    def start_review(self, activation, review: Review):
        activation.process.artifact = review
        activation.process.save()
        activation.process._review = review
        return activation.process

    def task_created(self, activation):
        review = self.review(activation.process)
        step = FLOW.steps[activation.task.flow_task.name]
        open_task_deadline(activation, flow=CODE, role=step.role, region_code=review.region_code,
                           program=review.program, application_id=review.application_id)

"""Work in bulk for the query-count tests: open and closed tasks of the temporary-assistance
flow, built the way bench/generate.py builds the city (an application, its viewflow
process and task, the task's deadline) but with the ORM's bulk_create, so a test can
have 3 tasks or 120 in a fraction of a second, on SQLite or PostgreSQL."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from assistance.models import Application
from deadlines.models import Deadline, SlaPolicy
from registry.models import Household, Person
from registry.synthetic import make_id_number
from tests.conftest import VILLAGE_A1
from workflows.temporary.flows import STEPS, TemporaryAssistanceFlow
from workflows.temporary.models import TemporaryDetails

STATUS_AT_STEP = {"intake": "intake", "investigate": "investigation", "township_approve": "township_review",
                  "county_approve": "county_review", "disburse": "approved"}


class Work:
    """Creates cases with one task each, at a step, assigned or not, overdue or not."""

    def __init__(self, creator):
        self.creator = creator
        self.made = 0

    def _households(self, village: str, count: int) -> list[tuple[Household, Person]]:
        households = Household.objects.bulk_create(
            [Household(region_id=village, address=f"{village}-{self.made + i}", registration="rural")
             for i in range(count)])
        people = Person.objects.bulk_create([
            Person(household=h, name=f"王{self.made + i}", gender="male", relation="head",
                   birth_date=datetime.date(1950, 1, 1) + datetime.timedelta(days=self.made + i),
                   id_number=make_id_number("370811", datetime.date(1950, 1, 1) + datetime.timedelta(days=self.made + i),
                                            1, female=False))
            for i, h in enumerate(households)])
        return list(zip(households, people, strict=True))

    def make(self, count: int, *, step: str = "investigate", village: str = VILLAGE_A1, assignee=None,
             overdue: bool = False, closed: bool = False) -> list[Deadline]:
        now = timezone.now()
        pairs = self._households(village, count)
        self.made += count
        applications = Application.objects.bulk_create([
            Application(household=h, applicant=p, region_code=village, program="temporary",
                        cause="生活困难", amount_requested="1000.00", created_by=self.creator,
                        status="filed" if closed else STATUS_AT_STEP[step])
            for h, p in pairs])
        TemporaryDetails.objects.bulk_create([TemporaryDetails(case=a, kind="expense") for a in applications])
        processes = Process.objects.bulk_create([
            Process(flow_class=TemporaryAssistanceFlow, status="DONE" if closed else "NEW", artifact=a)
            for a in applications])
        node = TemporaryAssistanceFlow.instance.node(step)
        task_status = STATUS.DONE if closed else (STATUS.ASSIGNED if assignee else STATUS.NEW)
        tasks = Task.objects.bulk_create([
            Task(process=p, flow_task=node, flow_task_type="HUMAN", status=task_status, owner=assignee,
                 owner_permission=node._owner_permission, finished=now if closed else None)
            for p in processes])
        task_type = ContentType.objects.get_for_model(Task)
        policy = SlaPolicy.objects.get(flow="temporary", step=step, scope="", program="")
        due = now - datetime.timedelta(days=2) if overdue else now + datetime.timedelta(days=3)
        return Deadline.objects.bulk_create([
            Deadline(subject_type=task_type, subject_id=t.pk, flow="temporary", step=step, program="temporary",
                     region_code=village, application_id=a.pk, policy=policy, assignee=assignee,
                     role=STEPS[step].role, started_at=now - datetime.timedelta(days=4), due_at=due,
                     status="closed" if closed else "open", closed_at=now - datetime.timedelta(days=1) if closed else None,
                     breached_at=due if overdue and not closed else None, escalation_level=1 if overdue else 0)
            for a, t in zip(applications, tasks, strict=True)])


@pytest.fixture
def work(alice):
    return Work(alice)

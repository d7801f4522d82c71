"""The attack: a payment that waits for the reserve fund left its task with an owner
(whoever tried to pay) but no assignee on its deadline. The township queue listed it as
unassigned, anyone who took it from there was refused (403, "assigned to someone else"),
and when money arrived every caseworker of the township was told. Now completing an
unclaimed task names its owner on the deadline too, also when the step keeps it open;
deadlines left behind get their owner from a data migration."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from deadlines.models import Deadline
from funds import services as funds
from notifications.models import Notification
from regions.models import Region
from tests.assistance.conftest import do, open_steps
from tests.assistance.test_paths_with_payment import investigated
from tests.conftest import TOWNSHIP_A

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_fund(root, fiona):
    fund = funds.open_fund(root, Region.objects.get(code=TOWNSHIP_A), target_balance="5000.00")
    funds.allocate(fiona, fund, "100.00", "少量预拨")
    return fund


@pytest.fixture
def waiting(alice, amy, hana, household, small_fund):
    application = investigated(alice, household, amount_requested="1200.00")
    do(hana, application, "township_approve", decision="approve", amount_approved="1200.00", reason="同意")
    assert do(alice, application, "disburse").message  # the fund holds 100.00: the payment waits
    return application


def queue_ids(user) -> list[int]:
    client = APIClient()
    client.force_authenticate(user)
    return [t["id"] for t in client.get("/api/v1/tasks/?scope=queue").json()["results"]]


def test_the_waiting_payment_is_the_payers_not_the_queues(alice, amy, waiting, as_user):
    deadline = Deadline.objects.get(application_id=waiting.pk, step="disburse")
    assert deadline.assignee == alice
    assert deadline.subject_id not in queue_ids(amy)
    client = APIClient()
    client.force_authenticate(alice)
    mine = client.get("/api/v1/tasks/?scope=mine").json()["results"]
    assert [t["id"] for t in mine] == [deadline.subject_id] and mine[0]["status"] == "assigned"
    page = as_user(amy).get(reverse("task_inbox") + "?tab=queue").content.decode()
    assert reverse("task_detail", args=[deadline.subject_id]) not in page
    assert AuditEvent.objects.filter(event="workflow.task.claimed", actor_username="alice",
                                     object_id=str(deadline.subject_id)).exists()


def test_only_the_payer_is_told_when_money_arrives(alice, amy, fiona, waiting, small_fund,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        funds.allocate(fiona, small_fund, "5000.00", "补充")
    told = Notification.objects.filter(event="funds.fund.money_arrived")
    assert [n.recipient for n in told] == [alice]
    do(alice, waiting, "disburse")
    assert open_steps(waiting) == ["file_with_county"]


def test_deadlines_left_without_their_owner_get_it_back(alice, waiting):
    deadline = Deadline.objects.get(application_id=waiting.pk, step="disburse")
    Deadline.objects.filter(pk=deadline.pk).update(assignee=None)  # as the old engine left it
    importlib.import_module("deadlines.migrations.0005_assignee_from_task_owner").name_the_owner(django_apps, None)
    assert Deadline.objects.get(pk=deadline.pk).assignee == alice

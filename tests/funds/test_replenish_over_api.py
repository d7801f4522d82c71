"""A township head asks for money; county finance decides through the task API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from funds import services
from funds.models import ReserveFund

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_request_then_approve_over_the_task_api(fund_a, hana, fiona, bob, replenish_policy):
    request = services.request_replenishment(hana, fund_a, amount="5000.00", reason="本月临时救助支出较多")
    queue = api(fiona).get("/api/v1/tasks/?scope=queue").json()["results"]
    (task,) = [t for t in queue if t["flow"] == "reserve_fund"]
    assert api(bob).post(f"/api/v1/tasks/{task['id']}/complete/", {"decision": "approve"},
                         format="json").status_code == 404
    response = api(fiona).post(f"/api/v1/tasks/{task['id']}/complete/",
                               {"decision": "approve", "reference": "任财拨〔2026〕12号"}, format="json")
    assert response.status_code == 200, response.json()
    assert ReserveFund.objects.get(pk=fund_a.pk).balance == fund_a.balance + 5000
    assert request.pk == response.json()["id"]

"""Visits open their deadlines through deadlines.services.open_deadlines: the rows
open_deadline would write, in a number of queries that does not grow with the visits."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deadlines import services as deadlines
from deadlines.models import Deadline
from tests.visits.conftest import NOW

pytestmark = pytest.mark.django_db

COMPARED = [f.name for f in Deadline._meta.concrete_fields if f.name not in ("id", "subject_id")]


def row(deadline: Deadline) -> dict:
    return model_to_dict(deadline, fields=COMPARED)


def test_a_visit_deadline_is_the_row_open_deadline_writes(visit, hana, planned):
    from visits.services import pair_household

    pair_household(hana, visit.household, hana)  # an assignee, so that column is compared too
    visit.refresh_from_db()
    bulk = Deadline.objects.get(subject_id=visit.pk, flow="home_visit")
    bulk.delete()
    deadlines.open_deadlines(type(visit), [(visit.pk, visit.region_code, max(NOW, visit.window_start))],
                             flow="home_visit", step="visit", role="caseworker", due_at=F("window_end"),
                             started_at=Greatest("window_start", Value(NOW)), assignee=F("assigned_to"))
    opened = Deadline.objects.get(subject_id=visit.pk, flow="home_visit")
    opened.delete()
    single = deadlines.open_deadline(visit, flow="home_visit", step="visit", region_code=visit.region_code,
                                     role="caseworker", started_at=max(NOW, visit.window_start),
                                     assignee=visit.assigned_to, due_at=visit.window_end)
    single.refresh_from_db()
    assert row(opened) == row(single)
    assert row(opened)["assignee"] == hana.pk and opened.next_check_at == visit.window_end


def _open_for(visits) -> int:
    with CaptureQueriesContext(connection) as queries:
        written = deadlines.open_deadlines(
            type(visits[0]), [(v.pk, v.region_code, max(NOW, v.window_start)) for v in visits], flow="home_visit",
            step="visit", role="caseworker", due_at=F("window_end"), started_at=Greatest("window_start", Value(NOW)))
    assert written == len(visits)
    return len(queries)


def test_opening_many_costs_the_queries_of_opening_one(clock, make_resident):
    from visits import services
    from visits.models import Visit

    for n in range(12):
        make_resident(born=datetime.date(1930 + n, 1, 1), conditions=["living_alone"], name=f"老人{n}")
    services.recompute_plans()
    visits = list(Visit.objects.filter(window_start__lte=timezone.now()).order_by("pk"))
    assert len(visits) == 12
    Deadline.objects.filter(flow="home_visit").delete()
    one = _open_for(visits[:1])
    Deadline.objects.filter(flow="home_visit").delete()
    assert _open_for(visits) == one
    assert Deadline.objects.filter(flow="home_visit", subject_id__in=[v.pk for v in visits]).count() == 12

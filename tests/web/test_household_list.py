from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from registry import services
from registry.synthetic import make_id_number
from tests.conftest import VILLAGE_A1, VILLAGE_A2, register_households

FULL_IDS = ("370811193805120318", "37081119400302058X")
LIST_QUERY_LIMIT = 12


def test_list_shows_head_masked_id_village_and_size(as_user, alice, household):
    response = as_user(alice).get(reverse("household_list"))
    html = response.content.decode()
    assert "王德明" in html
    assert "370811********0318" in html
    assert "东关社区" in html
    (row,) = response.context["page"].object_list
    assert len(row.members.all()) == 2
    for number in FULL_IDS:
        assert number not in html


@pytest.mark.parametrize(("q", "found"), [
    ("王德明", True), ("德", True), ("张秀英", True), ("0318", True), ("058X", True), ("058x", True),
    ("370811380512031", True),   # the whole first-generation number finds its 18-digit form
    ("李", False), ("9999", False),
])
def test_search_by_name_or_id_tail(as_user, alice, household, q, found):
    response = as_user(alice).get(reverse("household_list"), {"q": q})
    assert (response.context["page"].paginator.count == 1) is found


def test_search_lists_a_household_once_when_two_members_match(as_user, alice):
    register_households(alice, 1)  # 赵000 and 钱000
    response = as_user(alice).get(reverse("household_list"), {"q": "000"})
    assert response.context["page"].paginator.count == 1


def test_filter_by_village_and_township(as_user, alice, household):
    register_households(alice, 2)
    client = as_user(alice)
    assert client.get(reverse("household_list"), {"region": VILLAGE_A1}).context["page"].paginator.count == 1
    assert client.get(reverse("household_list"), {"region": VILLAGE_A2}).context["page"].paginator.count == 2
    assert client.get(reverse("household_list"), {"region": "370811001000"}).context["page"].paginator.count == 3


def test_pages_of_fifty(as_user, alice):
    register_households(alice, 51)
    client = as_user(alice)
    first = client.get(reverse("household_list"))
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("household_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 1
    assert 'rel="next"' in first.content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_list_costs_a_fixed_number_of_queries(as_user, alice, django_assert_max_num_queries, n):
    register_households(alice, n)
    client = as_user(alice)
    with django_assert_max_num_queries(LIST_QUERY_LIMIT):
        response = client.get(reverse("household_list"))
    assert response.context["page"].paginator.count == n


def test_list_queries_do_not_grow_with_rows(as_user, alice):
    client = as_user(alice)
    register_households(alice, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("household_list"), {"q": "赵"})
    register_households(alice, 27, start=3)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("household_list"), {"q": "赵"})
    assert len(many) == len(few)


def _workbook(response):
    return load_workbook(io.BytesIO(response.content))


def _sheet(response):
    return [list(row) for row in _workbook(response).active.iter_rows(values_only=True)]


def test_export_matches_the_search_and_is_audited(as_user, alice, household):
    register_households(alice, 2)
    client = as_user(alice)
    response = client.get(reverse("household_export"), {"q": "赵"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = _sheet(response)
    assert len(rows) == 3  # header + two households
    assert {r[1] for r in rows[1:]} == {"赵000", "赵001"}
    for row in rows[1:]:
        assert "*" in row[2]
    event = AuditEvent.objects.get(event="registry.households.exported")
    assert event.actor == alice
    assert event.region_code == alice.region_id
    assert event.extra == {"rows": 2, "q": "赵", "region": ""}


def test_export_masks_ids_and_translates_the_header(as_user, client, alice, household):
    client = as_user(alice)
    rows = _sheet(client.get(reverse("household_export")))
    assert rows[0][1] == "户主"
    assert rows[1][1] == "王德明"
    assert rows[1][2] == "370811********0318"
    flat = "".join(str(c) for row in rows for c in row)
    for number in FULL_IDS:
        assert number not in flat

    client.post(reverse("set_language"), {"language": "en"})
    rows = _sheet(client.get(reverse("household_export")))
    assert rows[0][1] == "Head of household"


def test_export_keeps_a_formula_like_name_as_text(as_user, alice):
    services.register_household(
        alice, region=VILLAGE_A1, address="x", registration="urban",
        members=[{"name": "=1+1", "relation": "head",
                  "id_number": make_id_number("370811", datetime.date(1970, 1, 1), 11)}],
    )
    cell = _workbook(as_user(alice).get(reverse("household_export"))).active["B2"]
    assert cell.value == "=1+1"
    assert cell.data_type == "s"


def test_outsider_export_holds_none_of_the_households(as_user, bob, household):
    rows = _sheet(as_user(bob).get(reverse("household_export")))
    assert len(rows) == 1
    assert AuditEvent.objects.get(event="registry.households.exported").extra["rows"] == 0

"""Queues and dashboards cost the same number of queries at 3 rows and at 120 (more than
two pages): ARCHITECTURE.md's "the same number of queries at 10 rows and at 100,000".

Each page is requested once with a few rows of every kind, then again after many more
were added; the second request must make no more queries than the first, and no more
than the page's budget. The city-scale timings are in bench/ (docs/benchmarks.md).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import VILLAGE_A2, VILLAGE_B1

pytestmark = pytest.mark.django_db

FEW, MANY = 3, 117

# (who, url, query budget). The budget is what the page costs today, session and user
# loading included: raise it only for a reason, never because rows were added. Up to
# three of them are what any signed-in request pays (test_what_every_signed_in_request_pays).
PAGES = [
    ("alice", "/tasks/?tab=mine", 6),
    ("alice", "/tasks/?tab=queue", 6),
    ("hana", "/approvals/", 6),
    ("sam", "/supervision/", 9),
    ("sam", "/supervision/breaches/", 8),
    ("alice", "/api/v1/tasks/?scope=mine", 4),
    ("alice", "/api/v1/tasks/?scope=queue", 5),
    ("hana", "/api/v1/tasks/?scope=all", 5),
    ("alice", "/api/v1/applications/", 6),
    ("sam", "/api/v1/sla/breaches/", 5),
]


def fill(work, alice, n: int) -> None:
    """n of every kind of row the pages list, in township A and next door."""
    work.make(n, assignee=alice)  # alice's own investigations
    work.make(n, overdue=True)  # the township's unclaimed work, overdue
    work.make(n, village=VILLAGE_A2)
    work.make(n, step="township_approve")  # the head's decisions
    work.make(n, step="intake", assignee=alice, overdue=True)
    work.make(n, village=VILLAGE_B1, overdue=True)  # township B: the supervisor's, not alice's
    work.make(n, closed=True)  # finished work for the on-time rates


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


@pytest.mark.parametrize(("who", "url", "budget"), PAGES, ids=[f"{w}{u}" for w, u, _b in PAGES])
def test_queries_do_not_grow_with_rows(request, client, work, alice, who, url, budget,
                                       django_assert_max_num_queries):
    user = request.getfixturevalue(who)
    client.force_login(user)
    fill(work, alice, FEW)
    client.get(url)  # the first request of a session warms per-process caches
    few = queries(client, url)

    fill(work, alice, MANY)
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(captured) <= few, f"{url}: {few} queries with {FEW} rows of each kind, {len(captured)} with {FEW + MANY}"


def test_what_every_signed_in_request_pays(client, alice):
    """Before a page's own queries: the session, the user with their home region (one
    query: staff.backends), and their roles with their permissions (one query:
    staff.access), kept on that request's user. It was six: the session, the user, their
    own permissions, their groups' permissions, their home region, their groups' names."""
    client.force_login(alice)
    client.get("/api/v1/me/")  # the first request of a session warms per-process caches
    with CaptureQueriesContext(connection) as captured:
        body = client.get("/api/v1/me/").json()  # roles and region, nothing else
    assert body["roles"] == ["caseworker"] and body["region"]["code"] == alice.region_id
    session, user, access = (q["sql"] for q in captured.captured_queries)
    assert "django_session" in session
    assert "staff_user" in user and "regions_region" in user
    assert "auth_group" in access and "auth_permission" in access and "UNION ALL" in access


@pytest.mark.parametrize(("who", "url"), [("alice", "/tasks/?tab=mine"), ("hana", "/approvals/"),
                                          ("sam", "/supervision/"), ("alice", "/")])
def test_one_query_answers_every_permission_check_of_a_page(request, client, work, alice, who, url):
    """The decorator, the view and the menu (a check per entry) all read the one set."""
    user = request.getfixturevalue(who)
    client.force_login(user)
    fill(work, alice, FEW)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    sql = [q["sql"] for q in captured.captured_queries]
    assert len([q for q in sql if "auth_permission" in q or "auth_group" in q]) == 1
    assert "regions_region" in sql[1]  # the home region came with the user
    assert not [q for q in sql[2:] if f"\"regions_region\".\"code\" = '{user.region_id}' LIMIT" in q]


def test_an_api_token_brings_the_user_and_their_region_in_one_query(alice, django_assert_num_queries):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    client.get("/api/v1/me/")
    with django_assert_num_queries(2):  # the token with its user and region; roles and permissions
        assert client.get("/api/v1/me/").json()["region"]["code"] == alice.region_id
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/me/").status_code == 401
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=alice).key}")
    assert client.get("/api/v1/me/").status_code == 401


def test_the_queue_indexes_cover_their_counts():
    """Migration deadlines/0004 replaced the queue indexes with ones that include the
    columns a queue's count filters on (index-only counts on PostgreSQL; SQLite keeps
    the keys, it has no INCLUDE), built without locking the table."""
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "deadlines_deadline")
        assert {"deadline_mine_idx", "deadline_unclaimed_idx"} <= set(indexes)
        assert not {"deadline_open_assignee_idx", "deadline_queue_idx"} & set(indexes)
        assert indexes["deadline_mine_idx"]["columns"][:2] == ["assignee_id", "due_at"]
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
                           "('deadline_mine_idx', 'deadline_unclaimed_idx')")
            definitions = dict(cursor.fetchall())
            assert "INCLUDE (region_code, subject_type_id)" in definitions["deadline_mine_idx"]
            assert "INCLUDE (subject_type_id)" in definitions["deadline_unclaimed_idx"]

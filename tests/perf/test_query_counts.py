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
# loading included: raise it only for a reason, never because rows were added.
PAGES = [
    ("alice", "/tasks/?tab=mine", 10),
    ("alice", "/tasks/?tab=queue", 10),
    ("hana", "/approvals/", 10),
    ("sam", "/supervision/", 12),
    ("sam", "/supervision/breaches/", 11),
    ("alice", "/api/v1/tasks/?scope=mine", 5),
    ("alice", "/api/v1/tasks/?scope=queue", 6),
    ("hana", "/api/v1/tasks/?scope=all", 7),
    ("alice", "/api/v1/applications/", 8),
    ("sam", "/api/v1/sla/breaches/", 7),
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

"""ClosedTally, the dashboard's count of closed deadlines, is always exactly the GROUP BY
of the closed deadlines, whoever changes them: the closing service, a bulk update (as
visits do), a changed due time or region, a delete, or rows inserted already closed."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from deadlines import services
from deadlines.calendar import local_zone
from deadlines.models import ClosedTally, Deadline, DeadlineStatus
from tests.conftest import VILLAGE_B1

pytestmark = pytest.mark.django_db


def from_deadlines() -> Counter:
    counts = Counter()
    for d in Deadline.objects.filter(status=DeadlineStatus.CLOSED):
        closed = timezone.localtime(d.closed_at, local_zone()).date()
        due = timezone.localtime(d.due_at, local_zone()).date()
        key = (d.region_code[:9] + "000", closed.replace(day=1), due)
        counts[(*key, "closed")] += 1
        counts[(*key, "late")] += int(d.closed_at > d.due_at)
    return counts


def from_tally() -> Counter:
    counts = Counter()
    for t in ClosedTally.objects.all():
        counts[(t.township, t.closed_month, t.due_day, "closed")] += t.closed
        counts[(t.township, t.closed_month, t.due_day, "late")] += t.late
    return +counts  # drop zero counts: a key emptied by a change stays as a zero row


def test_tally_follows_every_change(work, alice):
    inserted_closed = work.make(3, closed=True)
    open_a = work.make(4, assignee=alice)
    open_b = work.make(2, village=VILLAGE_B1, overdue=True)
    assert from_tally() == +from_deadlines() and from_tally()

    # The service, as the engine closes a finished task.
    from viewflow.workflow.models import Task

    services.close_deadline(Task.objects.get(pk=open_a[0].subject_id))
    # Late: closed a day after it was due.
    services.close_deadline(Task.objects.get(pk=open_b[0].subject_id),
                            at=open_b[0].due_at + datetime.timedelta(days=1))
    # A bulk update, as visits close many deadlines in one statement.
    Deadline.objects.filter(pk__in=[d.pk for d in open_a[1:3]]).update(
        status=DeadlineStatus.CLOSED, closed_at=timezone.now(), next_check_at=None)
    assert from_tally() == +from_deadlines()

    # A closed deadline moved to another day and township, then one deleted, one re-saved.
    moved = Deadline.objects.get(pk=inserted_closed[0].pk)
    moved.due_at -= datetime.timedelta(days=9)
    moved.region_code = VILLAGE_B1
    moved.save()
    Deadline.objects.filter(pk=inserted_closed[1].pk).delete()
    Deadline.objects.get(pk=inserted_closed[2].pk).save()
    assert from_tally() == +from_deadlines()

    # Re-opening (not a product feature, but the tally must not drift if it happens).
    Deadline.objects.filter(pk=open_a[1].pk).update(status=DeadlineStatus.OPEN, closed_at=None)
    assert from_tally() == +from_deadlines()

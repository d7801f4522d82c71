"""``kill -9`` of the document batch — ``manage.py proactive_notices``, which writes a
救助主动告知书 (a PDF, stored with its SHA-256) to every household of a region that
qualifies and has not applied — while it stores its fourth letter. The letters it stored
are whole (bytes, hash, audit row); the one it was storing is not there at all; run again,
the batch writes the missing letters and no household gets two."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader

from audit.models import AuditEvent
from registry.models import Household
from tests.conftest import VILLAGE_A2
from tests.faults.processes import HeldTransaction, blocked_by, kill, manage, wait_session_gone
from tests.means.conftest import family, income, person, standards  # noqa: F401
from workflows.enrolment.models import ProactiveNotice

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOUSEHOLDS = 6
BATCH = ["proactive_notices", "--region", "370811", "--program", "dibao"]


def poor_couples(caseworker, n):
    """Rural couples on 300.00 pensions each: 300.00 per head against the 870.00 standard."""
    for i in range(n):
        household, people = family(caseworker, [person(f"孙守{i}", "1951-04-02", "head"),
                                                person(f"李桂{i}", "1953-09-17", "spouse", female=True)],
                                   village=VILLAGE_A2, registration="rural", address=f"西关村3组{i}号")
        for member in people.values():
            income(caseworker, household, member, "pension", "300.00", "2024-01-01")
    return list(Household.objects.order_by("pk"))


def letters() -> dict[int, ProactiveNotice]:
    notices = list(ProactiveNotice.objects.order_by("pk"))
    by_household = {n.household_id: n for n in notices}
    assert len(by_household) == len(notices), "a household was written to twice"
    return by_household


def assert_whole(notices) -> None:
    """Each stored letter is a readable PDF whose bytes are what its hash and its audit row say."""
    trail = {e.extra["household"]: e.extra["sha256"]
             for e in AuditEvent.objects.filter(event="enrolment.proactive_notice.issued")}
    assert len(trail) == AuditEvent.objects.filter(event="enrolment.proactive_notice.issued").count()
    for notice in notices.values():
        content = bytes(notice.content)
        assert notice.sha256 == hashlib.sha256(content).hexdigest() == trail[notice.household_id]
        assert "社会救助主动告知书" in PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert set(trail) == set(notices)


def test_a_document_batch_killed_midway_loses_nothing_and_writes_no_letter_twice(alice, standards,  # noqa: F811
                                                                                   tmp_path):
    households = poor_couples(alice, HOUSEHOLDS)
    fourth = households[3]
    # The batch writes in household order; the fourth household's row is locked by this
    # test, so the batch stops inside the transaction that stores the fourth letter.
    with HeldTransaction(lambda: Household.objects.select_for_update().get(pk=fourth.pk)) as held:
        batch = manage(BATCH, tmp_path)
        try:
            session = blocked_by(held, timeout=120)
        finally:
            kill(batch)
    wait_session_gone(session)

    told = letters()
    assert set(told) == {h.pk for h in households[:3]}
    assert_whole(told)

    # Run again (as an operator would): the missing letters, and none twice.
    rerun = manage(BATCH, tmp_path)
    assert rerun.wait(timeout=300) == 0, (tmp_path / "command.log").read_text()
    told = letters()
    assert set(told) == {h.pk for h in households}
    assert_whole(told)
    # And once more: every household has its letter, nothing is written.
    assert manage(BATCH, tmp_path).wait(timeout=300) == 0
    assert ProactiveNotice.objects.count() == HOUSEHOLDS

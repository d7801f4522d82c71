"""Making a month's roster: who is on it, with what amount, and that it pays each case once."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import Count

from core.errors import Conflict, InvalidInput, NotPermitted
from workflows.enrolment.benefits import record_change
from workflows.rosters import services
from workflows.rosters.models import LineStatus, Roster, RosterLine, RosterStatus

from .conftest import COUNTY, MONTH, enrolled

pytestmark = pytest.mark.django_db


def make(user, month=MONTH, program="dibao"):
    """Ask for the roster; its generation task runs (eagerly, in tests) when the request commits."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        roster, _created = services.request_roster(user, county=COUNTY, program=program, month=month)
    return Roster.objects.get(pk=roster.pk)


def regenerate(user, roster):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.regenerate(user, roster)


def snapshot(roster):
    return sorted(RosterLine.objects.filter(roster=roster).values_list(
        "pk", "application_id", "amount", "people", "account_number", "status"))


def test_a_roster_lists_every_case_in_payment_with_its_amount(fiona, in_payment):
    roster = make(fiona)
    assert roster.status == RosterStatus.DRAFT
    assert roster.line_count == 10
    assert roster.total == sum(Decimal(f"{600 + 50 * i}.00") for i in range(10))
    assert {line.application_id: line.amount for line in roster.lines.all()} == {
        case.pk: case.amount_approved for case in in_payment}
    assert roster.progress_done == roster.progress_total == 10


def test_regenerated_twice_it_is_identical_with_one_payment_per_case_month(fiona, in_payment):
    roster = make(fiona)
    first = snapshot(roster)
    for _ in range(2):
        regenerate(fiona, roster)
        assert Roster.objects.get(pk=roster.pk).status == RosterStatus.DRAFT
    assert snapshot(roster) == first
    per_case = RosterLine.objects.values("application", "program", "month").annotate(n=Count("pk"))
    assert {row["n"] for row in per_case} == {1}
    # Asking again for the same county, program and month gives the same roster.
    again, created = services.request_roster(fiona, county=COUNTY, program="dibao", month=MONTH)
    assert (again.pk, created) == (roster.pk, False)
    assert Roster.objects.count() == 1


def test_a_draft_regenerated_after_a_change_follows_it(fiona, alice, in_payment, households):
    roster = make(fiona)
    cut, stopped = in_payment[0], in_payment[1]
    record_change(cut, kind="adjust", month=datetime.date(2026, 11, 1), amount=Decimal("450.00"), reason="子女务工")
    record_change(stopped, kind="stop", month=datetime.date(2026, 10, 1), amount=0, reason="户主去世")
    newcomer = enrolled(households[10], "870.00", paid_from=datetime.date(2026, 11, 1), by=alice)
    regenerate(fiona, roster)
    lines = {line.application_id: line.amount for line in Roster.objects.get(pk=roster.pk).lines.all()}
    assert lines[cut.pk] == Decimal("450.00")
    assert stopped.pk not in lines
    assert lines[newcomer.pk] == Decimal("870.00")
    roster.refresh_from_db()
    assert roster.line_count == 10 and roster.total == sum(lines.values())


def test_a_locked_roster_never_changes(fiona, in_payment):
    roster = make(fiona)
    services.lock(fiona, roster)
    before = snapshot(roster)
    record_change(in_payment[0], kind="adjust", month=MONTH, amount=Decimal("100.00"))
    with pytest.raises(Conflict):
        services.regenerate(fiona, roster)
    assert services.generate(roster.pk) is None  # a stray task does nothing either
    assert snapshot(roster) == before
    with pytest.raises(Conflict):
        services.lock(fiona, roster)


def test_future_starts_gradual_exits_and_stops_decide_the_month(fiona, alice, households):
    from regions.models import Region  # noqa: F401 - regions fixture loaded through alice

    later = enrolled(households[0], "500.00", paid_from=datetime.date(2026, 12, 1), by=alice)
    exiting = enrolled(households[1], "600.00", by=alice)
    record_change(exiting, kind="gradual_exit", month=datetime.date(2026, 9, 1), amount=Decimal("600.00"),
                  until_month=datetime.date(2026, 11, 1), reason="务工收入超过标准")
    ended = enrolled(households[2], "700.00", by=alice)
    record_change(ended, kind="gradual_exit", month=datetime.date(2026, 8, 1), amount=Decimal("700.00"),
                  until_month=datetime.date(2026, 10, 1))
    tekun = enrolled(households[3], "1131.00", program="tekun", people=1, by=alice)
    roster = make(fiona)
    assert {line.application_id for line in roster.lines.all()} == {exiting.pk}
    december = make(fiona, datetime.date(2026, 12, 1))
    assert {line.application_id for line in december.lines.all()} == {later.pk}
    assert {line.application_id for line in make(fiona, program="tekun").lines.all()} == {tekun.pk}


def test_another_countys_cases_are_not_on_the_roster(fiona, alice, in_payment, regions):
    from tests.conftest import make_staff

    from .conftest import VILLAGE_C1

    other = make_staff("cw_c", ["caseworker"], "370812001000")
    from tests.means.conftest import family, person

    household, _people = family(other, [person("王老汉", "1940-03-03", "head")], village=VILLAGE_C1,
                                registration="rural")
    enrolled(household, "800.00", by=other, people=1)
    roster = make(fiona)
    assert roster.line_count == 10


def test_only_county_finance_of_the_county_makes_rosters(alice, otto, fiona, in_payment, regions):
    from tests.conftest import make_staff

    with pytest.raises(NotPermitted):
        services.request_roster(alice, county=COUNTY, program="dibao", month=MONTH)
    neighbour = make_staff("ff2", ["county_finance"], "370812000000")
    with pytest.raises(InvalidInput) as refused:
        services.request_roster(neighbour, county=COUNTY, program="dibao", month=MONTH)
    assert "county" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        services.request_roster(fiona, county=COUNTY, program="wubao", month=datetime.date(2030, 1, 1))
    assert set(refused.value.errors) == {"program", "month"}


def test_a_case_without_an_account_is_failed_at_lock_and_issued_once_corrected(fiona, alice, households):
    case = enrolled(households[0], "990.00", by=alice, account=False)
    roster = make(fiona)
    services.lock(fiona, roster)
    line = roster.lines.get()
    assert line.status == LineStatus.FAILED and line.failure_reason
    assert list(services.bank_rows(Roster.objects.get(pk=roster.pk))) == []
    with pytest.raises(Conflict):
        services.reissue(fiona, line.pk)
    services.set_account(alice, case, holder="赵000", bank_name="济宁农商银行", account_number="6223 0915 0000 1234")
    line = services.reissue(fiona, line.pk)
    assert (line.status, line.attempt, line.account_number) == (LineStatus.PENDING, 2, "6223091500001234")
    rows = list(services.bank_rows(Roster.objects.get(pk=roster.pk)))
    assert [(r[0], r[1]) for r in rows] == [(line.pk, f"{roster.pk}-{line.pk}-2")]

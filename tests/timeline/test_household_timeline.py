"""One household, one chain (一户一条救助链): the elderly couple of 东关社区 (tests/conftest.py)
through a year and a half, every record made through its service or flow.

- November 2025: a temporary-assistance case (the wife's hospital costs) taken in,
  investigated, approved by the township head, paid 1,200.00 from the reserve fund and
  filed with the county (closed);
- March 2026: the means test says they qualify for 低保 without a case: a letter tells
  them they may apply (救助主动告知), handed over in person three days later;
- April 2026: enrolled in 低保 at 990.00 a month from June (written as the roster tests
  write enrolled cases);
- June 2026: a home visit finds the husband needs help: a follow-up is opened;
- November 2026: the county's 低保 roster pays them, the bank reports it paid.
"""

from __future__ import annotations

import datetime
import io
import uuid
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from assistance.models import Application
from audit.models import AuditEvent
from staff.models import User
from tests.assistance.conftest import do, new_case
from tests.conftest import TOWNSHIP_A
from tests.funds.conftest import make_application, open_fund
from tests.means.conftest import standards  # noqa: F401 - fixture
from tests.reporting.conftest import csv_of
from tests.rosters.conftest import COUNTY, enrolled
from visits import services as visits
from visits.models import Visit
from workflows import timeline
from workflows.enrolment.benefits import record_change
from workflows.enrolment.proactive import issue_proactive_notice, record_delivery
from workflows.rosters import services as rosters
from workflows.rosters.models import Roster

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOVEMBER = datetime.date(2026, 11, 1)


def at(year, month, day, hour=10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def travel(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def chain(alice, amy, hana, fiona, root, household, standards):  # noqa: F811
    open_fund(TOWNSHIP_A, "5000.00", by=root)
    with travel(at(2025, 11, 3)):
        temporary = new_case(alice, household, amount_requested="1200.00")
    with travel(at(2025, 11, 4)):
        do(alice, temporary, "intake", complete=True)
        do(alice, temporary, "investigate", investigators=["alice", "amy"], findings="入户核实属实")
    # After commit, as in production: the documents each step issues are written.
    with travel(at(2025, 11, 5)), TestCase.captureOnCommitCallbacks(execute=True):
        do(hana, temporary, "township_approve", decision="approve", amount_approved="1200.00", reason="符合条件")
    with travel(at(2025, 11, 6)), TestCase.captureOnCommitCallbacks(execute=True):
        do(alice, temporary, "disburse")
    with travel(at(2025, 11, 7)):
        do(alice, temporary, "file_with_county")

    with travel(at(2026, 3, 2)):
        letter = issue_proactive_notice(alice, household, "dibao")
    with travel(at(2026, 3, 5, 15)):
        record_delivery(alice, letter, method="in_person", delivered_on=datetime.date(2026, 3, 5))
    with travel(at(2026, 4, 10)):
        dibao = enrolled(household, "990.00", paid_from=datetime.date(2026, 6, 1), by=alice)
    # As the statistics' tests date a decision: the roster tests' enrolled case has none.
    Application.objects.filter(pk=dibao.pk).update(decided_at=at(2026, 4, 10, 11))

    with travel(at(2026, 6, 10)):
        visits.recompute_plans(household.members.all())
        visit = Visit.objects.filter(household=household).order_by("window_start", "pk").first()
        visits.record_visit(alice, visit, client_uuid=uuid.uuid4(), visited_at=at(2026, 6, 10, 9),
                            method="in_person", outcome="needs_help", notes="腿脚不便，需要助行器")

    with travel(at(2026, 11, 2)):
        with TestCase.captureOnCommitCallbacks(execute=True):
            roster, _ = rosters.request_roster(fiona, county=COUNTY, program="dibao", month=NOVEMBER)
        roster = rosters.lock(fiona, Roster.objects.get(pk=roster.pk))
    with travel(at(2026, 11, 20)):
        line = roster.lines.get(application=dibao)
        report = rosters.import_results(fiona, roster, csv_of([(line.pk, "paid", f"BK{line.pk}", "")]))
        assert report.paid == 1, report.errors
    return {"household": household, "temporary": temporary, "dibao": dibao, "letter": letter, "visit": visit}


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)  # no permissions cached from the set-up


def kinds(events):
    return [(e.kind, e.title) for e in events]


def test_every_record_of_the_household_appears_once_newest_first(chain, alice):
    events = timeline.household_timeline(fresh(alice), chain["household"])
    temporary, dibao = chain["temporary"].pk, chain["dibao"].pk
    assert kinds(events) == [
        ("payment", "2026-11待遇已由银行发放"),
        ("follow_up", "探访王德明后的跟进事项"),
        ("visit", "对王德明的定期探访"),
        ("decision", "最低生活保障已批准"),
        ("schedule", "开始发放"),
        ("application", "最低生活保障申请已受理"),
        ("proactive_notice", "主动告知书已送达"),
        ("proactive_notice", "已告知可申请最低生活保障"),
        ("closed", "临时救助已结案"),
        ("document", "发放凭证"),
        ("payment", "从备用金发放"),
        ("document", "决定通知书"),
        ("document", "审批表"),
        ("decision", "临时救助已批准"),
        ("application", "临时救助申请已受理"),
    ], "\n".join(f"{e.kind} {e.title} {e.when}" for e in events)
    assert [e.when for e in events] == sorted((e.when for e in events), reverse=True)
    by_kind = {(e.kind, e.program): e for e in events}
    assert by_kind[("payment", "dibao")].amount == Decimal("990.00")
    assert by_kind[("payment", "temporary")].amount == Decimal("1200.00")
    assert by_kind[("payment", "temporary")].url == reverse("application_detail", args=[temporary])
    assert by_kind[("schedule", "dibao")].amount == Decimal("990.00") and "2026-06" in by_kind[("schedule", "dibao")].detail
    assert by_kind[("closed", "temporary")].when == at(2025, 11, 7)
    assert by_kind[("decision", "dibao")].url == reverse("application_detail", args=[dibao])
    assert by_kind[("visit", "")].url == reverse("visit_detail", args=[chain["visit"].pk])
    assert by_kind[("proactive_notice", "dibao")].url == reverse("proactive_pdf", args=[chain["letter"].pk])
    assert all(e.when.tzinfo is not None for e in events)


def test_filters_by_program_and_year(chain, alice):
    user = fresh(alice)
    household = chain["household"]
    assert {e.program for e in timeline.household_timeline(user, household, program="temporary")} == {"temporary"}
    assert len(timeline.household_timeline(user, household, program="temporary")) == 7
    in_2025 = timeline.household_timeline(user, household, year=2025)
    assert len(in_2025) == 7 and {e.year for e in in_2025} == {2025}
    assert len(timeline.household_timeline(user, household, program="dibao", year=2026)) == 6
    assert timeline.household_timeline(user, household, program="tekun") == []


def test_the_page_groups_by_year_filters_and_refuses_to_widen_a_wrong_filter(chain, alice, as_user):
    client = as_user(alice)
    url = reverse("household_timeline", args=[chain["household"].pk])
    html = client.get(url).content.decode()
    assert 'id="year-2026"' in html and 'id="year-2025"' in html
    assert html.index('id="year-2026"') < html.index('id="year-2025"')
    assert "1,200.00" in html and "990.00" in html and "临时救助已结案" in html
    only = client.get(url, {"program": "temporary", "year": "2025"}).content.decode()
    assert "临时救助已结案" in only and 'id="year-2026"' not in only and "最低生活保障" not in only.split("<table")[1]
    for wrong in ({"program": "nonsense"}, {"year": "1999"}, {"year": "abc"}):
        page = client.get(url, wrong).content.decode()
        assert "<table" not in page and "没有符合" in page, wrong
    detail = client.get(reverse("household_detail", args=[chain["household"].pk])).content.decode()
    assert f'href="{url}"' in detail and "救助链" in detail
    client.cookies["django_language"] = "en"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Temporary assistance case closed" in english and "Paid from the reserve fund" in english


def test_the_export_is_the_filtered_timeline_and_is_audited(chain, alice, as_user):
    client = as_user(alice)
    url = reverse("household_timeline_export", args=[chain["household"].pk])
    response = client.get(url, {"year": "2025"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 7
    assert rows[1][3] == "临时救助已结案" and rows[1][6].endswith(reverse("application_detail",
                                                                          args=[chain["temporary"].pk]))
    assert rows[3][3] == "从备用金发放" and Decimal(str(rows[3][5])) == Decimal("1200.00")
    event = AuditEvent.objects.get(event="registry.timeline.exported")
    assert event.extra["rows"] == 7 and event.extra["year"] == 2025 and event.actor_id == alice.pk


def test_an_outsider_gets_404_for_the_page_and_the_export(chain, bob, as_user):
    client = as_user(bob)
    pk = chain["household"].pk
    assert client.get(reverse("household_timeline", args=[pk])).status_code == 404
    assert client.get(reverse("household_timeline_export", args=[pk])).status_code == 404
    # And the collector, asked directly for a household it cannot see, finds nothing.
    assert timeline.household_timeline(fresh(bob), chain["household"]) == []


def test_a_role_that_sees_only_who_heads_the_household_reads_names_masked(chain, fiona):
    """County finance sees households but not their members (registry.selectors); given
    visit records as well, it reads the visited member's name masked."""
    from django.contrib.auth.models import Permission

    fiona.user_permissions.add(Permission.objects.get(content_type__app_label="visits", codename="view_visit"))
    events = timeline.household_timeline(fresh(fiona), chain["household"])
    assert [e.title for e in events if e.kind == "visit"] == ["对王*明的定期探访"]
    assert "王德明" not in " ".join(e.title + e.detail for e in events)


def test_the_queries_do_not_grow_with_the_events(chain, alice, hana, django_assert_max_num_queries):
    from funds import services as funds

    household, user = chain["household"], fresh(alice)
    timeline.household_timeline(user, household)  # the role's permissions, loaded once
    with CaptureQueriesContext(connection) as few:
        few_events = timeline.household_timeline(user, household)
    assert len(few) <= 15  # one or two a source (the early warnings: one)
    # Many more rows of the same kinds: cases paid from the fund, changes of the schedule.
    for _i in range(6):
        case, instalment = make_application(household, amount="100.00", by=alice)
        funds.disburse(hana, application=case, instalment=instalment)
    for month in range(7, 12):
        record_change(chain["dibao"], kind="adjust", month=datetime.date(2026, month, 1),
                      amount=Decimal(900 + month), reason="收入变化", actor=hana)
    with django_assert_max_num_queries(len(few)):
        many_events = timeline.household_timeline(user, household)
    assert len(many_events) == len(few_events) + 6 * 2 + 5


def test_the_collector_takes_more_sources(chain, alice):
    def warnings(user, household_id):
        return [timeline.Event(at(2026, 12, 1), "warning", "预警", program="dibao")]

    timeline.register(warnings)
    try:
        events = timeline.household_timeline(fresh(alice), chain["household"])
        assert events[0].kind == "warning"
    finally:
        timeline.SOURCES.remove(warnings)

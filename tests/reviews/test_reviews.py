"""Ongoing 低保 cases end to end: a review, a gradual exit and its end, changes of
circumstance, refusals of work, and the decision checked against the means test."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from core.errors import Conflict, InvalidInput, NotPermitted
from deadlines.models import Deadline
from web import case_rows
from workflows.enrolment import benefits
from workflows.enrolment.models import BenefitChange
from workflows.reviews import services
from workflows.reviews.models import BenefitNotice, Review, WorkRefusal

from .conftest import do, earns, members, next_month, open_review_task, reload, today

pytestmark = pytest.mark.django_db

INVESTIGATION = {"investigators": ["alice", "amy"], "findings": "入户复核：儿子回乡在镇上工厂务工，月工资2,000元"}


def test_review_then_gradual_exit_then_stop_with_notices(alice, hana, enrolled, django_capture_on_commit_callbacks):
    case = enrolled
    earns(alice, case, "孙守田", "2000.00")
    services.report_change(alice, case.pk, kind="income", note="孙守田在镇上工厂务工", occurred_on=today())
    review = Review.objects.get(application=case, status="open")
    assert review.kind == "change"

    do(alice, case, "review_investigate", **INVESTIGATION)
    review.refresh_from_db()
    assert review.means["case_eligible"] is False
    assert review.means["per_capita_income"] == "1375.00"  # (600 + 150 + 2000) / 2
    with django_capture_on_commit_callbacks(execute=True):
        do(hana, case, "review_decide", decision="gradual_exit", reasons="家庭月人均收入1,375.00元，超过当地标准")

    start = next_month()
    until = benefits.add_months(start, 5)  # six months of gradual exit (the rule row)
    assert reload(case).status == "gradual_exit"
    entry = BenefitChange.objects.get(application=case, kind="gradual_exit")
    assert (entry.month, entry.until_month, entry.monthly_amount) == (start, until, Decimal("990.00"))
    assert entry.source == f"review:{review.pk}"
    # What the roster reads: paid through until_month, nothing after.
    assert benefits.monthly_amount(case.pk, start) == Decimal("990.00")
    assert benefits.monthly_amount(case.pk, until) == Decimal("990.00")
    assert benefits.monthly_amount(case.pk, benefits.add_months(until, 1)) == Decimal("0.00")
    notice = BenefitNotice.objects.get(application=case, kind="gradual_exit")
    assert notice.sha256 and bytes(notice.content).startswith(b"%PDF")

    # The daily task: nothing to end while the gradual exit runs ...
    assert services.end_gradual_exits(on=until) == []
    assert reload(case).status == "gradual_exit"
    # ... and the stop, with its notice, once until_month has passed.
    after = benefits.add_months(until, 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.end_gradual_exits(on=after + datetime.timedelta(days=3)) == [case.pk]
    assert reload(case).status == "stopped"
    stop = BenefitChange.objects.get(application=case, kind="stop")
    assert (stop.month, stop.monthly_amount, stop.source) == (after, Decimal("0.00"), "gradual_exit_end")
    end_notice = BenefitNotice.objects.get(application=case, kind="gradual_exit_end")
    assert end_notice.benefit_change == stop and bytes(end_notice.content).startswith(b"%PDF")
    assert benefits.monthly_amount(case.pk, after) == Decimal("0.00")
    # Run again: nothing more.
    assert services.end_gradual_exits(on=after + datetime.timedelta(days=4)) == []
    assert BenefitChange.objects.filter(application=case, kind="stop").count() == 1


def test_stop_needs_reasons_and_writes_a_notice(alice, hana, enrolled):
    case = enrolled
    services.report_change(alice, case.pk, kind="household", note="户主已迁往外地子女处居住", occurred_on=today())
    do(alice, case, "review_investigate", **INVESTIGATION)
    with pytest.raises(InvalidInput) as refused:
        do(hana, case, "review_decide", decision="stop", reasons="")
    assert "reasons" in refused.value.errors
    do(hana, case, "review_decide", decision="stop", reasons="全家户籍迁出本县")
    assert reload(case).status == "stopped"
    assert BenefitChange.objects.get(application=case, kind="stop").month == next_month()
    assert BenefitNotice.objects.filter(application=case, kind="stop").count() == 1


def test_adjust_above_the_means_test_is_refused(alice, hana, enrolled):
    case = enrolled
    earns(alice, case, "李桂英", "200.00")  # per capita 475.00: 870 − 475 = 395.00 × 2 = 790.00
    services.report_change(alice, case.pk, kind="income", note="李桂英做保洁", occurred_on=today())
    do(alice, case, "review_investigate", **INVESTIGATION)
    assert Review.objects.get(application=case).means["case_amount"] == "790.00"
    with pytest.raises(InvalidInput) as refused:
        do(hana, case, "review_decide", decision="adjust", new_amount="790.01", reasons="收入增加")
    assert "new_amount" in refused.value.errors
    # Gradual exit is refused while the household still qualifies.
    with pytest.raises(InvalidInput):
        do(hana, case, "review_decide", decision="gradual_exit", reasons="收入增加")
    do(hana, case, "review_decide", decision="adjust", reasons="李桂英有保洁收入")  # the test's amount
    entry = BenefitChange.objects.get(application=case, kind="adjust")
    assert (entry.month, entry.monthly_amount, entry.household_size) == (next_month(), Decimal("790.00"), 2)
    assert reload(case).status == "approved"
    notice = BenefitNotice.objects.get(application=case, kind="adjust")
    assert notice.previous_amount == Decimal("990.00") and notice.takes_away


def test_the_investigators_do_not_decide(alice, amy, henry, enrolled):
    case = enrolled
    services.report_change(alice, case.pk, kind="other", note="邻居反映", occurred_on=today())
    do(henry, case, "review_investigate", investigators=["henry", "amy"], findings="情况属实")
    with pytest.raises(NotPermitted):
        do(henry, case, "review_decide", decision="continue")


def test_a_death_opens_a_recheck_in_the_township_queue(alice, bob, enrolled):
    case = enrolled
    died = today() - datetime.timedelta(days=10)
    wife = members(case)["李桂英"]
    report = services.report_change(alice, case.pk, kind="death", member=wife.pk, occurred_on=died,
                                    note="因病去世")
    review = report.review
    assert review.kind == "death"
    assert review.due_by == services.months_after(died, 3)
    task = open_review_task(case)
    assert (task.step, task.role, task.region_code, task.assignee_id) == (
        "review_investigate", "caseworker", case.region_code, None)
    assert task.due_at is not None
    assert task.pk in set(case_rows.inbox(alice, "queue").values_list("pk", flat=True))
    assert not case_rows.inbox(bob, "queue").filter(pk=task.pk).exists()  # another township's caseworker
    # The re-check's means test no longer counts her (nor her pension): one person, 300 + 150.
    do(alice, case, "review_investigate", **INVESTIGATION)
    review.refresh_from_db()
    assert review.means["members"] == 1
    assert review.means["per_capita_income"] == "450.00"
    assert review.means["case_amount"] == "420.00"
    # A second death report of her is refused.
    with pytest.raises(Conflict):
        services.report_change(alice, case.pk, kind="death", member=wife.pk, occurred_on=died)


def test_a_change_joins_the_open_review(alice, enrolled):
    case = enrolled
    first = services.report_change(alice, case.pk, kind="income", note="养老金调整", occurred_on=today())
    second = services.report_change(alice, case.pk, kind="household", note="孙子回来同住", occurred_on=today())
    assert first.review == second.review
    assert Review.objects.filter(application=case).count() == 1
    assert Deadline.objects.filter(application_id=case.pk, flow="review").count() == 1


def test_a_stopped_case_takes_no_change(alice, hana, enrolled):
    case = enrolled
    services.report_change(alice, case.pk, kind="other", note="迁出", occurred_on=today())
    do(alice, case, "review_investigate", **INVESTIGATION)
    do(hana, case, "review_decide", decision="stop", reasons="迁出")
    with pytest.raises(Conflict):
        services.report_change(alice, case.pk, kind="other", note="又有变化", occurred_on=today())


def test_the_third_refusal_of_work_cuts_the_members_share(alice, enrolled):
    case = enrolled
    husband = members(case)["孙守田"]
    for n, day in enumerate((20, 15), start=1):
        refusal = services.record_work_refusal(alice, case.pk, member=husband.pk, offered="镇保洁公司保洁员",
                                               on=today() - datetime.timedelta(days=day))
        assert refusal.number == n and refusal.benefit_change is None
    assert not BenefitChange.objects.filter(application=case, kind="adjust").exists()  # the 2nd cuts nothing

    third = services.record_work_refusal(alice, case.pk, member=husband.pk, offered="村公益性岗位",
                                         on=today() - datetime.timedelta(days=1))
    cut = third.benefit_change
    assert third.number == 3 and cut is not None
    assert (cut.kind, cut.month, cut.monthly_amount, cut.household_size) == (
        "adjust", next_month(), Decimal("495.00"), 1)
    assert "孙守田" in cut.reason
    assert BenefitNotice.objects.get(benefit_change=cut).kind == "cut"
    assert benefits.monthly_amount(case.pk, next_month()) == Decimal("495.00")
    # A fourth refusal is recorded; the share is gone already, nothing more is cut.
    fourth = services.record_work_refusal(alice, case.pk, member=husband.pk, offered="保安", on=today())
    assert fourth.benefit_change is None
    assert BenefitChange.objects.filter(application=case, kind="adjust").count() == 1
    assert WorkRefusal.objects.filter(application=case).count() == 4


def test_changes_are_township_staffs(bob, fiona, enrolled):
    case = enrolled
    with pytest.raises(NotPermitted):  # another township
        services.report_change(bob, case.pk, kind="other", note="x", occurred_on=today())
    with pytest.raises(NotPermitted):  # county finance: not their work
        services.record_work_refusal(fiona, case.pk, member=case.applicant_id, offered="x", on=today())

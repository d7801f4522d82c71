"""低保 and 特困 end to end, each program the same way: approval after the public notice,
rejection with written reasons at the township review and at the county's confirmation,
an objection during the notice (re-investigation, a new review, a second notice, then
confirmation), and a county that keeps no notice.

The household is ``poor_couple``: a rural couple in their seventies, 300.00 pension each
and 150.00 from a plot, per capita 375.00. 低保's standard is 870.00 (rural, 任城区),
特困's basic standard 1.3 × that = 1,131.00; both are paid the gap for two people.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from core.errors import Conflict, InvalidInput
from documents.models import Document
from workflows.enrolment.models import NoticeKind, Objection, PublicNotice
from workflows.enrolment.services import raise_objection

from .conftest import (
    PROGRAMS,
    county_rule,
    do,
    end_notice,
    open_case,
    open_steps,
    open_task,
    reload,
    walk_to_confirmation,
    walk_to_review,
)

pytestmark = pytest.mark.django_db

# (standard − 375.00) × 2
AMOUNT = {"dibao": Decimal("990.00"), "tekun": Decimal("1512.00")}


def names(callbacks) -> list[str]:
    """The Celery tasks a step queued for after its commit."""
    return sorted(c.__qualname__.removeprefix("queue_after_commit(").removesuffix(")") for c in callbacks)


def run_documents(callbacks) -> None:
    """Render the written documents queued (the posted lists are another test's)."""
    for callback in callbacks:
        if "documents.generate" in callback.__qualname__:
            callback()


def pdf_text(document) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(document.content))).pages)


@pytest.mark.parametrize("program", PROGRAMS)
def test_approved_after_the_notice(program, alice, amy, hana, cora, carol, poor_couple,
                                   django_capture_on_commit_callbacks):
    case = open_case(alice, poor_couple, program)
    assert reload(case).status == "intake" and open_steps(case) == ["intake"]
    walk_to_review(case, alice, amy, cora, program)
    do(hana, case, "township_review", decision="recommend", reason="收入低于标准，符合条件")
    case = reload(case)
    assert (case.status, case.recommended_amount) == ("notice", AMOUNT[program])
    notice = PublicNotice.objects.get(application=case, kind=NoticeKind.FIRST_REVIEW)
    assert notice.round == 1 and notice.is_running()
    assert notice.entries == [{"name": "孙*田", "household_size": 2, "amount": str(AMOUNT[program])}]
    assert open_steps(case) == ["county_confirm"]

    end_notice(case)
    with django_capture_on_commit_callbacks() as queued:
        do(carol, case, "county_confirm", decision="approve", reason="审核确认")
    run_documents(queued)
    case = reload(case)
    assert (case.status, case.amount_approved, case.decided_by, case.decision_level) == (
        "approved", AMOUNT[program], carol, "county")
    details = getattr(case, program)
    assert details.household_size == 2 and details.means["monthly_amount"] == str(AMOUNT[program])
    assert open_steps(case) == []
    published = PublicNotice.objects.get(application=case, kind=NoticeKind.APPROVED)
    assert published.entries == notice.entries
    assert names(queued) == ["documents.generate", "enrolment.render_notice"]
    decision = Document.objects.get(application=case, kind="decision_notice")
    assert f"{AMOUNT[program]:,.2f}" in pdf_text(decision)


@pytest.mark.parametrize("program", PROGRAMS)
def test_rejected_at_the_township_review_with_written_reasons(program, alice, amy, hana, cora, poor_couple,
                                                              django_capture_on_commit_callbacks):
    case = open_case(alice, poor_couple, program)
    walk_to_review(case, alice, amy, cora, program)
    with pytest.raises(InvalidInput) as refused:
        do(hana, case, "township_review", decision="reject", reason="  ")
    assert "reason" in refused.value.errors
    assert reload(case).status == "township_review"

    reason = "长子在济南务工，月收入六千元，有赡养能力"
    with django_capture_on_commit_callbacks(execute=True):
        do(hana, case, "township_review", decision="reject", reason=reason)
    case = reload(case)
    assert (case.status, case.decision_reason, case.decision_level, case.decided_by) == (
        "rejected", reason, "township", hana)
    assert open_steps(case) == []
    assert not PublicNotice.objects.filter(application=case).exists()
    notice = Document.objects.get(application=case, kind="rejection_notice")
    assert "有赡养能力" in pdf_text(notice)


@pytest.mark.parametrize("program", PROGRAMS)
def test_rejected_at_the_county_confirmation_with_written_reasons(program, alice, amy, hana, cora, carol,
                                                                  poor_couple, django_capture_on_commit_callbacks):
    case = open_case(alice, poor_couple, program)
    walk_to_confirmation(case, program, alice, amy, cora, hana)
    with pytest.raises(InvalidInput):
        do(carol, case, "county_confirm", decision="reject", reason="")
    reason = "核对发现家庭成员名下有商铺一处，出租收入未申报"
    with django_capture_on_commit_callbacks(execute=True):
        do(carol, case, "county_confirm", decision="reject", reason=reason)
    case = reload(case)
    assert (case.status, case.decision_reason, case.decision_level, case.amount_approved) == (
        "rejected", reason, "county", None)
    assert not PublicNotice.objects.filter(application=case, kind=NoticeKind.APPROVED).exists()
    assert "商铺" in pdf_text(Document.objects.get(application=case, kind="rejection_notice"))
    assert not Document.objects.filter(application=case, kind="decision_notice").exists()


@pytest.mark.parametrize("program", PROGRAMS)
def test_an_objection_brings_a_new_investigation_review_and_notice(program, alice, amy, hana, cora, carol,
                                                                  poor_couple):
    case = open_case(alice, poor_couple, program)
    walk_to_review(case, alice, amy, cora, program)
    do(hana, case, "township_review", decision="recommend")
    first = PublicNotice.objects.get(application=case, kind=NoticeKind.FIRST_REVIEW)
    waiting_confirmation = open_task(case, "county_confirm").subject_id

    # While the notice runs, confirmation is refused.
    with pytest.raises(Conflict):
        do(carol, case, "county_confirm", decision="approve")

    objection = raise_objection(alice, case.pk, text="村民反映其女儿在城里开店，常年给钱", raised_by="同村村民")
    case = reload(case)
    assert case.status == "reinvestigation"
    assert open_steps(case) == ["reinvestigate"]
    first.refresh_from_db()
    assert first.withdrawn_at is not None and not first.is_running()
    # The confirmation that waited is gone: completing it now is refused, the objection unanswered.
    from core import programs
    from workflows import engine
    with pytest.raises(Conflict):
        engine.complete(carol, waiting_confirmation, programs.step(program, "county_confirm").service,
                        decision="approve")
    assert reload(case).status == "reinvestigation"
    # A second objection while no notice runs is refused.
    with pytest.raises(Conflict):
        raise_objection(alice, case.pk, text="再次反映")

    do(amy, case, "reinvestigate", findings="女儿个体经营收入微薄，每月给付约一百元，异议不成立",
       outcome="dismissed")
    objection.refresh_from_db()
    assert (objection.outcome, objection.answered_at is not None) == ("dismissed", True)
    assert reload(case).status == "township_review" and open_steps(case) == ["township_review"]

    do(hana, case, "township_review", decision="recommend", reason="复查后维持原意见")
    case = reload(case)
    assert case.status == "notice"
    second = PublicNotice.objects.get(application=case, kind=NoticeKind.FIRST_REVIEW, round=2)
    assert second.is_running() and getattr(case, program).notice_rounds == 2
    with pytest.raises(Conflict):
        do(carol, case, "county_confirm", decision="approve")

    end_notice(case)
    do(carol, case, "county_confirm", decision="approve")
    case = reload(case)
    assert case.status == "approved" and case.amount_approved == AMOUNT[program]
    assert list(Objection.objects.filter(application=case).values_list("outcome", flat=True)) == ["dismissed"]


@pytest.mark.parametrize("program", PROGRAMS)
def test_no_objection_without_a_running_notice(program, alice, amy, hana, cora, carol, poor_couple):
    case = open_case(alice, poor_couple, program)
    with pytest.raises(Conflict):
        raise_objection(alice, case.pk, text="不应享受")
    walk_to_confirmation(case, program, alice, amy, cora, hana)  # the notice ran out
    with pytest.raises(Conflict):
        raise_objection(alice, case.pk, text="公示期后才提出的异议")
    assert reload(case).status == "notice" and not Objection.objects.exists()


@pytest.mark.parametrize("program", PROGRAMS)
def test_objections_are_township_staff_work(program, alice, amy, hana, cora, bob, carol, otto, poor_couple):
    from core.errors import NotPermitted

    case = open_case(alice, poor_couple, program)
    walk_to_review(case, alice, amy, cora, program)
    do(hana, case, "township_review", decision="recommend")
    for outsider in (bob, otto, carol):  # another township, another county, the county's reviewer
        with pytest.raises(NotPermitted):
            raise_objection(outsider, case.pk, text="不符合条件")
    with pytest.raises(InvalidInput):
        raise_objection(hana, case.pk, text="   ")
    assert reload(case).status == "notice"


@pytest.mark.parametrize("program", PROGRAMS)
def test_a_county_without_a_notice_goes_from_review_to_confirmation(program, alice, amy, hana, cora, carol,
                                                                    poor_couple):
    """Jining's 2020 practice: the first-review opinion is not posted."""
    county_rule(program, keeps_notice=False)
    case = open_case(alice, poor_couple, program)
    walk_to_review(case, alice, amy, cora, program)
    do(hana, case, "township_review", decision="recommend")
    case = reload(case)
    assert case.status == "confirmation" and getattr(case, program).notice_rounds == 0
    assert not PublicNotice.objects.filter(application=case, kind=NoticeKind.FIRST_REVIEW).exists()
    assert open_steps(case) == ["county_confirm"]
    with pytest.raises(Conflict):
        raise_objection(alice, case.pk, text="没有公示期")
    do(carol, case, "county_confirm", decision="approve")  # no notice to wait for
    case = reload(case)
    assert case.status == "approved" and case.amount_approved == AMOUNT[program]
    # The approved list is still published.
    assert PublicNotice.objects.filter(application=case, kind=NoticeKind.APPROVED).count() == 1

"""seed_demo's 低保 and 特困 cases: both practices (任城区 with the 7-day notice, 兖州区 without),
a case in every state, made through the real services and flow; a rerun adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from assistance.models import Application
from audit.models import AuditEvent
from deadlines.models import Deadline
from registry.models import Asset, Income
from workflows.enrolment.models import EnrolmentRule, NoticeKind, PublicNotice
from workflows.enrolment.rules import enrolment_rule

ALL_STATES = {"intake", "incomplete", "investigation", "verification", "township_review", "notice",
              "reinvestigation", "confirmation", "approved", "rejected"}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--households", "3", "--seed", "7", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db, reference_data):
    return seed()


def cases(program, county=None):
    qs = Application.objects.filter(program=program).exclude(created_by__username="caseworker")
    return qs.filter(region_code__startswith=county) if county else qs


def test_both_practices_are_seeded(seeded):
    for program in ("dibao", "tekun"):
        assert enrolment_rule(program, "370811001001").keeps_notice is True  # the national row
        assert enrolment_rule(program, "370811001001").scope == ""
        yanzhou = enrolment_rule(program, "370812001001")
        assert yanzhou.scope == "370812" and yanzhou.keeps_notice is False
    tekun = enrolment_rule("tekun", "370812001001")
    assert tekun.unable_age_from == 60 and tekun.spot_check_share is not None  # the national criteria kept
    assert AuditEvent.objects.filter(event="enrolment.rule.created").count() == 2


@pytest.mark.parametrize("program", ["dibao", "tekun"])
def test_every_state_of_each_program(seeded, program):
    assert set(cases(program).values_list("status", flat=True)) == ALL_STATES
    # 兖州区 never posts a first-review notice; 任城区 never skips it.
    assert not cases(program, "370812").filter(status__in=["notice", "reinvestigation"]).exists()
    assert not cases(program, "370811").filter(status="confirmation").exists()
    # Every open case waits on exactly one task of its flow.
    for case in cases(program).exclude(status__in=["approved", "rejected"]):
        tasks = Deadline.objects.exclude(status="closed").filter(application_id=case.pk, subject_type__model="task")
        assert tasks.count() == 1, (case.pk, case.status)
    # Approved cases are paid from the month after approval, with their list published.
    for case in cases(program).filter(status="approved"):
        details = getattr(case, program)
        assert details.paid_from is not None and details.means["eligible"] in (True, False)
        assert PublicNotice.objects.filter(application=case, kind=NoticeKind.APPROVED).count() == 1
    for case in cases(program).filter(status="rejected"):
        assert case.decision_reason


def test_a_yanzhou_case_goes_from_review_straight_to_confirmation(seeded):
    for program in ("dibao", "tekun"):
        for case in cases(program, "370812").filter(status__in=["confirmation", "approved"]):
            assert not PublicNotice.objects.filter(application=case, kind=NoticeKind.FIRST_REVIEW).exists()
            review = AuditEvent.objects.get(event="assistance.application.recommended", object_id=str(case.pk))
            assert review.before == {"status": "township_review"}
            assert review.after == {"status": "confirmation"}
            assert review.extra["notice"] is False
    # 任城区's recommendations were posted for 7 days.
    for case in cases("dibao", "370811").filter(status__in=["notice", "approved"]):
        review = AuditEvent.objects.get(event="assistance.application.recommended", object_id=str(case.pk))
        assert review.after == {"status": "notice"}
        assert PublicNotice.objects.filter(application=case, kind=NoticeKind.FIRST_REVIEW).exists()
    running = PublicNotice.objects.running().filter(application__in=cases("dibao", "370811"))
    assert running.exists()
    assert all((n.ends_at - n.starts_at).days >= 7 for n in running)


def test_objection_individual_coverage_and_staff_relative(seeded):
    objected = cases("dibao").get(status="reinvestigation")
    assert objected.objections.count() == 1
    assert PublicNotice.objects.get(application=objected).withdrawn_at is not None
    alone = cases("dibao").get(dibao__covered_member__isnull=False)
    assert alone.status == "approved" and alone.dibao.household_size == 1
    assert alone.household.members.count() == 2
    relative = cases("dibao").get(related_to_staff=True)
    assert {u.region.level for u in relative.investigators.select_related("region")} == {"county"}
    tekun_approved = cases("tekun").filter(status="approved")
    assert all(c.tekun.unable_to_work for c in tekun_approved)


def test_households_look_like_the_people_these_programs_serve(seeded):
    households = Application.objects.filter(program__in=["dibao", "tekun"]).values("household")
    kinds = set(Income.objects.filter(household__in=households).values_list("kind", flat=True))
    assert {"pension", "farming", "support", "assistance", "wage"} <= kinds
    assert Asset.objects.filter(household__in=households, kind="deposit").exists()
    # A disability allowance is recorded and not counted.
    allowance = Income.objects.filter(household__in=households, kind="assistance").first()
    assert not allowance.counted


def test_a_rerun_adds_no_case_and_says_the_same(seeded):
    enrolment = Application.objects.filter(program__in=["dibao", "tekun"])
    before = (enrolment.count(), EnrolmentRule.objects.count(),
              AuditEvent.objects.filter(event="assistance.application.opened", object_id__in=[
                  str(pk) for pk in enrolment.values_list("pk", flat=True)]).count())

    again = seed()

    assert (enrolment.count(), EnrolmentRule.objects.count()) == before[:2]
    assert before[0] == before[2] == 26

    def enrolment_lines(output):
        return [line for line in output.splitlines() if "demo cases" in line and "Temporary" not in line]

    assert enrolment_lines(again) == enrolment_lines(seeded)
    assert len(enrolment_lines(again)) == 2
    assert "兖州区 without" in again and "任城区 with the 7-day notice" in again

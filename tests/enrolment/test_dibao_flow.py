"""低保 end to end: approval after a public notice, rejection with a notice, an objection."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assistance.models import Application
from core.errors import Conflict
from workflows.enrolment.models import NoticeKind, PublicNotice
from workflows.enrolment.services import raise_objection

from .conftest import do, open_case, open_steps, walk_to_review

pytestmark = pytest.mark.django_db


def _end_notice(case):
    PublicNotice.objects.filter(application=case).update(ends_at=timezone.now() - datetime.timedelta(minutes=1))


def test_approved_after_notice(alice, amy, hana, cora, carol, poor_couple):
    case = open_case(alice, poor_couple)
    walk_to_review(case, alice, amy, cora)
    assert open_steps(case) == ["township_review"]
    do(hana, case, "township_review", decision="recommend", reason="符合条件")
    case = Application.objects.get(pk=case.pk)
    assert case.status == "notice"
    assert case.recommended_amount == Decimal("990.00")
    notice = PublicNotice.objects.get(application=case, kind=NoticeKind.FIRST_REVIEW)
    assert notice.entries == [{"name": "孙*田", "household_size": 2, "amount": "990.00"}]
    assert open_steps(case) == ["county_confirm"]
    with pytest.raises(Conflict):
        do(carol, case, "county_confirm", decision="approve")
    _end_notice(case)
    do(carol, case, "county_confirm", decision="approve")
    case = Application.objects.get(pk=case.pk)
    assert case.status == "approved"
    assert case.amount_approved == Decimal("990.00")
    today = timezone.localdate()
    assert case.dibao.paid_from == (today.replace(day=28) + datetime.timedelta(days=5)).replace(day=1)
    assert PublicNotice.objects.filter(application=case, kind=NoticeKind.APPROVED).count() == 1


def test_objection_reopens_investigation(alice, amy, hana, hugo, cora, carol, poor_couple):
    case = open_case(alice, poor_couple)
    walk_to_review(case, alice, amy, cora)
    do(hana, case, "township_review", decision="recommend")
    raise_objection(alice, case.pk, text="邻居反映其子女在外务工收入较高", raised_by="村民")
    case = Application.objects.get(pk=case.pk)
    assert case.status == "reinvestigation"
    assert open_steps(case) == ["reinvestigate"]
    do(amy, case, "reinvestigate", findings="子女收入不稳定，异议不成立", outcome="dismissed")
    assert open_steps(case) == ["township_review"]
    do(hana, case, "township_review", decision="recommend")
    assert PublicNotice.objects.filter(application=case, kind=NoticeKind.FIRST_REVIEW).count() == 2
    _end_notice(case)
    do(carol, case, "county_confirm", decision="approve")
    case = Application.objects.get(pk=case.pk)
    assert case.status == "approved"


def test_rejected_at_review(alice, amy, hana, cora, poor_couple):
    case = open_case(alice, poor_couple)
    walk_to_review(case, alice, amy, cora)
    do(hana, case, "township_review", decision="reject", reason="有赡养能力的子女")
    case = Application.objects.get(pk=case.pk)
    assert case.status == "rejected"
    assert open_steps(case) == []

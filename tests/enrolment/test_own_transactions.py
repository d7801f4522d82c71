"""Objections and extensions are not task steps: they open their own transaction to lock
the case (on PostgreSQL a row lock outside one is an error — the web view calls them
without one, as a request does)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from assistance.models import Application
from workflows.enrolment.models import PublicNotice
from workflows.enrolment.services import extend, raise_objection

from .conftest import do, open_case, walk_to_review

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_an_objection_and_an_extension_outside_any_transaction(alice, amy, hana, cora, carol, poor_couple):
    case = open_case(alice, poor_couple)
    walk_to_review(case, alice, amy, cora)
    do(hana, case, "township_review", decision="recommend")
    assert PublicNotice.objects.running().filter(application=case).exists()
    raise_objection(alice, case.pk, text="有人反映其有经营收入", raised_by="村民")
    assert Application.objects.get(pk=case.pk).status == "reinvestigation"
    extend(carol, case.pk, reason="异议复查需要补充核对")
    assert Application.objects.get(pk=case.pk).dibao.extended_at <= timezone.now() + datetime.timedelta(seconds=1)

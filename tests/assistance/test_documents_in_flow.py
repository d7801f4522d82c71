"""Decisions produce their written documents after commit, downloadable by those who
may see the case and by nobody else."""

from __future__ import annotations

import hashlib

import pytest
from rest_framework.test import APIClient

from documents.models import Document
from tests.assistance.conftest import do, new_case

pytestmark = pytest.mark.django_db


def test_rejection_writes_the_notice_and_the_form(alice, amy, hana, bob, household,
                                                  django_capture_on_commit_callbacks):
    application = new_case(alice, household)
    do(alice, application, "intake", complete=True)
    do(alice, application, "investigate", investigators=["alice", "amy"], findings="家庭有稳定收入")
    with django_capture_on_commit_callbacks(execute=True):
        do(hana, application, "township_approve", decision="reject", reason="家庭人均收入高于当地标准")
    kinds = set(Document.objects.filter(application=application).values_list("kind", flat=True))
    assert kinds == {"approval_form", "rejection_notice"}

    notice = Document.objects.get(application=application, kind="rejection_notice")
    client = APIClient()
    client.force_authenticate(alice)
    response = client.get(f"/api/v1/documents/{notice.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["ETag"].strip('"') == hashlib.sha256(response.content).hexdigest() == notice.sha256
    outsider = APIClient()
    outsider.force_authenticate(bob)
    assert outsider.get(f"/api/v1/documents/{notice.pk}/").status_code == 404


def test_missing_documents_notice_is_written_once(alice, household, django_capture_on_commit_callbacks):
    application = new_case(alice, household)
    with django_capture_on_commit_callbacks(execute=True):
        do(alice, application, "intake", complete=False, missing=["医院诊断证明", "住院费用清单"])
    (notice,) = Document.objects.filter(application=application, kind="missing_documents_notice")
    assert notice.size > 1000

"""Storing documents: once, immutable, hashed, audited, and only when the case allows it."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from assistance.models import Instalment, InstalmentStatus
from audit.models import AuditEvent
from core.errors import Conflict, InvalidInput
from documents import services, tasks
from documents.models import Document, DocumentKind, ImmutableDocumentError
from workflows.temporary.models import Status

from .conftest import pdf_text


def test_stores_the_bytes_with_their_hash(rejected, hana):
    document = services.generate(rejected.pk, DocumentKind.REJECTION_NOTICE, actor_id=hana.pk)
    stored = Document.objects.get(pk=document.pk)
    content = bytes(stored.content)
    assert content.startswith(b"%PDF-")
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.size == len(content)
    assert stored.created_by == hana
    event = AuditEvent.objects.get(event="documents.document.generated")
    assert event.actor == hana
    assert event.object_id == str(document.pk)
    assert event.region_code == rejected.region_code
    assert event.extra["sha256"] == stored.sha256
    assert event.extra["kind"] == "rejection_notice"


def test_generating_twice_gives_one_document(rejected):
    first = services.generate(rejected.pk, DocumentKind.REJECTION_NOTICE)
    second = services.generate(rejected.pk, DocumentKind.REJECTION_NOTICE)
    assert first.pk == second.pk
    assert Document.objects.filter(application=rejected).count() == 1
    assert AuditEvent.objects.filter(event="documents.document.generated").count() == 1


def test_a_lost_race_returns_the_winners_document(rejected, monkeypatch):
    winner = services.generate(rejected.pk, DocumentKind.REJECTION_NOTICE)
    # The second worker looked before the first one stored its document.
    real_existing = services._existing
    calls = []

    def stale_then_fresh(*args):
        calls.append(args)
        return None if len(calls) == 1 else real_existing(*args)

    monkeypatch.setattr(services, "_existing", stale_then_fresh)
    loser = services.generate(rejected.pk, DocumentKind.REJECTION_NOTICE)
    assert loser.pk == winner.pk
    assert Document.objects.filter(application=rejected).count() == 1


def test_the_database_refuses_a_second_document_of_a_kind(rejected):
    document = services.generate(rejected.pk, DocumentKind.REJECTION_NOTICE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(application=rejected, kind=DocumentKind.REJECTION_NOTICE, content=b"%PDF-forged",
                                sha256="0" * 64, size=11)
    assert Document.objects.get(application=rejected).sha256 == document.sha256


def test_one_voucher_per_instalment(paid_instalment, alice):
    application = paid_instalment.application
    second = Instalment.objects.create(application=application, number=2, amount=Decimal("300.00"),
                                       status=InstalmentStatus.PAID, source="reserve_fund", paid_by=alice)
    first_voucher = services.generate(application.pk, DocumentKind.DISBURSEMENT_VOUCHER,
                                      instalment_id=paid_instalment.pk)
    second_voucher = services.generate(application.pk, DocumentKind.DISBURSEMENT_VOUCHER, instalment_id=second.pk)
    again = services.generate(application.pk, DocumentKind.DISBURSEMENT_VOUCHER, instalment_id=second.pk)
    assert first_voucher.pk != second_voucher.pk == again.pk
    assert "¥300.00" in pdf_text(second_voucher.content) and "叁佰元整" in pdf_text(second_voucher.content)


def test_documents_are_immutable(rejected):
    document = services.generate(rejected.pk, DocumentKind.REJECTION_NOTICE)
    document.content = b"%PDF-forged"
    with pytest.raises(ImmutableDocumentError):
        document.save()
    with pytest.raises(ImmutableDocumentError):
        document.delete()
    with pytest.raises(ImmutableDocumentError):
        Document.objects.filter(pk=document.pk).update(content=b"%PDF-forged")
    with pytest.raises(ImmutableDocumentError):
        Document.objects.filter(pk=document.pk).delete()
    assert bytes(Document.objects.get(pk=document.pk).content).startswith(b"%PDF-1")


@pytest.mark.parametrize(("status", "kind"), [
    (Status.APPROVED, DocumentKind.REJECTION_NOTICE),
    (Status.REJECTED, DocumentKind.DECISION_NOTICE),
    (Status.TOWNSHIP_REVIEW, DocumentKind.APPROVAL_FORM),
    (Status.INVESTIGATION, DocumentKind.REFERRAL_LETTER),
    (Status.INTAKE, DocumentKind.MISSING_DOCUMENTS_NOTICE),  # nothing recorded as missing
])
def test_a_document_the_case_does_not_support_is_refused(make_application, status, kind):
    application = make_application(status)
    with pytest.raises(Conflict):
        services.request_document(application, kind)
    with pytest.raises(Conflict):
        services.generate(application.pk, kind)
    assert not Document.objects.exists()


def test_a_rejection_notice_needs_reasons(make_application):
    application = make_application(Status.REJECTED, decision_reason="  ")
    with pytest.raises(Conflict):
        services.generate(application.pk, DocumentKind.REJECTION_NOTICE)


def test_vouchers_need_a_paid_instalment_of_the_same_case(paid_instalment, make_application):
    application = paid_instalment.application
    with pytest.raises(InvalidInput):
        services.request_document(application, DocumentKind.DISBURSEMENT_VOUCHER)
    other = make_application(Status.PAID)
    with pytest.raises(InvalidInput):
        services.request_document(other, DocumentKind.DISBURSEMENT_VOUCHER, instalment=paid_instalment)
    planned = Instalment.objects.create(application=application, number=2, amount=Decimal("10.00"))
    with pytest.raises(Conflict):
        services.request_document(application, DocumentKind.DISBURSEMENT_VOUCHER, instalment=planned)
    with pytest.raises(InvalidInput):
        services.request_document(application, DocumentKind.DECISION_NOTICE, instalment=paid_instalment)
    with pytest.raises(InvalidInput):
        services.request_document(application, "poster")


def test_requested_documents_are_made_after_commit(rejected, hana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        services.request_document(rejected, DocumentKind.REJECTION_NOTICE, actor=hana)
        assert not Document.objects.exists()
    assert len(callbacks) == 1
    assert not Document.objects.exists()  # nothing rendered inside the caller's transaction
    callbacks[0]()  # the commit: an eager Celery task in the test settings
    document = Document.objects.get(application=rejected, kind=DocumentKind.REJECTION_NOTICE)
    assert document.created_by == hana


def test_a_rolled_back_decision_queues_nothing(rejected, django_capture_on_commit_callbacks):
    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Abort), transaction.atomic():
            services.request_document(rejected, DocumentKind.REJECTION_NOTICE)
            raise Abort
    assert callbacks == []
    assert not Document.objects.exists()


def test_the_task_takes_ids_and_retries_on_io_errors(approved):
    assert tasks.generate_document.name == "documents.generate"
    assert OSError in tasks.generate_document.autoretry_for
    document_id = tasks.generate_document.delay(approved.pk, "decision_notice").get()
    assert Document.objects.get(pk=document_id).kind == DocumentKind.DECISION_NOTICE


def test_scoped_to_the_region_of_the_application(rejected, alice, bob, sam, otto):
    document = services.generate(rejected.pk, DocumentKind.REJECTION_NOTICE)
    assert list(Document.objects.visible_to(alice)) == [document]
    assert list(Document.objects.visible_to(sam)) == [document]
    assert not Document.objects.visible_to(bob).exists()
    assert not Document.objects.visible_to(otto).exists()

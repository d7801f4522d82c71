"""Making and handing out the written documents of a case.

``request_document`` is what the assistance services call inside their own
transaction when a state change needs a document (a rejection needs its notice);
the PDF is rendered by a Celery task after that transaction commits, so the
document always shows committed facts and a rolled-back decision produces none.
``generate`` is what the task runs: idempotent, one document per (application,
kind[, instalment]) whatever the retries or races.
"""

from __future__ import annotations

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from assistance.models import Application, Instalment, InstalmentStatus
from audit.services import record
from core import programs
from core.errors import Conflict, InvalidInput
from core.tasks import queue_after_commit

from . import rendering
from .models import Document, DocumentKind

logger = logging.getLogger(__name__)

def _check_applicable(application: Application, kind: str, instalment: Instalment | None) -> None:
    """Raise unless this document can truthfully be issued for the case as it stands."""
    if kind not in DocumentKind.values:
        raise InvalidInput({"kind": [f"unknown document kind: {kind}"]})
    if kind == DocumentKind.DISBURSEMENT_VOUCHER:
        if instalment is None:
            raise InvalidInput({"instalment": ["a disbursement voucher needs its instalment"]})
        if instalment.application_id != application.pk:
            raise InvalidInput({"instalment": ["the instalment belongs to another application"]})
        if instalment.status != InstalmentStatus.PAID:
            raise Conflict("a voucher is issued only for an instalment that has been paid")
    elif instalment is not None:
        raise InvalidInput({"instalment": ["only a disbursement voucher belongs to an instalment"]})

    # The program says which of its documents may be issued in which of its statuses.
    spec = programs.program(application.program)
    if spec is None or kind not in spec.documents:
        raise Conflict(f"a {kind} is not a document of the {application.program} program")
    allowed = spec.documents[kind]
    if allowed is not None and application.status not in allowed:
        raise Conflict(f"a {kind} cannot be issued while the application is {application.status}")
    if kind == DocumentKind.MISSING_DOCUMENTS_NOTICE and not application.missing_documents:
        raise Conflict("nothing is recorded as missing")
    if kind in (DocumentKind.DECISION_NOTICE, DocumentKind.APPROVAL_FORM) and application.status in spec.decided_statuses \
            and application.amount_approved is None:
        raise Conflict("an approval without an approved amount")
    if kind == DocumentKind.REJECTION_NOTICE and not application.decision_reason.strip():
        # The notice must give the reasons: an empty one would not be a lawful notice.
        raise Conflict("a rejection notice needs the reasons for the decision")


def request_document(application: Application, kind: str, *, actor=None, instalment: Instalment | None = None) -> None:
    """Queue a document for rendering once the caller's transaction commits.

    Checked now, so that the caller learns in its own transaction that the document
    cannot be issued; rendered later, so that a slow PDF never holds a row lock."""
    _check_applicable(application, kind, instalment)
    queue_after_commit("documents.generate", application.pk, str(kind),
                       instalment_id=instalment.pk if instalment else None, actor_id=actor.pk if actor else None)


def _existing(application_id: int, kind: str, instalment_id: int | None) -> Document | None:
    return Document.objects.filter(application_id=application_id, kind=kind, instalment_id=instalment_id).first()


def generate(application_id: int, kind: str, instalment_id: int | None = None, actor_id: int | None = None) -> Document:
    """Render and store one document, or return the one already stored."""
    existing = _existing(application_id, kind, instalment_id)
    if existing is not None:
        return existing

    application = (Application.objects
                   .select_related("household__region", "applicant", "decided_by", "intake_by")
                   .prefetch_related("household__members")
                   .get(pk=application_id))
    instalment = (Instalment.objects.select_related("paid_by").get(pk=instalment_id, application=application)
                  if instalment_id is not None else None)
    _check_applicable(application, kind, instalment)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id is not None else None

    # Rendered outside any transaction: a PDF takes a fraction of a second we do not spend holding locks.
    created_at = timezone.now()
    context = rendering.build_context(kind, application, instalment=instalment, issued_at=created_at)
    content = rendering.render_pdf(kind, context)
    digest = hashlib.sha256(content).hexdigest()

    try:
        with transaction.atomic():
            document = Document.objects.create(
                application=application, kind=kind, instalment=instalment, content=content, sha256=digest,
                size=len(content), created_at=created_at, created_by=actor)
            record("documents.document.generated", actor=actor, obj=document, region_code=application.region_code,
                   extra={"application": application.pk, "kind": str(kind), "instalment": instalment_id,
                          "sha256": digest, "size": len(content)})
    except IntegrityError:
        # Another worker stored it between our check and our insert: theirs is the document.
        document = _existing(application_id, kind, instalment_id)
        if document is None:
            raise
        logger.info("document %s for application %s already generated by another worker", kind, application_id)
    return document


def record_download(document: Document, actor, *, request=None) -> None:
    record("documents.document.downloaded", actor=actor, obj=document, region_code=document.application.region_code,
           extra={"application": document.application_id, "kind": document.kind, "sha256": document.sha256},
           request=request)

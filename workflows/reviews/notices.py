"""The written notices of an ongoing case's payment changes: a stop, a cut, an
adjustment, the start and the end of a gradual exit (《最低生活保障审核确认办法》: cuts and
stops need written reasons). Each is one row per schedule entry, written with the
decision; its PDF is rendered after commit by a task and stored once with its SHA-256.
Those that take something away name the appeal routes, as a rejection notice does.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.tasks import queue_after_commit
from documents.labels import PROGRAM_NAMES
from documents.rendering import (
    ADMINISTRATIVE_REVIEW_DAYS,
    LEGAL_BASIS,
    LITIGATION_MONTHS,
    Issuer,
    Places,
    civil_affairs_bureau,
    render_pdf,
    township_government,
)
from workflows.enrolment import benefits

from .models import BenefitNotice, NoticeKind, Review

TEMPLATE = "benefit_notice"
TITLES = {
    NoticeKind.ADJUST: "{program}金额调整通知书",
    NoticeKind.CUT: "{program}减发通知书",
    NoticeKind.GRADUAL_EXIT: "{program}渐退通知书",
    NoticeKind.GRADUAL_EXIT_END: "{program}停发通知书（渐退期满）",
    NoticeKind.STOP: "{program}停发通知书",
}


def issue(change, kind: str, *, actor=None, previous_amount=None) -> BenefitNotice:
    """The notice of ``change`` (inside the decision's transaction); rendered after commit."""
    notice = BenefitNotice.objects.create(benefit_change=change, application_id=change.application_id,
                                          region_code=change.region_code, kind=kind,
                                          previous_amount=previous_amount, created_by=actor)
    audit.record("reviews.notice.issued", actor=actor, obj=notice, region_code=notice.region_code,
                 extra={"application": change.application_id, "kind": kind, "benefit_change": change.pk})
    queue_after_commit("reviews.render_notice", notice.pk, robust=True)
    return notice


def _review_of(change) -> Review | None:
    if change.source.startswith("review:"):
        return Review.objects.filter(pk=int(change.source.split(":", 1)[1])).first()
    return None


def context(notice: BenefitNotice) -> dict:
    change = notice.benefit_change
    case = notice.application
    places = Places.of(case)
    program = PROGRAM_NAMES.get(case.program, "社会救助")
    review = _review_of(change)
    return {
        "title": TITLES[notice.kind].format(program=program),
        "kind": notice.kind,
        "application": case,
        "program_name": program,
        "issuer": Issuer(township_government(places.township), "township"),
        "issued_at": notice.created_at,
        "addressee": case.applicant.name,
        "change": change,
        "previous_amount": notice.previous_amount,
        "review": review,
        "means": review.means if review is not None else None,
        "takes_away": notice.takes_away,
        "legal_basis": LEGAL_BASIS.get(case.program, ""),
        "review_bodies": [f"{places.county.name}人民政府", civil_affairs_bureau(places.county)],
        "review_days": ADMINISTRATIVE_REVIEW_DAYS,
        "litigation_months": LITIGATION_MONTHS,
        "decided_on": timezone.localtime(change.created_at).date(),
        "last_paid": benefits.add_months(change.month, -1),
    }


def render(notice_id: int) -> BenefitNotice:
    """Render and store the notice's PDF once; a second call returns the stored one."""
    notice = (BenefitNotice.objects.select_related("benefit_change", "application__applicant",
                                                   "application__household__region").get(pk=notice_id))
    if notice.sha256:
        return notice
    content = render_pdf(TEMPLATE, context(notice))
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        if BenefitNotice.objects.filter(pk=notice.pk).store_pdf(content, digest):
            audit.record("reviews.notice.rendered", actor=None, obj=notice, region_code=notice.region_code,
                         extra={"sha256": digest, "size": len(content)})
    return BenefitNotice.objects.get(pk=notice.pk)

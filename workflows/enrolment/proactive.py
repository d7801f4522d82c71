"""救助主动告知: telling a household in writing that it may apply.

A household whose means test says it qualifies for a program (or, for 低保, that a
severely disabled or seriously ill member of a near-dibao household qualifies on their
own) but which has no open or approved case of it is told so, with the test's figures
and how and where to apply (《社会救助暂行办法》第四十五条 asks the township to find and
help such households). It is told once: a household already told is not told again until
a case of the program has been decided since (it applied, and was refused).

``eligible_without_case`` finds them across a region with the batch means test (five
queries per 2,000 households); ``issue_proactive_notice`` writes one letter, rendered
before its row is stored, so the row, its PDF and its hash commit together and never change.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assistance.models import Application
from audit import services as audit
from core.errors import Conflict, InvalidInput, NotPermitted
from core.scoping import code_visible_to
from documents.labels import PROGRAM_NAMES, title_for
from documents.rendering import LEGAL_BASIS, Issuer, Places, render_pdf, township_government
from means.calculation import MeansResult
from means.services import check_program, means_test, means_test_many
from registry.models import Household

from .models import ONGOING_STATUSES, OPEN_STATUSES, DeliveryMethod, ProactiveDelivery, ProactiveNotice
from .services import means_snapshot

KIND = "proactive_notice"
_PREFIX = re.compile(r"^\d{2,12}$")


def qualifies(result: MeansResult) -> bool:
    """The test says the household qualifies, or that a member is covered on their own."""
    return result.complete and (result.eligible or (result.near_dibao and bool(result.individual_coverage)))


def _cases(program: str):
    """Cases that make a letter pointless: one under way, or one that enrolled the household."""
    return Application.objects.filter(program=program, status__in=[*OPEN_STATUSES, *ONGOING_STATUSES])


def _told(program: str):
    """Letters still standing: not followed by a decided case of the program (an applied-for
    and refused household may be told again when its means change)."""
    return ProactiveNotice.objects.filter(program=program).exclude(
        Exists(Application.objects.filter(household=OuterRef("household"), program=program,
                                          decided_at__gt=OuterRef("created_at"))))


def standing_notices(program: str):
    """Letters of ``program`` not followed by a decided case: the household has been told."""
    return _told(program)


def candidates(region_prefix: str, program: str):
    """The households of the region that have no case under way or approved and were not told yet."""
    if not isinstance(region_prefix, str) or not _PREFIX.match(region_prefix):
        raise InvalidInput({"region": [_("Give a region code or its prefix (digits only).")]})
    return (Household.objects.filter(region__code__startswith=region_prefix)
            .exclude(Exists(_cases(program).filter(household=OuterRef("pk"))))
            .exclude(Exists(_told(program).filter(household=OuterRef("pk")))))


def eligible_without_case(region_prefix: str, program: str = "dibao",
                          on: datetime.date | None = None) -> Iterator[MeansResult]:
    """The means test of every household of the region that qualifies but has no open or
    approved case of ``program`` (and was not told already), as a stream in household order."""
    program = check_program(program)
    for result in means_test_many(candidates(region_prefix, program), program, on):
        if qualifies(result):
            yield result


def _context(household: Household, program: str, snapshot: dict, result: MeansResult, issued_at) -> dict:
    places = Places.of_household(household)
    township = Issuer(township_government(places.township), "township")
    head = household.head
    return {
        "title": title_for(KIND, program),
        "program_name": PROGRAM_NAMES[program],
        "issuer": township,
        "issued_at": issued_at,
        "household": household,
        "addressee": head.name if head else "",
        "village": places.village.name,
        "township": places.township.name,
        "county": places.county.name,
        "legal_basis": LEGAL_BASIS[program],
        "means": snapshot,
        "on": result.on,
        "eligible": result.eligible,
        "individuals": snapshot["individual_coverage"],
    }


def _snapshot(result: MeansResult) -> dict:
    # Kept in the language of the letter (Chinese by law), as it was printed.
    with translation.override(settings.LANGUAGE_CODE):
        snapshot = means_snapshot(result)
        snapshot["individual_coverage"] = [
            {"person": i.person_id, "name": i.name, "why": str(i.why), "own_income": str(i.own_income),
             "amount": str(i.amount)} for i in result.individual_coverage]
    return snapshot


def _check(household: Household, program: str) -> None:
    if _cases(program).filter(household=household).exists():
        raise Conflict(_("The household has a case of this program under way or approved: it has applied."))
    told = _told(program).filter(household=household).first()
    if told is not None:
        raise Conflict(_("The household was told on %(date)s that it may apply.")
                       % {"date": timezone.localtime(told.created_at).date()})


def issue_proactive_notice(actor, household: Household, program: str = "dibao", *,
                           on: datetime.date | None = None, result: MeansResult | None = None,
                           request=None) -> ProactiveNotice:
    """Write and store the letter telling ``household`` it may apply for ``program``.
    ``actor`` None: the engine (the proactive_notices command). ``result``: the household's
    means test already made by a batch (the same figures ``means_test`` gives)."""
    program = check_program(program)
    if actor is not None:
        if not actor.has_perm("enrolment.add_proactivenotice"):
            raise NotPermitted(_("Only township staff write proactive notices."))
        if not code_visible_to(actor, household.region_id):
            raise NotPermitted(_("No such household in your region."))
    if result is None or result.household_id != household.pk or result.program != program:
        result = means_test(household, program, on)
    if not qualifies(result):
        raise Conflict(_("The means test does not say the household qualifies: there is nothing to tell it."))
    _check(household, program)

    # Rendered outside the transaction, as every document: no lock is held while a PDF is drawn.
    issued_at = timezone.now()
    snapshot = _snapshot(result)
    content = render_pdf(KIND, _context(household, program, snapshot, result, issued_at))
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        # Lock the household: two runs at once must not both write to it.
        household = Household.objects.select_for_update().get(pk=household.pk)
        _check(household, program)
        notice = ProactiveNotice.objects.create(household=household, program=program,
                                                region_code=household.region_id, means=snapshot, content=content,
                                                sha256=digest, created_at=issued_at, created_by=actor)
        audit.record("enrolment.proactive_notice.issued", actor=actor, obj=notice, region_code=household.region_id,
                     extra={"household": household.pk, "program": program, "on": result.on.isoformat(),
                            "eligible": result.eligible, "monthly_amount": str(result.monthly_amount),
                            "sha256": digest, "size": len(content)}, request=request)
    return notice


def record_delivery(actor, notice: ProactiveNotice, *, method: str, delivered_on: datetime.date,
                    note: str = "", request=None) -> ProactiveDelivery:
    """Record that (and how) a letter reached its household."""
    if not actor.has_perm("enrolment.add_proactivenotice"):
        raise NotPermitted(_("Only township staff record how a proactive notice was delivered."))
    if not code_visible_to(actor, notice.region_code):
        raise NotPermitted(_("No such notice in your region."))
    errors = {}
    if method not in DeliveryMethod.values:
        errors["method"] = [_("Choose how the letter was delivered.")]
    if delivered_on is None or delivered_on > timezone.localdate():
        errors["delivered_on"] = [_("Give the day it was delivered (not a future day).")]
    elif delivered_on < timezone.localtime(notice.created_at).date():
        errors["delivered_on"] = [_("A letter cannot be delivered before it was written.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        delivery = ProactiveDelivery.objects.create(notice=notice, method=method, delivered_on=delivered_on,
                                                    note=(note or "").strip()[:200], recorded_by=actor)
        audit.record("enrolment.proactive_notice.delivered", actor=actor, obj=notice, region_code=notice.region_code,
                     extra={"method": method, "delivered_on": delivered_on.isoformat(), "delivery": delivery.pk},
                     request=request)
    return delivery


def _delivered():
    return Exists(ProactiveDelivery.objects.filter(notice=OuterRef("pk")))


def _applied():
    return Exists(Application.objects.filter(household=OuterRef("household"), program=OuterRef("program"),
                                             created_at__gt=OuterRef("created_at")))


def with_outcome(notices):
    """Notices annotated with whether they were delivered and whether the household then applied
    (a case of the program received after the letter)."""
    return notices.annotate(delivered=_delivered(), applied=_applied())


def conversion(notices) -> dict:
    """Letters written, delivered, and followed by an application, with the rate (percent, one decimal)."""
    from django.db.models import Count

    counts = notices.aggregate(issued=Count("id"), delivered=Count("id", filter=_delivered()),
                               applied=Count("id", filter=_applied()))
    issued = counts["issued"] or 0
    rate = (Decimal(100 * counts["applied"]) / issued).quantize(Decimal("0.1")) if issued else None
    return {**counts, "rate": rate}

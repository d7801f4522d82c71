"""Public notices (公示) and published lists (公布) of enrolment decisions.

A posted list holds name, household size and monthly amount only: never an ID number,
an address or bank data (《最低生活保障审核确认办法》第二十二条). Names are masked as the
county's rule says. The PDF is rendered after the posting commits (a Celery task, like
every document) and kept with its SHA-256; it never changes. A first-review notice runs
for the county's number of calendar days; the first day is not counted, and it ends at
the end of its last day.
"""

from __future__ import annotations

import datetime
import hashlib

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core import programs
from core.money import figures
from core.tasks import queue_after_commit
from deadlines.calendar import end_of_day
from documents.labels import PROGRAM_NAMES, notice_title
from documents.rendering import LEGAL_BASIS, Issuer, Places, civil_affairs_bureau, render_pdf, township_government

from .models import Masking, NoticeKind, PublicNotice
from .rules import enrolment_rule


def mask_name(name: str, masking: str) -> str:
    """张三 → 张*, 张小三 → 张*三 (middle); 张** (surname); or the name as it is (none)."""
    name = (name or "").strip()
    if masking == Masking.NONE or len(name) <= 1:
        return name
    if masking == Masking.SURNAME:
        return name[0] + "*" * (len(name) - 1)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def post(case, kind: str, *, actor, amount, household_size: int, name: str) -> PublicNotice:
    """Post ``case``'s list of ``kind`` now (inside the step's transaction)."""
    rule = enrolment_rule(case.program, case.region_code)
    now = timezone.now()
    ends_at = None
    if kind == NoticeKind.FIRST_REVIEW:
        ends_at = end_of_day(timezone.localdate(now) + datetime.timedelta(days=rule.notice_days))
    last = PublicNotice.objects.filter(application=case, kind=kind).order_by("-round").first()
    notice = PublicNotice.objects.create(
        application=case, program=case.program, kind=kind, region_code=case.region_code,
        round=(last.round + 1) if last else 1, starts_at=now, ends_at=ends_at, created_by=actor,
        entries=[{"name": mask_name(name, rule.name_masking), "household_size": household_size,
                  "amount": str(amount)}])
    audit.record("enrolment.notice.posted", actor=actor, obj=notice, region_code=case.region_code,
                 extra={"application": case.pk, "kind": kind, "round": notice.round,
                        "ends_at": ends_at.isoformat() if ends_at else None})
    queue_after_commit("enrolment.render_notice", notice.pk)
    return notice


def context(notice: PublicNotice) -> dict:
    """What a posted list prints: where and how long it is posted, to whom objections go,
    and its entries (masked name, people covered, monthly amount). Nothing else of the
    case is handed to the template, so nothing else can be printed."""
    case = notice.application
    places = Places.of(case)
    first_review = notice.kind == NoticeKind.FIRST_REVIEW
    township = Issuer(township_government(places.township), "township")
    # The approved list is published by whoever confirmed: the county's bureau, or the
    # township where confirmation is delegated to it.
    issuer = township if first_review or case.decision_level != "county" else Issuer(
        civil_affairs_bureau(places.county), "county")
    starts_on = timezone.localtime(notice.starts_at).date()
    # A notice ends at the midnight after its last day: that day is the one printed.
    ends_on = (timezone.localtime(notice.ends_at) - datetime.timedelta(microseconds=1)).date() \
        if notice.ends_at else None
    return {
        "notice": notice,
        "title": notice_title(notice.kind, notice.program),
        "program_name": PROGRAM_NAMES.get(notice.program, "社会救助"),
        "issuer": issuer,
        "issued_at": notice.starts_at,
        "township": places.township.name,
        "township_government": township.name,
        "county_bureau": civil_affairs_bureau(places.county),
        "village": places.village.name,
        "first_review": first_review,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "days": (ends_on - starts_on).days if ends_on else None,
        "paid_from": getattr(programs.details_of(case), "paid_from", None) if not first_review else None,
        "legal_basis": LEGAL_BASIS.get(notice.program, ""),
        "entries": [{"name": e["name"], "household_size": e["household_size"], "amount": figures(e["amount"])}
                    for e in notice.entries],
    }


def render(notice_id: int) -> PublicNotice:
    """Render and store the notice's PDF once; a second call returns the stored one."""
    notice = PublicNotice.objects.select_related("application__household__region").get(pk=notice_id)
    if notice.sha256:
        return notice
    content = render_pdf("public_notice", context(notice))
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        stored = PublicNotice.objects.filter(pk=notice.pk, sha256="").update(content=content, sha256=digest)
        if stored:
            audit.record("enrolment.notice.rendered", actor=None, obj=notice, region_code=notice.region_code,
                         extra={"sha256": digest, "size": len(content)})
    notice.refresh_from_db()
    return notice

"""State changes of home visits: plans, pairing, rolling generation, major events,
records and follow-ups. Views, the API, commands and Celery tasks all call these.

Plans and visits are made in bulk (a city has ~50,000 plans): each batch of plans is
locked, compared with what exists, and written with a few bulk statements. The
unique (plan, window) constraint is the last guard, so generation run twice, or by two
workers, never makes a second visit for a window.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import math
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit import services as audit
from audit.models import AuditEvent
from core.errors import Conflict, InvalidInput, NotPermitted
from core.scoping import code_visible_to
from deadlines import services as deadlines
from notifications import services as notifications
from regions.codes import township_of, within
from regions.models import Region
from registry.models import Person, PersonCondition
from staff.directory import RoleDirectory, role_holders
from staff.roles import Role

from . import rules
from .models import (
    OPEN_VISIT_STATUSES,
    EventKind,
    FindingArea,
    FindingLevel,
    FollowUp,
    FollowUpStatus,
    MajorEvent,
    Method,
    Outcome,
    Pairing,
    Tier,
    Visit,
    VisitKind,
    VisitPlan,
    VisitRecord,
    VisitStatus,
)

log = logging.getLogger(__name__)

FLOW = "home_visit"
STEP_VISIT = "visit"
STEP_FOLLOW_UP = "follow_up"
BATCH = 1000  # plans per transaction: short locks, few statements
NOTE_MAX = 2000


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- Plans ---------------------------------------------------------------------------------------

@dataclass
class PlanReport:
    examined: int = 0
    created: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    ended: list[int] = field(default_factory=list)
    visits_created: int = 0


def _snapshot(plan: VisitPlan) -> dict:
    return {"tier": plan.tier, "period": plan.period, "rule": plan.rule_name}


def recompute_plans(persons=None, *, now: datetime.datetime | None = None, actor=None, generate: bool = True,
                    request=None) -> PlanReport:
    """Bring plans in line with the rules for ``persons`` (a Person queryset; default:
    everyone who could match a rule or has a plan). New and re-periodised plans get
    their visits at once when ``generate`` is true."""
    now = now or timezone.now()
    book = rules.RuleBook(timezone.localdate(now))
    if persons is None:
        wanted = book.candidates()
        persons = Person.objects.all() if wanted is None else Person.objects.filter(wanted)
    report = PlanReport()
    # The ids first: the batches below write plans, which the candidate filter reads.
    ids = list(persons.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids, BATCH):
        with transaction.atomic():
            _recompute_chunk(chunk, book, now, actor, report, request)
    if generate and (report.created or report.changed):
        report.visits_created = generate_visits(now=now, plan_ids=report.created + report.changed).created
    if report.created or report.changed or report.ended:
        log.info("visit plans: %d new, %d changed, %d ended of %d examined", len(report.created),
                 len(report.changed), len(report.ended), report.examined)
    return report


def _recompute_chunk(person_ids: list[int], book: rules.RuleBook, now, actor, report: PlanReport, request) -> None:
    today = book.on
    people = list(Person.objects.filter(pk__in=person_ids).select_related("household").only(
        "id", "name", "birth_date", "disability_grade", "household_id", "household__region_id"))
    conditions: dict[int, set[str]] = defaultdict(set)
    for person_id, condition in PersonCondition.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "condition"):
        conditions[person_id].add(condition)
    household_ids = {p.household_id for p in people}
    receiving: dict[str, set[int]] = {
        program: set(rules.receiving_households(program).filter(household_id__in=household_ids)
                     .values_list("household_id", flat=True))
        for program in book.programs
    }
    # Locked: a record being saved for the same person waits (it updates last_visited_at).
    plans = {p.person_id: p for p in VisitPlan.objects.select_for_update().filter(person_id__in=person_ids,
                                                                                   active=True)}
    new_plans, ended, changed, trail = [], [], [], []
    for person in people:
        report.examined += 1
        facts = rules.Facts(
            age=person.age_on(today), conditions=frozenset(conditions.get(person.pk, ())),
            disability_grade=person.disability_grade,
            programs=frozenset(p for p, households in receiving.items() if person.household_id in households))
        region_code = person.household.region_id
        rule = book.match(facts, region_code)
        plan = plans.get(person.pk)
        if rule is None:
            if plan is not None:
                ended.append((plan, True))
            continue
        if plan is not None and plan.period == rule.period and plan.household_id == person.household_id:
            if plan.tier != rule.tier or plan.rule_id != rule.pk or plan.rule_name != rule.name:
                before = _snapshot(plan)
                plan.tier, plan.rule, plan.rule_name, plan.updated_at = rule.tier, rule, rule.name, now
                changed.append(plan)
                trail.append(audit.build("visits.plan.changed", actor=actor, obj=plan, region_code=plan.region_code,
                                         before=before, after=_snapshot(plan), request=request))
            continue
        if plan is not None:
            ended.append((plan, False))
        new_plans.append(VisitPlan(
            person=person, household_id=person.household_id, region_code=region_code, tier=rule.tier,
            period=rule.period, rule=rule, rule_name=rule.name, started_at=now,
            last_visited_at=plan.last_visited_at if plan is not None else None))

    if ended:
        VisitPlan.objects.filter(pk__in=[p.pk for p, _gone in ended]).update(active=False, ended_at=now)
        _cancel_open_visits([p for p, gone in ended if gone], now, everything=True)
        _cancel_open_visits([p for p, gone in ended if not gone], now, everything=False)
        for plan, gone in ended:
            trail.append(audit.build("visits.plan.ended", actor=actor, obj=plan, region_code=plan.region_code,
                                     before=_snapshot(plan), after={"active": False},
                                     reason="no rule applies" if gone else "period changed", request=request))
        report.ended += [p.pk for p, _gone in ended]
    if changed:
        VisitPlan.objects.bulk_update(changed, ["tier", "rule", "rule_name", "updated_at"])
        # Open visits carry the tier for lists and event rounds.
        for plan in changed:
            Visit.objects.filter(plan=plan, status__in=OPEN_VISIT_STATUSES).update(tier=plan.tier)
        report.changed += [p.pk for p in changed]
    if new_plans:
        VisitPlan.objects.bulk_create(new_plans)
        for plan in new_plans:
            trail.append(audit.build("visits.plan.created", actor=actor, obj=plan, region_code=plan.region_code,
                                     after=_snapshot(plan), request=request))
        report.created += [p.pk for p in new_plans]
    AuditEvent.objects.bulk_create(trail)


def _cancel_open_visits(plans: list[VisitPlan], now, *, everything: bool) -> None:
    """A plan that ended takes its open visits with it. When a new period replaces it,
    only the visits still ahead go (the new plan makes its own); missed ones stay open
    until a later visit to the person is done."""
    if not plans:
        return
    visits = Visit.objects.filter(plan__in=plans, status__in=OPEN_VISIT_STATUSES)
    if not everything:
        visits = visits.filter(kind=VisitKind.ROUTINE, window_end__gt=now)
    ids = list(visits.values_list("pk", flat=True))
    if ids:
        Visit.objects.filter(pk__in=ids).update(status=VisitStatus.CANCELLED, closed_at=now, retry_at=None)
        deadlines.close_deadlines(Visit, ids, at=now)


def recompute_household(actor, household, *, request=None) -> PlanReport:
    """The "recompute now" button on a household's visit page."""
    if not actor.has_perm("visits.view_visitplan"):
        raise NotPermitted(_("Your role may not manage visit plans."))
    return recompute_plans(Person.objects.filter(household=household), actor=actor, request=request)


def recompute_changed(*, now=None, minutes: int | None = None) -> PlanReport:
    """People registered or edited in the last ``minutes`` (the beat job looks back
    further than it runs, so a late run misses no one; recomputing is idempotent)."""
    now = now or timezone.now()
    minutes = minutes if minutes is not None else settings.VISIT_RECOMPUTE_LOOKBACK_MINUTES
    return recompute_plans(Person.objects.filter(updated_at__gte=now - datetime.timedelta(minutes=minutes)), now=now)


# --- Rolling generation ---------------------------------------------------------------------------------

@dataclass
class GenerationReport:
    plans: int = 0
    created: int = 0


def _policies() -> deadlines.PolicyBook:
    return deadlines.PolicyBook(FLOW, STEP_VISIT)


def _create_visits(visits: list[Visit], now, policies: deadlines.PolicyBook) -> int:
    """Save new visits and open their deadlines: due at the window's end, the clock
    starting when the window opens (or now, for a window already open)."""
    if not visits:
        return 0
    Visit.objects.bulk_create(visits, batch_size=BATCH)
    deadlines.open_deadlines(
        Visit, [(v.pk, v.region_code, max(now, v.window_start)) for v in visits], flow=FLOW, step=STEP_VISIT,
        role=Role.CASEWORKER, due_at=F("window_end"), started_at=Greatest("window_start", Value(now)),
        assignee=F("assigned_to"), policies=policies)
    return len(visits)


def generate_visits(*, now=None, since=None, until=None, plan_ids=None) -> GenerationReport:
    """Make the visits of every active plan for each window overlapping [since, until]
    (default: from now to VISIT_GENERATE_AHEAD_DAYS ahead). Idempotent."""
    now = now or timezone.now()
    since = since or now
    until = until or now + datetime.timedelta(days=settings.VISIT_GENERATE_AHEAD_DAYS)
    plans = VisitPlan.objects.filter(active=True)
    if plan_ids is not None:
        plans = plans.filter(pk__in=list(plan_ids))
    report, policies = GenerationReport(), _policies()
    for chunk in _chunks(list(plans.order_by("pk").values_list("pk", flat=True)), BATCH):
        with transaction.atomic():
            report.created += _generate_chunk(chunk, since, until, now, policies)
        report.plans += len(chunk)
    if report.created:
        audit.record("visits.visits.generated", extra={"visits": report.created, "plans": report.plans,
                                                        "since": since, "until": until})
    return report


class _PlanRow(NamedTuple):
    pk: int
    person_id: int
    person_name: str
    household_id: int
    region_code: str
    tier: str
    period: str
    started_at: datetime.datetime


def _generate_chunk(plan_ids, since, until, now, policies) -> int:
    # Tuples, not model instances: on most runs nearly every window already exists.
    plans = [_PlanRow(*row) for row in VisitPlan.objects.select_for_update(of=("self",))
             .filter(pk__in=plan_ids, active=True).order_by("pk")
             .values_list("pk", "person_id", "person__name", "household_id", "region_code", "tier", "period",
                          "started_at")]
    if not plans:
        return 0
    until_day = timezone.localdate(until)
    wanted: list[tuple[_PlanRow, datetime.datetime, datetime.datetime]] = []
    windows: dict[tuple[str, datetime.date], list] = {}  # plans share their windows: compute each once
    for plan in plans:
        key = (plan.period, timezone.localdate(max(since, plan.started_at)))
        if key not in windows:
            windows[key] = [rules.bounds(first, last) for first, last in rules.windows_between(*key, until_day)]
        wanted += [(plan, start, end) for start, end in windows[key]]
    if not wanted:
        return 0
    earliest = min(start for _p, start, _e in wanted)
    existing = set(Visit.objects.filter(plan_id__in=[p.pk for p in plans], event__isnull=True,
                                        window_start__gte=earliest).values_list("plan_id", "window_start"))
    missing = [(plan, start, end) for plan, start, end in wanted if (plan.pk, start) not in existing]
    if not missing:
        return 0
    # A plan that replaced another mid-window: a visit already done in that window counts.
    fresh = {plan.person_id for plan, start, _end in missing if plan.started_at > start}
    done_at: dict[int, list] = defaultdict(list)
    if fresh:
        for person_id, at in Visit.objects.filter(person_id__in=list(fresh), status=VisitStatus.DONE,
                                                  done_at__gte=earliest).values_list("person_id", "done_at"):
            done_at[person_id].append(at)
    cadres = dict(Pairing.objects.filter(household_id__in={plan.household_id for plan, _s, _e in missing})
                  .values_list("household_id", "cadre_id"))
    visits = [Visit(plan_id=plan.pk, person_id=plan.person_id, household_id=plan.household_id,
                    region_code=plan.region_code, person_name=plan.person_name, tier=plan.tier, window_start=start,
                    window_end=end, assigned_to_id=cadres.get(plan.household_id))
              for plan, start, end in missing if not any(start <= at < end for at in done_at.get(plan.person_id, ()))]
    return _create_visits(visits, now, policies)


def mark_missed(now=None) -> int:
    """Windows that closed without a visit: the visits stay open (their deadlines escalate)."""
    now = now or timezone.now()
    count = Visit.objects.filter(status=VisitStatus.SCHEDULED, window_end__lte=now).update(status=VisitStatus.MISSED)
    if count:
        audit.record("visits.visits.missed", extra={"visits": count, "at": now})
    return count


def roll(now=None) -> GenerationReport:
    """The beat job: close windows that passed, then generate ahead."""
    now = now or timezone.now()
    mark_missed(now)
    return generate_visits(now=now)


# --- Pairing (包帮) --------------------------------------------------------------------------------

def may_be_paired(cadre, household) -> bool:
    return bool(cadre and cadre.is_active and cadre.has_perm("visits.record_visit")
                and code_visible_to(cadre, household.region_id))


def pair_household(actor, household, cadre, *, request=None) -> Pairing:
    """Make ``cadre`` responsible for visiting ``household``; its open visits move to them."""
    if not actor.has_perm("visits.change_pairing"):
        raise NotPermitted(_("Your role may not pair cadres with households."))
    if not code_visible_to(actor, household.region_id):
        raise NotPermitted(_("This household is outside your region."))
    if not may_be_paired(cadre, household):
        raise InvalidInput({"cadre": [_("Choose a staff member who makes home visits in this household's area.")]})
    with transaction.atomic():
        pairing = Pairing.objects.select_for_update().filter(household=household).first()
        before = {"cadre": pairing.cadre.username} if pairing else {"cadre": None}
        if pairing is None:
            pairing = Pairing.objects.create(household=household, cadre=cadre, region_code=household.region_id,
                                             assigned_by=actor)
        elif pairing.cadre_id != cadre.pk:
            pairing.cadre, pairing.since, pairing.assigned_by = cadre, timezone.now(), actor
            pairing.save(update_fields=["cadre", "since", "assigned_by"])
        open_visits = list(Visit.objects.filter(household=household, status__in=OPEN_VISIT_STATUSES))
        Visit.objects.filter(pk__in=[v.pk for v in open_visits]).update(assigned_to=cadre)
        for visit in open_visits:
            deadlines.set_assignee(visit, cadre)
        audit.record("visits.pairing.changed", actor=actor, obj=pairing, region_code=household.region_id,
                     before=before, after={"cadre": cadre.username}, extra={"visits_moved": len(open_visits)},
                     request=request)
    return pairing


# --- Major events ------------------------------------------------------------------------------------

def declare_major_event(actor, *, region_code: str, kind: str, title: str, round_hours: int | None = None,
                        notes: str = "", declared_at=None, request=None) -> MajorEvent:
    """Declare a flood, heat wave or lockdown for a region: every high-risk person there
    gets a visit due within ``round_hours`` (default VISIT_EVENT_ROUND_HOURS)."""
    if not actor.has_perm("visits.declare_event"):
        raise NotPermitted(_("Your role may not declare major events."))
    errors: dict[str, list[str]] = {}
    region = Region.objects.visible_to(actor).filter(code=region_code).first() if region_code else None
    if region is None:
        errors["region"] = [_("Choose a region within your own.")]
    if kind not in EventKind.values:
        errors["kind"] = [_("Choose the kind of event.")]
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Give the event a title.")]
    hours = settings.VISIT_EVENT_ROUND_HOURS if round_hours in (None, "") else round_hours
    try:
        hours = int(hours)
        if hours < 1:
            raise ValueError
    except (TypeError, ValueError):
        errors["round_hours"] = [_("Give a whole number of hours, at least 1.")]
    if errors:
        raise InvalidInput(errors)
    declared_at = declared_at or timezone.now()
    with transaction.atomic():
        event = MajorEvent.objects.create(kind=kind, title=title[:200], region=region, declared_at=declared_at,
                                          declared_by=actor, round_hours=hours, notes=notes or "")
        end = declared_at + datetime.timedelta(hours=hours)
        plans = (VisitPlan.objects.filter(within("region_code", region.code, region.level), active=True,
                                          tier=Tier.HIGH_RISK)
                 .select_related("person").only("id", "person_id", "person__name", "household_id", "region_code",
                                                "tier").order_by("pk"))
        policies, created = _policies(), []
        for chunk in _chunks(plans.iterator(chunk_size=BATCH), BATCH):
            cadres = dict(Pairing.objects.filter(household_id__in={p.household_id for p in chunk})
                          .values_list("household_id", "cadre_id"))
            visits = [Visit(plan_id=p.pk, person_id=p.person_id, household_id=p.household_id, region_code=p.region_code,
                            person_name=p.person.name, tier=p.tier, kind=VisitKind.EVENT, event=event,
                            window_start=declared_at, window_end=end, assigned_to_id=cadres.get(p.household_id))
                      for p in chunk]
            _create_visits(visits, declared_at, policies)
            created += visits
        event.visits_created = len(created)
        event.save(update_fields=["visits_created"])
        audit.record("visits.event.declared", actor=actor, obj=event, region_code=region.code,
                     after={"kind": kind, "title": event.title, "round_hours": hours, "visits": len(created)},
                     request=request)
        _announce_round(event, created)
    return event


def _announce_round(event: MajorEvent, visits: list[Visit]) -> None:
    """Each paired cadre hears how many people they must see; the township heads hear
    about everyone in their township (including those with no cadre yet)."""
    from staff.models import User

    if not visits:
        return
    with translation.override(settings.LANGUAGE_CODE):
        per_cadre: dict[int, int] = defaultdict(int)
        for visit in visits:
            if visit.assigned_to_id:
                per_cadre[visit.assigned_to_id] += 1
        link = event.get_absolute_url()
        rows = []
        for cadre in User.objects.filter(pk__in=list(per_cadre)):
            rows += notifications.build([cadre], event="visits.event.round", link=link, title=_(
                "%(event)s: visit %(count)d high-risk people within %(hours)d hours") % {
                "event": event.title, "count": per_cadre[cadre.pk], "hours": event.round_hours})
        townships: dict[str, int] = defaultdict(int)
        for visit in visits:
            townships[township_of(visit.region_code)] += 1
        directory = RoleDirectory(list(townships), [Role.TOWNSHIP_HEAD])
        for code, count in townships.items():
            rows += notifications.build(directory.holders(Role.TOWNSHIP_HEAD, code), event="visits.event.round",
                                        link=link, title=_("%(event)s: %(count)d high-risk people in your township "
                                                           "to visit within %(hours)d hours") % {
                                            "event": event.title, "count": count, "hours": event.round_hours})
        notifications.send(rows)


# --- Records --------------------------------------------------------------------------------------------

class AlreadyRecorded(Conflict):
    """The visit is done: the answer carries the record that did it."""

    def __init__(self, message: str, record: VisitRecord):
        super().__init__(message)
        self.record = record


@dataclass(frozen=True)
class Photo:
    content: object
    content_type: str
    extension: str
    size: int
    sha256: str


PHOTO_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}


def check_photo(upload) -> Photo:
    """A photo is what its bytes say (not its name or declared type): JPEG, PNG or WebP,
    at most VISIT_PHOTO_MAX_BYTES."""
    from PIL import Image, UnidentifiedImageError

    limit = settings.VISIT_PHOTO_MAX_BYTES
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise InvalidInput({"photo": [_("The photo is empty.")]})
    if size > limit:
        raise InvalidInput({"photo": [_("The photo is larger than %(mb)s MB.") % {
            "mb": f"{limit / 1024 / 1024:g}"}]})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidInput({"photo": [_("The file is not a photo this system accepts (JPEG, PNG or WebP).")]}) from None
    if kind not in PHOTO_FORMATS:
        raise InvalidInput({"photo": [_("The file is not a photo this system accepts (JPEG, PNG or WebP).")]})
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    content_type, extension = PHOTO_FORMATS[kind]
    return Photo(upload, content_type, extension, size, digest.hexdigest())


def clean_findings(raw) -> dict:
    """``{area: {"status": "ok"|"concern"|"urgent"|"", "note": "…"}}`` for the six areas;
    an area may also be sent as its note alone."""
    if raw in (None, "", {}):
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise InvalidInput({"findings": [_("Findings must be a JSON object keyed by area.")]}) from None
    if not isinstance(raw, dict):
        raise InvalidInput({"findings": [_("Findings must be a JSON object keyed by area.")]})
    unknown = sorted(str(k) for k in raw if k not in FindingArea.values)
    if unknown:
        raise InvalidInput({"findings": [_("Unknown area: %(areas)s. The areas are: %(known)s.") % {
            "areas": ", ".join(unknown), "known": ", ".join(FindingArea.values)}]})
    clean = {}
    for area, value in raw.items():
        if value in (None, ""):
            continue
        if isinstance(value, str):
            value = {"note": value}
        if not isinstance(value, dict):
            raise InvalidInput({"findings": [_("%(area)s: give a status and a note.") % {"area": area}]})
        status = value.get("status") or ""
        note = value.get("note") or ""
        if status not in ("", *FindingLevel.values):
            raise InvalidInput({"findings": [_("%(area)s: the status is ok, concern or urgent.") % {"area": area}]})
        if not isinstance(note, str) or len(note) > NOTE_MAX:
            raise InvalidInput({"findings": [_("%(area)s: the note is text of at most %(n)d characters.") % {
                "area": area, "n": NOTE_MAX}]})
        if status or note.strip():
            clean[area] = {"status": status, "note": note.strip()}
    return clean


# A location less precise than this says nothing about where the visit was.
MAX_ACCURACY_M = 100_000


def _location(latitude, longitude, accuracy) -> tuple:
    if latitude in (None, "") and longitude in (None, ""):
        return None, None, None
    try:
        lat, lon = Decimal(str(latitude)), Decimal(str(longitude))
        # NaN and infinities are not degrees (and NaN cannot even be compared), nor is 1e30.
        if not (lat.is_finite() and lon.is_finite() and -90 <= lat <= 90 and -180 <= lon <= 180):
            raise InvalidInput({"location": [_("The location is not on Earth.")]})
        lat, lon = lat.quantize(Decimal("0.000001")), lon.quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidInput({"location": [_("Give both latitude and longitude, in degrees.")]}) from None
    acc = None
    if accuracy not in (None, ""):
        try:
            acc = float(accuracy)
        except (TypeError, ValueError):
            acc = math.nan
        if not math.isfinite(acc) or not 0 <= acc <= MAX_ACCURACY_M:
            raise InvalidInput({"location": [_("The accuracy is a number of metres.")]})
        acc = round(acc)
    return lat, lon, acc


def retry_time(visit: Visit, visited_at, now) -> datetime.datetime:
    """When to try again after "not home": VISIT_RETRY_HOURS later if that is still inside
    the window, else halfway to the window's end; once the window has passed, after the
    usual gap."""
    gap = datetime.timedelta(hours=settings.VISIT_RETRY_HOURS)
    start = max(visited_at, now)
    if start + gap < visit.window_end:
        return start + gap
    if start < visit.window_end:
        return start + (visit.window_end - start) / 2
    return start + gap


def _parse_uuid(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise InvalidInput({"client_uuid": [_("Give the record's UUID, made on the device.")]}) from None


def _replay(client_uuid, visit_id) -> VisitRecord | None:
    """The record already made with this UUID (a resend), or a 409 if it belongs to another visit."""
    earlier = VisitRecord.objects.filter(client_uuid=client_uuid).select_related("recorded_by").first()
    if earlier is None:
        return None
    if earlier.visit_id != visit_id:
        raise Conflict(_("This client_uuid was already used for another visit."))
    return earlier


def _final_record(visit: Visit) -> VisitRecord | None:
    return visit.records.exclude(outcome=Outcome.NOT_HOME).select_related("recorded_by").order_by("pk").first()


def record_visit(actor, visit: Visit, *, client_uuid, visited_at, method: str, outcome: str, notes: str = "",
                 findings=None, photo=None, latitude=None, longitude=None, accuracy=None,
                 request=None) -> tuple[VisitRecord, bool]:
    """Save what a visit found; (record, created). Safe to resend: the same client UUID
    gives back the first record and changes nothing."""
    if not actor.has_perm("visits.record_visit"):
        raise NotPermitted(_("Your role may not record home visits."))
    if not code_visible_to(actor, visit.region_code):
        raise NotPermitted(_("This visit is outside your region."))  # callers load through the scope: a 404 first
    client_uuid = _parse_uuid(client_uuid)
    earlier = _replay(client_uuid, visit.pk)
    if earlier is not None:
        return earlier, False

    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if method not in Method.values:
        errors["method"] = [_("Choose in person, phone or video.")]
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose the outcome of the visit.")]
    if not isinstance(visited_at, datetime.datetime):
        errors["visited_at"] = [_("Give the date and time of the visit.")]
    elif timezone.is_naive(visited_at):
        visited_at = timezone.make_aware(visited_at)
    if isinstance(visited_at, datetime.datetime) and "visited_at" not in errors:
        if visited_at > now + datetime.timedelta(seconds=settings.VISIT_CLOCK_SKEW_SECONDS):
            errors["visited_at"] = [_("The visit time is in the future: check the device's clock.")]
        elif visited_at < visit.window_start:
            errors["visited_at"] = [_("This visit's window opens on %(date)s: an earlier visit cannot count for it.")
                                    % {"date": timezone.localtime(visit.window_start).strftime("%Y-%m-%d %H:%M")}]
    notes = (notes or "").strip()
    if len(notes) > NOTE_MAX * 2:
        errors["notes"] = [_("Notes have at most %(n)d characters.") % {"n": NOTE_MAX * 2}]
    for check in (lambda: clean_findings(findings), lambda: _location(latitude, longitude, accuracy),
                  lambda: check_photo(photo) if photo else None):
        try:
            check()
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    findings = clean_findings(findings)
    lat, lon, acc = _location(latitude, longitude, accuracy)
    checked_photo = check_photo(photo) if photo else None

    try:
        with transaction.atomic():
            # Lock the visit: two records for one visit are saved one after the other,
            # so the second sees the first.
            visit = Visit.objects.select_for_update(of=("self",)).select_related("plan").get(pk=visit.pk)
            earlier = _replay(client_uuid, visit.pk)
            if earlier is not None:
                return earlier, False
            if visit.status == VisitStatus.DONE:
                record = _final_record(visit)
                if record.recorded_by_id != actor.pk:
                    raise AlreadyRecorded(_("%(who)s already recorded this visit.") % {
                        "who": record.recorded_by.display_name}, record)
                raise AlreadyRecorded(_("You already recorded this visit."), record)
            if visit.status == VisitStatus.CANCELLED:
                raise Conflict(_("This visit was cancelled: the person's plan changed."))
            record = VisitRecord(visit=visit, client_uuid=client_uuid, recorded_by=actor, visited_at=visited_at,
                                 received_at=now, method=method, outcome=outcome, notes=notes, findings=findings,
                                 latitude=lat, longitude=lon, accuracy_m=acc)
            with transaction.atomic():
                record.save()
            if checked_photo is not None:
                record.photo_type, record.photo_size = checked_photo.content_type, checked_photo.size
                record.photo_sha256 = checked_photo.sha256
                record.photo.save(f"photo{checked_photo.extension}", checked_photo.content, save=False)
                record.save(update_fields=["photo", "photo_type", "photo_size", "photo_sha256"])
            _apply(actor, visit, record, now, request)
    except IntegrityError:
        # Another request saved this UUID between our check and our insert.
        earlier = _replay(client_uuid, visit.pk)
        if earlier is None:
            raise
        return earlier, False
    return record, True


def _apply(actor, visit: Visit, record: VisitRecord, now, request) -> None:
    before = {"status": visit.status, "attempts": visit.attempts}
    if record.outcome == Outcome.NOT_HOME:
        visit.attempts += 1
        visit.retry_at, visit.retry_reminded_at = retry_time(visit, record.visited_at, now), None
        visit.save(update_fields=["attempts", "retry_at", "retry_reminded_at"])
        audit.record("visits.visit.not_home", actor=actor, obj=visit, region_code=visit.region_code, before=before,
                     after={"status": visit.status, "attempts": visit.attempts, "retry_at": visit.retry_at},
                     extra={"record": record.pk, "client_uuid": record.client_uuid}, request=request)
        return
    visit.status, visit.done_at, visit.closed_at, visit.retry_at = VisitStatus.DONE, record.visited_at, now, None
    visit.attempts += 1
    visit.in_window = visit.window_start <= record.visited_at <= visit.window_end
    visit.save(update_fields=["status", "done_at", "closed_at", "retry_at", "attempts", "in_window"])
    deadlines.close_deadline(visit, at=now)
    VisitPlan.objects.filter(Q(pk=visit.plan_id) | Q(person_id=visit.person_id, active=True)).filter(
        Q(last_visited_at__isnull=True) | Q(last_visited_at__lt=record.visited_at)).update(
        last_visited_at=record.visited_at)
    # The person has now been seen: earlier visits whose windows passed stop escalating
    # (they still count as missed).
    superseded = list(Visit.objects.filter(person_id=visit.person_id, status__in=OPEN_VISIT_STATUSES,
                                           window_end__lte=record.visited_at).exclude(pk=visit.pk)
                      .values_list("pk", flat=True))
    if superseded:
        Visit.objects.filter(pk__in=superseded).update(status=VisitStatus.MISSED, closed_at=now, retry_at=None)
        deadlines.close_deadlines(Visit, superseded, at=now)
    audit.record("visits.visit.recorded", actor=actor, obj=visit, region_code=visit.region_code, before=before,
                 after={"status": visit.status, "outcome": record.outcome, "in_window": visit.in_window},
                 extra={"record": record.pk, "client_uuid": record.client_uuid, "method": record.method,
                        "superseded": superseded}, request=request)
    if record.outcome == Outcome.NEEDS_HELP:
        _open_follow_up(actor, visit, record, request)
    elif record.outcome == Outcome.DANGER:
        _raise_alarm(actor, visit, record, request)


def _concerns(record: VisitRecord) -> str:
    lines = [f"{row['label']}: {row['note'] or row['status_label']}" for row in record.finding_rows()
             if row["status"] in (FindingLevel.CONCERN, FindingLevel.URGENT) or row["note"]]
    return "\n".join(str(line) for line in lines)


def _open_follow_up(actor, visit: Visit, record: VisitRecord, request) -> FollowUp:
    with translation.override(settings.LANGUAGE_CODE):
        description = "\n".join(x for x in (record.notes, _concerns(record)) if x) or _("Help needed (see the visit).")
    follow_up = FollowUp.objects.create(
        visit=visit, record=record, person_id=visit.person_id, household_id=visit.household_id,
        region_code=visit.region_code, person_name=visit.person_name, description=description,
        assigned_to=visit.assigned_to or actor)
    deadlines.open_deadline(follow_up, flow=FLOW, step=STEP_FOLLOW_UP, region_code=visit.region_code,
                            role=Role.CASEWORKER, assignee=follow_up.assigned_to)
    audit.record("visits.follow_up.opened", actor=actor, obj=follow_up, region_code=visit.region_code,
                 after={"status": follow_up.status, "assigned_to": follow_up.assigned_to.username},
                 extra={"visit": visit.pk, "record": record.pk}, request=request)
    if follow_up.assigned_to_id != actor.pk:
        with translation.override(settings.LANGUAGE_CODE):
            notifications.notify([follow_up.assigned_to], event="visits.follow_up.opened",
                                 title=follow_up.deadline_title(), body=description,
                                 link=follow_up.get_absolute_url())
    return follow_up


def assistance_case_link(visit: Visit, record: VisitRecord | None = None) -> str:
    """The temporary-assistance application page, pre-filled for this household as an
    urgent case (proactive discovery). Empty while that page is not installed."""
    try:
        base = reverse("application_create")
    except NoReverseMatch:
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        when = timezone.localtime(record.visited_at if record else visit.window_start).strftime("%Y-%m-%d")
        cause = _("Danger found on a home visit to %(name)s on %(date)s.") % {"name": visit.person_name, "date": when}
        details = "\n".join(x for x in ((record.notes if record else ""), _concerns(record) if record else "") if x)
    if details:
        cause = f"{cause}\n{details}"
    return f"{base}?{urlencode({'household': visit.household_id, 'cause': cause[:1000], 'kind': 'urgent'})}"


def _raise_alarm(actor, visit: Visit, record: VisitRecord, request) -> None:
    """Danger: the township head hears at once (in-app now, e-mail/SMS right after commit)."""
    heads = role_holders(Role.TOWNSHIP_HEAD, visit.region_code)
    case_link = assistance_case_link(visit, record)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("DANGER found on a home visit: %(name)s") % {"name": visit.person_name}
        body = "\n".join(x for x in (
            _("Recorded by %(who)s at %(at)s.") % {"who": actor.display_name,
                                                  "at": timezone.localtime(record.visited_at).strftime(
                                                      "%Y-%m-%d %H:%M")},
            record.notes, _concerns(record),
            (_("Open an urgent temporary-assistance case: %(link)s") % {"link": case_link}) if case_link else "",
        ) if x)
    notifications.notify(heads, event="visits.visit.danger", title=title, body=body, link=visit.get_absolute_url())
    audit.record("visits.visit.danger_reported", actor=actor, obj=visit, region_code=visit.region_code,
                 extra={"record": record.pk, "notified": sorted(u.username for u in heads),
                        "assistance_link": case_link}, request=request)


def remind_retries(now=None) -> int:
    """Tell the cadre when a "not home" visit is due to be tried again."""
    now = now or timezone.now()
    due = list(Visit.objects.filter(retry_at__lte=now, retry_reminded_at__isnull=True,
                                    status__in=OPEN_VISIT_STATUSES).select_related("assigned_to")[:BATCH])
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for visit in due:
            # Claim the reminder: two workers never send it twice.
            claimed = Visit.objects.filter(pk=visit.pk, retry_reminded_at__isnull=True).update(retry_reminded_at=now)
            if claimed and visit.assigned_to is not None:
                rows += notifications.build([visit.assigned_to], event="visits.visit.retry",
                                            title=_("Try again: %(work)s") % {"work": visit.deadline_title()},
                                            link=visit.get_absolute_url())
    notifications.send(rows)
    return len(due)


# --- Follow-ups ----------------------------------------------------------------------------------------

def complete_follow_up(actor, follow_up: FollowUp, *, resolution: str, request=None) -> FollowUp:
    if not actor.has_perm("visits.complete_followup"):
        raise NotPermitted(_("Your role may not complete follow-ups."))
    resolution = (resolution or "").strip()
    if not resolution:
        raise InvalidInput({"resolution": [_("Say what was done.")]})
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if not code_visible_to(actor, follow_up.region_code):
            raise NotPermitted(_("This follow-up is outside your region."))
        if follow_up.status != FollowUpStatus.OPEN:
            raise Conflict(_("This follow-up is already done."))
        now = timezone.now()
        follow_up.status, follow_up.done_at, follow_up.done_by = FollowUpStatus.DONE, now, actor
        follow_up.resolution = resolution
        follow_up.save(update_fields=["status", "done_at", "done_by", "resolution"])
        deadlines.close_deadline(follow_up, at=now)
        audit.record("visits.follow_up.done", actor=actor, obj=follow_up, region_code=follow_up.region_code,
                     before={"status": FollowUpStatus.OPEN}, after={"status": follow_up.status},
                     reason=resolution, request=request)
    return follow_up

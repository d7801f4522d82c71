"""Changes to the registry. Web forms, the API, the admin and commands all call
these; each runs in one transaction with its audit row, so nothing is half-saved."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from core import programs
from core.errors import Conflict, InvalidInput, NotPermitted
from core.scoping import code_visible_to
from notifications.services import notify
from regions.codes import Level
from regions.models import Region
from staff.directory import role_holders

from . import idnumber
from .models import (
    Condition,
    DisabilityKind,
    DuplicateRegistration,
    DuplicateStatus,
    Household,
    Person,
    PersonCondition,
    Registration,
    Relation,
    Resolution,
)

PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")
MEMBER_FIELDS = ("name", "id_number", "relation", "disability_kind", "disability_grade", "conditions", "phone")


class RegisteredElsewhere(InvalidInput):
    """Members refused (among them, maybe, some because their ID number is registered in
    another household: ``duplicates``, as (person id, name given))."""

    def __init__(self, errors: dict, duplicates: list[tuple[int, str]]):
        super().__init__(errors)
        self.duplicates = duplicates


def member_label(index: int, name: str) -> str:
    return _("Member %(n)d (%(name)s)") % {"n": index + 1, "name": name or _("no name")}


def _clean_member(data: dict) -> tuple[dict, dict[str, list[str]]]:
    """Field-by-field checks of one member; returns (clean values, errors by field)."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}

    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Enter the name.")]
    elif len(name) > 50:
        errors["name"] = [_("A name has at most 50 characters.")]
    clean["name"] = name

    try:
        rid = idnumber.parse(data.get("id_number") or "")
        clean.update(id_number=rid.number, birth_date=rid.birth_date, gender=rid.gender)
    except ValidationError as exc:
        errors["id_number"] = list(exc.messages)

    relation = data.get("relation")
    if relation not in Relation.values:
        errors["relation"] = [_("Choose the relation to the head of household.")]
    clean["relation"] = relation

    kind = data.get("disability_kind") or None
    grade = data.get("disability_grade")
    grade = None if grade in (None, "") else grade
    if grade is not None:
        try:
            grade = int(grade)
        except (TypeError, ValueError):
            grade = -1
        if not 1 <= grade <= 4:
            errors["disability_grade"] = [_("A disability grade is 1, 2, 3 or 4.")]
    if kind is not None and kind not in DisabilityKind.values:
        errors["disability_kind"] = [_("Choose a disability kind from the list.")]
    if (kind is None) != (grade is None) and "disability_grade" not in errors:
        field = "disability_kind" if kind is None else "disability_grade"
        errors.setdefault(field, []).append(_("A disability needs both its kind and its grade."))
    clean.update(disability_kind=kind, disability_grade=grade)

    conditions = data.get("conditions") or []
    if isinstance(conditions, str):
        conditions = [conditions]
    unknown = [c for c in conditions if c not in Condition.values]
    if unknown:
        errors["conditions"] = [_("Unknown condition: %(c)s.") % {"c": ", ".join(map(str, unknown))}]
    clean["conditions"] = sorted(set(conditions) - set(unknown))

    phone = (data.get("phone") or "").strip()
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = [_("A phone number has 5 to 20 digits.")]
    clean["phone"] = phone
    return clean, errors


def validate_members(
    members: list[dict], *, household_id: int | None = None, exclude_person_id: int | None = None
) -> list[dict]:
    """Validate members as a whole: of a new household (``household_id`` None) or
    joining/changed in an existing one (``exclude_person_id``: the member being
    changed, whose own number and head role are not a conflict). Raises InvalidInput
    with ``{"members": [{field: [message]} per member]}``, each message naming the member."""
    if not members:
        raise InvalidInput({"members": [_("A household needs at least one member.")]})
    cleaned, per_member = [], []
    for data in members:
        clean, errors = _clean_member(data)
        cleaned.append(clean)
        per_member.append(errors)

    seen: dict[str, int] = {}
    for i, clean in enumerate(cleaned):
        number = clean.get("id_number")
        if not number:
            continue
        if number in seen:
            per_member[i].setdefault("id_number", []).append(
                _("The same ID number is entered for %(other)s.")
                % {"other": member_label(seen[number], cleaned[seen[number]]["name"])}
            )
        seen.setdefault(number, i)
    taken = Person.objects.filter(id_number__in=list(seen)).exclude(pk=exclude_person_id)
    elsewhere: list[tuple[int, int]] = []  # (member index, the person already registered)
    for person_id, number, other_household in taken.values_list("pk", "id_number", "household_id"):
        if other_household == household_id:
            message = _("This person is already a member of this household.")
        elif exclude_person_id is not None:
            # A correction of a member's number: nothing is reported, the number is refused.
            message = _("This person is already registered in another household; a person belongs to one "
                        "household at a time.")
        else:
            # Where they are registered is not said: the county resolves it (report_duplicates).
            message = _("This person is already registered in another household; a person belongs to one "
                        "household at a time. The county has been asked to resolve it (move the person or "
                        "correct the record); you will be told the outcome.")
            elsewhere.append((seen[number], person_id))
        per_member[seen[number]].setdefault("id_number", []).append(message)

    heads = [i for i, c in enumerate(cleaned) if c.get("relation") == Relation.HEAD]
    other_members = Person.objects.filter(household_id=household_id).exclude(pk=exclude_person_id)
    if household_id is not None and other_members.filter(relation=Relation.HEAD).exists():
        for i in heads:
            per_member[i].setdefault("relation", []).append(_("This household already has a head."))
    else:
        for i in heads[1:]:
            per_member[i].setdefault("relation", []).append(
                _("A household has exactly one head; %(first)s is already the head.")
                % {"first": member_label(heads[0], cleaned[heads[0]]["name"])}
            )

    if any(per_member):
        labelled = [
            {field: [f"{member_label(i, cleaned[i]['name'])}: {m}" for m in msgs] for field, msgs in errs.items()}
            for i, errs in enumerate(per_member)
        ]
        raise RegisteredElsewhere({"members": labelled},
                                  [(person_id, cleaned[i]["name"]) for i, person_id in elsewhere])
    if household_id is None and not heads:
        raise InvalidInput({"members": [_("Mark exactly one member as the head of household.")]})
    return cleaned


def _household_fields(actor, region_code: str, address: str, registration: str) -> tuple[Region, dict]:
    errors: dict[str, list[str]] = {}
    region = Region.objects.filter(code=region_code, level=Level.VILLAGE).first() if region_code else None
    # A village outside the actor's region is reported exactly like a missing one.
    if region is None or not code_visible_to(actor, region.code):
        errors["region"] = [_("Choose a village or community in your region.")]
    address = (address or "").strip()
    if not address:
        errors["address"] = [_("Enter the address.")]
    elif len(address) > 200:
        errors["address"] = [_("An address has at most 200 characters.")]
    if registration not in Registration.values:
        errors["registration"] = [_("Choose urban or rural registration.")]
    return region, errors, address


def _snapshot(person: Person, conditions: Iterable[str]) -> dict:
    # Audit rows keep the masked ID: supervisors read the trail but may not see full numbers.
    return {
        "name": person.name, "id_number": person.masked_id, "relation": person.relation,
        "disability_kind": person.disability_kind, "disability_grade": person.disability_grade,
        "conditions": sorted(conditions), "phone": person.phone,
    }


def _create_member(household: Household, clean: dict) -> Person:
    person = Person.objects.create(household=household, **{k: v for k, v in clean.items() if k != "conditions"})
    PersonCondition.objects.bulk_create([PersonCondition(person=person, condition=c) for c in clean["conditions"]])
    return person


def _require(actor, perm: str):
    if not actor.has_perm(perm):
        raise NotPermitted(_("Your role may not do this."))


def register_household(actor, *, region: str, address: str, registration: str, members: list[dict], request=None):
    _require(actor, "registry.add_household")
    region_obj, errors, address = _household_fields(actor, region, address, registration)
    try:
        cleaned = validate_members(members)
    except InvalidInput as exc:
        errors.update(exc.errors)
        if isinstance(exc, RegisteredElsewhere) and region_obj is not None and "region" not in errors:
            report_duplicates(actor, exc.duplicates, village_code=region_obj.code, request=request)
    if errors:
        raise InvalidInput(errors)
    try:
        with transaction.atomic():
            household = Household.objects.create(
                region=region_obj, address=address, registration=registration, created_by=actor
            )
            people = [_create_member(household, clean) for clean in cleaned]
            audit.record(
                "registry.household.registered", actor=actor, obj=household, region_code=region_obj.code,
                after={"address": address, "registration": registration,
                       "members": [_snapshot(p, c["conditions"]) for p, c in zip(people, cleaned, strict=True)]},
                request=request,
            )
    except IntegrityError:
        # Another registration took one of these IDs between our check and our insert:
        # validating again names the member, and the transaction left nothing behind.
        validate_members(members)
        raise
    return household


def add_member(actor, household: Household, data: dict, request=None) -> Person:
    _require(actor, "registry.add_person")
    try:
        with transaction.atomic():
            household = Household.objects.select_for_update().get(pk=household.pk)
            (clean,) = validate_members([data], household_id=household.pk)
            person = _create_member(household, clean)
            audit.record("registry.person.added", actor=actor, obj=person, region_code=household.region_id,
                         after=_snapshot(person, clean["conditions"]), extra={"household": household.pk},
                         request=request)
    except RegisteredElsewhere as exc:
        if exc.duplicates:
            report_duplicates(actor, exc.duplicates, village_code=household.region_id, request=request)
        raise
    return person


def update_person(actor, person: Person, data: dict, *, reason: str = "", request=None) -> Person:
    """Change a member's data; the audit row keeps before → after of what changed."""
    _require(actor, "registry.change_person")
    with transaction.atomic():
        person = Person.objects.select_for_update().select_related("household").get(pk=person.pk)
        before = _snapshot(person, person.condition_codes)
        merged = {**before, "id_number": person.id_number, **data}
        (clean,) = validate_members([merged], household_id=person.household_id, exclude_person_id=person.pk)
        for field in ("name", "id_number", "birth_date", "gender", "relation", "disability_kind",
                      "disability_grade", "phone"):
            setattr(person, field, clean[field])
        person.save()
        person.conditions.exclude(condition__in=clean["conditions"]).delete()
        existing = set(person.conditions.values_list("condition", flat=True))
        PersonCondition.objects.bulk_create(
            [PersonCondition(person=person, condition=c) for c in clean["conditions"] if c not in existing]
        )
        old, new = audit.diff(before, _snapshot(person, clean["conditions"]))
        if new:
            audit.record("registry.person.changed", actor=actor, obj=person, region_code=person.household.region_id,
                         before=old, after=new, reason=reason, request=request)
    return person


def reveal_id_numbers(actor, people, *, reason: str = "", request=None) -> dict[int, str]:
    """The full ID numbers of ``people`` (by person id), for a caller who holds the right.
    Every reveal is audited, and so is every refused one: someone trying to see numbers
    their role does not show is as much the trail's business as someone who saw them."""
    people = list(people)
    allowed = actor.has_perm("registry.reveal_id_number")
    with transaction.atomic():
        for person in people:
            audit.record("registry.person.id_revealed" if allowed else "registry.person.id_reveal_refused",
                         actor=actor, obj=person, region_code=person.household.region_id, reason=reason,
                         request=request)
    if not allowed:
        raise NotPermitted(_("Your role may not see full ID numbers."))
    return {person.pk: person.id_number for person in people}


def reveal_id_number(actor, person: Person, *, reason: str = "", request=None) -> str:
    """The full ID number of one person: ``reveal_id_numbers`` for one."""
    return reveal_id_numbers(actor, [person], reason=reason, request=request)[person.pk]


# --- duplicate registrations: the county resolves them --------------------------------------------

# The deadline-timed work of resolving one (workflows/duplicates registers the flow).
DUPLICATE_FLOW = "registry"
RESOLVE_STEP = "resolve_duplicate"


def report_duplicates(actor, duplicates: Iterable[tuple[int, str]], *, village_code: str,
                      request=None) -> list[DuplicateRegistration]:
    """A registration in ``village_code`` was refused because these people (person id, the
    name given) are registered in another household: the county of each existing
    registration gets the work of resolving it, timed by a deadline, and is told. Trying
    again from the same village adds nothing. The refused caseworker learns nothing of
    where the person is registered."""
    spec = programs.flow(DUPLICATE_FLOW)
    reports = []
    for person_id, name in duplicates:
        try:
            with transaction.atomic():
                person = Person.objects.select_related("household").get(pk=person_id)
                report, created = DuplicateRegistration.objects.get_or_create(
                    person=person, attempted_region_code=village_code, status=DuplicateStatus.OPEN,
                    defaults={"region_code": person.household.region_id, "attempted_name": (name or "")[:50],
                              "reported_by": actor})
                if created:
                    audit.record("registry.duplicate.reported", actor=actor, obj=report,
                                 region_code=report.region_code,
                                 after={"person": person.pk, "attempted_name": report.attempted_name,
                                        "attempted_region": village_code}, request=request)
                    if spec is not None and spec.start is not None:
                        spec.start(report)  # its deadline
                    notify(role_holders("county_reviewer", report.region_code, Level.COUNTY),
                           event="registry.duplicate.reported",
                           title=_("A registration was refused: %(name)s is already registered in a household "
                                   "of your county. Resolve it.") % {"name": person.name},
                           link=report.get_absolute_url())
        except IntegrityError:
            # The same report made at the same moment: the other one stands.
            report = DuplicateRegistration.objects.get(person_id=person_id, attempted_region_code=village_code,
                                                       status=DuplicateStatus.OPEN)
        reports.append(report)
    return reports


def resolve_duplicate(actor, report: DuplicateRegistration, *, resolution: str, note: str = "",
                      request=None) -> DuplicateRegistration:
    """The county records how a duplicate registration was resolved; its deadline closes
    and whoever ran into it is told the outcome (not where the person is registered)."""
    _require(actor, "registry.resolve_duplicateregistration")
    if not code_visible_to(actor, report.region_code):
        raise NotPermitted(_("This duplicate registration is outside your region."))
    if resolution not in Resolution.values:
        raise InvalidInput({"resolution": [_("Choose how it was resolved.")]})
    note = (note or "").strip()
    if not note:
        raise InvalidInput({"note": [_("Say what was done, for the record.")]})
    with transaction.atomic():
        report = DuplicateRegistration.objects.select_for_update().select_related("person").get(pk=report.pk)
        if report.status != DuplicateStatus.OPEN:
            raise Conflict(_("This duplicate registration has already been resolved."))
        report.status, report.resolution, report.resolution_note = DuplicateStatus.RESOLVED, resolution, note
        report.resolved_by, report.resolved_at = actor, timezone.now()
        report.save(update_fields=["status", "resolution", "resolution_note", "resolved_by", "resolved_at"])
        audit.record("registry.duplicate.resolved", actor=actor, obj=report, region_code=report.region_code,
                     before={"status": DuplicateStatus.OPEN}, after={"status": report.status,
                                                                     "resolution": resolution},
                     reason=note, request=request)
        spec = programs.flow(DUPLICATE_FLOW)
        if spec is not None and spec.finish is not None:
            spec.finish(report)  # its deadline closes
        notify([report.reported_by], event="registry.duplicate.resolved",
               title=_("The county resolved the duplicate registration of %(name)s: %(resolution)s") % {
                   "name": report.attempted_name, "resolution": report.get_resolution_display()})
    return report

"""Changes to the registry. Web forms, the API, the admin and commands all call
these; each runs in one transaction with its audit row, so nothing is half-saved."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit import services as audit
from core import programs
from core.errors import Conflict, InvalidInput, NotPermitted
from core.money import parse_amount
from core.scoping import code_visible_to
from notifications.services import notify
from regions.codes import Level
from regions.models import Region
from staff.directory import role_holders

from . import changes, idnumber
from .models import (
    BALANCE_ASSET_KINDS,
    Asset,
    AssetKind,
    Condition,
    DisabilityKind,
    DuplicateRegistration,
    DuplicateStatus,
    Household,
    Income,
    IncomeKind,
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
            changes.people_changed(p.pk for p in people)
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
            # A new member changes the household (someone no longer lives alone).
            changes.people_changed(household.members.values_list("pk", flat=True))
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
            changes.people_changed([person.pk])
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


# --- Incomes and assets: a change is a new row with its dates, never an overwrite --------------

NOTE_MAX = 200
ONE_DAY = datetime.timedelta(days=1)


def _column_max(model, field: str) -> Decimal:
    # The largest amount the column holds: beyond it the database would refuse the row.
    column = model._meta.get_field(field)
    return Decimal(10) ** (column.max_digits - column.decimal_places) - Decimal("0.01")


def _amount(value, field: str, model, errors: dict) -> Decimal | None:
    try:
        # Zero is a real statement: a pension that stopped, a car that was sold.
        amount = parse_amount(value, field, allow_zero=True)
    except InvalidInput as exc:
        errors.update(exc.errors)
        return None
    if amount > _column_max(model, field):
        errors[field] = [_("The amount is too large.")]
    return amount


def _note(note, errors: dict) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [_("A note has at most %(n)d characters.") % {"n": NOTE_MAX}]
    return note


def _member(household: Household, member, errors: dict) -> Person | None:
    """The member ``member`` (a Person, a pk or None for the household as a whole) of
    ``household``; anyone else, including a person of another household, is an error on
    the field, never a row filed under the wrong household."""
    if member in (None, ""):
        return None
    pk = member.pk if isinstance(member, Person) else member
    person = Person.objects.filter(pk=pk, household=household).first() if str(pk).isdigit() else None
    if person is None:
        errors["member"] = [_("Choose a member of this household, or none for the household as a whole.")]
    return person


def _same_stream(queryset, household: Household, person: Person | None, kind: str):
    return queryset.filter(household=household, kind=kind, **(
        {"person": person} if person is not None else {"person__isnull": True}))


def _day(value: datetime.date | None) -> str:
    return date_format(value, "Y-m-d") if value else _("open")


def _income_snapshot(income: Income) -> dict:
    return {"member": income.person_id, "kind": income.kind, "monthly_amount": income.monthly_amount,
            "valid_from": income.valid_from, "valid_to": income.valid_to, "note": income.source}


def record_income(actor, household: Household, *, kind: str, monthly_amount, start: datetime.date,
                  end: datetime.date | None = None, member=None, note: str = "", request=None) -> Income:
    """Record a member's (or, with no member, the household's) monthly income of one kind
    from ``start``. A row is the whole amount of its kind: the row of the same member and
    kind still open before ``start`` ends the day before, and nothing else changes — no
    amount is ever edited, so a means test for an earlier day reads what held then. A row
    that would overlap another of the same member and kind is refused."""
    _require(actor, "registry.add_income")
    errors: dict[str, list[str]] = {}
    if kind not in IncomeKind.values:
        errors["kind"] = [_("Choose a kind of income from the list.")]
    amount = _amount(monthly_amount, "monthly_amount", Income, errors)
    if not isinstance(start, datetime.date):
        errors["start"] = [_("Enter the first day, e.g. 2026-01-01.")]
    elif end is not None and end < start:
        errors["end"] = [_("The last day is before the first day.")]
    note = _note(note, errors)
    with transaction.atomic():
        # Lock the household: two clerks recording the same kind at once would both see
        # the old row open and both end it, leaving two open rows.
        household = Household.objects.select_for_update().get(pk=household.pk)
        person = _member(household, member, errors)
        if errors:
            raise InvalidInput(errors)
        rows = list(_same_stream(Income.objects.all(), household, person, kind))
        replaced = [r for r in rows if r.valid_to is None and r.valid_from < start]
        last = end or datetime.date.max
        for row in rows:
            row_end = start - ONE_DAY if row in replaced else row.valid_to
            if row.valid_from <= last and (row_end is None or row_end >= start):
                raise InvalidInput({"start": [
                    _("This income already has a row from %(from)s to %(to)s; a change starts after it.")
                    % {"from": _day(row.valid_from), "to": _day(row.valid_to)}]})
        income = Income.objects.create(household=household, person=person, kind=kind, monthly_amount=amount,
                                       valid_from=start, valid_to=end, source=note, recorded_by=actor)
        audit.record("registry.income.recorded", actor=actor, obj=income, region_code=household.region_id,
                     after=_income_snapshot(income),
                     extra={"household": household.pk, "replaces": [r.pk for r in replaced]}, request=request)
        _end_rows(actor, replaced, start - ONE_DAY, "registry.income.ended", household, income, request)
    return income


def _end_rows(actor, rows, last_day: datetime.date, event: str, household: Household, new_row, request) -> None:
    """End the rows a new one replaces on ``last_day``: the only change ever made to a
    recorded income or asset row, audited row by row."""
    for row in rows:
        row.valid_to = last_day
        row.save(update_fields=["valid_to"])
        audit.record(event, actor=actor, obj=row, region_code=household.region_id,
                     before={"valid_to": None}, after={"valid_to": row.valid_to},
                     extra={"household": household.pk, "replaced_by": new_row.pk}, request=request)


def _asset_snapshot(asset: Asset) -> dict:
    return {"member": asset.person_id, "kind": asset.kind, "value": asset.value, "as_of": asset.as_of,
            "note": asset.description}


def record_asset(actor, household: Household, *, kind: str, value, as_of: datetime.date | None = None,
                 member=None, note: str = "", replaces=None, request=None) -> Asset:
    """Record a valuation of an asset as of a day (default: today). The valuation it
    replaces ends the day before: for deposits and securities (a balance per member)
    the last statement of the same member and kind; for a thing (a vehicle, a house) the
    row named in ``replaces``, and without it the row is one more such thing. A value of
    zero says the asset is no longer held. Nothing is edited but the old row's end."""
    _require(actor, "registry.add_asset")
    errors: dict[str, list[str]] = {}
    if kind not in AssetKind.values:
        errors["kind"] = [_("Choose a kind of asset from the list.")]
    amount = _amount(value, "value", Asset, errors)
    today = timezone.localdate()
    as_of = as_of or today
    if not isinstance(as_of, datetime.date):
        errors["as_of"] = [_("Enter the day of the valuation, e.g. 2026-01-01.")]
    elif as_of > today:
        errors["as_of"] = [_("A valuation is of a day that has come.")]
    note = _note(note, errors)
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        person = _member(household, member, errors)
        if errors:
            raise InvalidInput(errors)
        current = Asset.objects.filter(household=household, valid_to__isnull=True)
        if replaces not in (None, ""):
            pk = replaces.pk if isinstance(replaces, Asset) else replaces
            replaced = list(current.filter(pk=pk, kind=kind)) if str(pk).isdigit() else []
            if not replaced:
                raise InvalidInput({"replaces": [
                    _("Choose a current valuation of this household of the same kind.")]})
        elif kind in BALANCE_ASSET_KINDS:
            replaced = list(_same_stream(current, household, person, kind))
        else:
            replaced = []
        later = [r for r in replaced if r.as_of >= as_of]
        if later:
            raise InvalidInput({"as_of": [
                _("The valuation it replaces is as of %(day)s; a new one is of a later day.")
                % {"day": _day(later[0].as_of)}]})
        asset = Asset.objects.create(household=household, person=person, kind=kind, value=amount, as_of=as_of,
                                     description=note, recorded_by=actor)
        audit.record("registry.asset.recorded", actor=actor, obj=asset, region_code=household.region_id,
                     after=_asset_snapshot(asset),
                     extra={"household": household.pk, "replaces": [r.pk for r in replaced]}, request=request)
        _end_rows(actor, replaced, as_of - ONE_DAY, "registry.asset.replaced", household, asset, request)
    return asset


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

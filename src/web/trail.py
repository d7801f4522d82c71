"""The audit trail page (read-only, region-scoped), and the rows every history shows:
who (by name), what (a sentence), which record, and what changed in words.

A page of rows costs a fixed number of queries: the events with their actors, the
programs of the cases among them, the names of the staff their data names.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from assistance.models import Application
from audit.models import AuditEvent
from core import programs
from core.decorators import staff_view
from exports import kinds as export_kinds
from forms.audit import AuditFilterForm
from regions.models import Region
from registry.models import Condition, DisabilityKind, Registration, Relation
from staff.models import User
from staff.roles import Role

from .labels import EVENT_LABELS, choice_label, event_label, field_label

PAGE_SIZE = 50

# Codes stored in audit data, shown with the label the user knows from the forms.
VALUE_CHOICES = {
    "relation": Relation, "registration": Registration, "disability_kind": DisabilityKind, "conditions": Condition,
    "roles": Role,
}
# Keys holding usernames: shown as the people's names.
STAFF_KEYS = ("investigators", "escalated_to")
# What a record is called when its own model has no name in the catalogue.
RECORD_TYPES = {"viewflow.task": gettext_lazy("Task")}
# Values that name something the engine keeps elsewhere, by (record type, key).
VALUE_RESOLVERS = {
    ("exports.exportjob", "kind"): lambda name: getattr(export_kinds.find(name), "label", None),
}
# Records with a page of their own.
RECORD_PAGES = {"assistance.application": "application_detail", "registry.household": "household_detail"}


@dataclass
class Row:
    at: datetime.datetime
    event: str
    who: str
    what: str
    record: str
    record_url: str
    region: str
    reason: str
    details: list[tuple[str, str, bool]]  # label, text, whether the text is stored data


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model, key):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist and reverse relations alike: not a field here
        return None


class _Reader:
    """Turns an event's data into (label, text) pairs, knowing the page's cases and staff."""

    def __init__(self, events):
        app_ids = {int(e.object_id) for e in events
                   if e.object_type == "assistance.application" and e.object_id.isdigit()}
        self.programs = dict(Application.objects.filter(pk__in=app_ids).values_list("pk", "program")) \
            if app_ids else {}
        usernames = {name for e in events for key in STAFF_KEYS
                     for data in (e.before, e.after, e.extra) if isinstance(data, dict)
                     for name in (data.get(key) or []) if isinstance(name, str)}
        self.names = {u.username: u.display_name for u in User.objects.filter(username__in=usernames)} \
            if usernames else {}

    def value(self, event, model, key: str, value) -> tuple[str, bool]:
        """(text, is_data): is_data when the value is shown as it was stored (a name, a
        note typed by someone), not as a label of the interface."""
        if value is None or value == "" or value == []:
            return "—", False
        if isinstance(value, bool):
            return (_("Yes") if value else _("No")), False
        if isinstance(value, list):
            if value and isinstance(value[0], dict):  # members of a registration
                return "、".join(str(m.get("name", "")) for m in value), True
            parts = [self.value(event, model, key, v) for v in value]
            return "、".join(text for text, _data in parts), any(data for _text, data in parts)
        if key in STAFF_KEYS:
            return self.names.get(value, str(value)), True
        if key == "status" and event.object_type == "assistance.application" and event.object_id.isdigit():
            spec = programs.program(self.programs.get(int(event.object_id), ""))
            if spec is not None:
                return spec.status_label(value), False
        resolve = VALUE_RESOLVERS.get((event.object_type, key))
        if resolve is not None and resolve(value) is not None:
            return str(resolve(value)), False
        choices = VALUE_CHOICES.get(key)
        if choices is not None and value in choices.values:
            return str(choices(value).label), False
        field = _field(model, key)
        if field is not None and getattr(field, "flatchoices", None):
            label = dict(field.flatchoices).get(value)
            if label is not None:
                return str(label), False
        if isinstance(value, str) and key != "username":
            label = choice_label(value)
            if label is not None:
                return label, False
        return str(value), True

    def label(self, model, key: str) -> str | None:
        label = field_label(key)
        if label is None:
            field = _field(model, key)
            if field is not None and hasattr(field, "verbose_name"):
                label = str(field.verbose_name)
        return label

    def details(self, event) -> list[tuple[str, str, bool]]:
        model = _model(event.object_type)
        rows = []
        before, after = event.before or {}, event.after or {}
        pairs = [(key, (before.get(key), value)) for key, value in after.items()] if before \
            else [(key, (None, value)) for key, value in after.items()]
        for key, (old, new) in pairs:
            label = self.label(model, key)
            if label is None or isinstance(new, dict):
                continue
            text, data = self.value(event, model, key, new)
            if before:
                old_text, old_data = self.value(event, model, key, old)
                text, data = f"{old_text} → {text}", data or old_data
            rows.append((label, text, data))
        for key, value in (event.extra or {}).items():
            label = self.label(model, key)
            if label is not None and not isinstance(value, dict):
                rows.append((label, *self.value(event, model, key, value)))
        return rows


def _record(event) -> tuple[str, str]:
    """What the event is about, named in the reader's language, and its page if it has one."""
    if not event.object_type:
        return "", ""
    if event.object_type == "registry.person":
        return event.object_repr, ""  # the person's name
    model = _model(event.object_type)
    kind = RECORD_TYPES.get(event.object_type) or (model._meta.verbose_name if model else "")
    text = f"{str(kind).capitalize() if kind else ''} {event.object_id}".strip()
    page = RECORD_PAGES.get(event.object_type)
    url = reverse(page, args=[event.object_id]) if page and event.object_id.isdigit() else ""
    return text, url


def rows(events, *, regions: dict[str, str] | None = None) -> list[Row]:
    """The history rows of ``events`` (an AuditEvent queryset or list, actors selected)."""
    events = list(events)
    reader = _Reader(events)
    out = []
    for event in events:
        record, url = _record(event)
        out.append(Row(
            at=event.at, event=event.event,
            who=event.actor.display_name if event.actor_id else (event.actor_username or _("system")),
            what=event_label(event.event), record=record, record_url=url,
            region=(regions or {}).get(event.region_code, event.region_code), reason=event.reason,
            details=reader.details(event),
        ))
    return out


def event_choices() -> list[tuple[str, str]]:
    """The events to filter the trail by, by their names."""
    return sorted(((code, str(label)) for code, label in EVENT_LABELS.items()), key=lambda c: c[1])


def _day_start(day: datetime.date) -> datetime.datetime:
    # Days are the user's local days (Asia/Shanghai), not UTC days.
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _filtered(events, form):
    if not form.is_bound:
        return events
    if not form.is_valid():
        return events.none()
    data = form.cleaned_data
    if data["event"]:
        events = events.filter(event__startswith=data["event"].strip())
    if data["date_from"]:
        events = events.filter(at__gte=_day_start(data["date_from"]))
    if data["date_to"]:
        events = events.filter(at__lt=_day_start(data["date_to"] + datetime.timedelta(days=1)))
    return events


@staff_view("audit.view_auditevent")
@require_safe
def audit_list(request):
    form = AuditFilterForm(request.GET or None, events=event_choices())
    events = _filtered(AuditEvent.objects.visible_to(request.user).select_related("actor"), form)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    codes = {e.region_code for e in page if e.region_code}
    region_names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    # An invalid filter (a day beyond the calendar, an end before the start) shows the page
    # with the form's errors and no rows, as a 400.
    return render(request, "audit/event_list.html", {
        "form": form, "page": page, "rows": rows(page.object_list, regions=region_names),
    }, status=400 if form.is_bound and not form.is_valid() else 200)

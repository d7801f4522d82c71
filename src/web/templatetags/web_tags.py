from __future__ import annotations

from django import template
from django.utils import timezone

from registry.models import Condition, DisabilityKind, Registration, Relation

from ..labels import event_label as _event_label
from ..labels import field_label

register = template.Library()

# Codes stored in audit data, shown with the label the user knows from the forms.
VALUE_CHOICES = {
    "relation": Relation, "registration": Registration, "disability_kind": DisabilityKind, "conditions": Condition,
}


@register.filter
def age(person, day=None):
    return person.age_on(day or timezone.localdate())


@register.filter
def minutes(delta) -> int:
    return max(1, round(delta.total_seconds() / 60)) if delta else 0


@register.filter
def event_label(event: str) -> str:
    return _event_label(event)


def _value(key: str, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    choices = VALUE_CHOICES.get(key)
    if isinstance(value, list):
        if value and isinstance(value[0], dict):  # members of a registration
            return "、".join(str(m.get("name", "")) for m in value)
        return "、".join(_value(key, v) for v in value)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return str(value)


@register.filter
def audit_details(event) -> list[tuple[str, str]]:
    """(label, text) pairs for an audit row: what changed, from what to what."""
    rows = []
    before, after = event.before or {}, event.after or {}
    if before:
        for key in after:
            rows.append((field_label(key), f"{_value(key, before.get(key))} → {_value(key, after[key])}"))
    else:
        rows.extend((field_label(key), _value(key, value)) for key, value in after.items())
    for key, value in (event.extra or {}).items():
        rows.append((field_label(key), _value(key, value)))
    return rows


from __future__ import annotations

from django import template
from django.utils import timezone

from ..labels import event_label as _event_label

register = template.Library()


@register.filter
def age(person, day=None):
    return person.age_on(day or timezone.localdate())


@register.filter
def minutes(delta) -> int:
    return max(1, round(delta.total_seconds() / 60)) if delta else 0


@register.filter
def event_label(event: str) -> str:
    return _event_label(event)

from __future__ import annotations

from decimal import Decimal

from django import template

from assistance.models import Status
from deadlines.labels import step_label as _step_label

from .. import case_rows

register = template.Library()


@register.filter
def yuan(value) -> str:
    """An amount in figures, as the services and documents write it: 1,200.00."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"


@register.filter
def step_name(step: str) -> str:
    return _step_label(step)


@register.filter
def case_event(event: str) -> str:
    return case_rows.event_label(event)


@register.filter
def status_name(code) -> str:
    if code in Status.values:
        return str(Status(code).label)
    return str(code or "—")


@register.filter
def overdue_at(deadline, now) -> bool:
    """The one definition of overdue (Deadline.is_overdue), at the page's moment."""
    return deadline.is_overdue(now)

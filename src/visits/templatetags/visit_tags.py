from __future__ import annotations

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def overdue_at(deadline, now) -> bool:
    """The one definition of overdue (Deadline.is_overdue), at the page's moment."""
    return bool(deadline) and deadline.is_overdue(now)


@register.filter
def window_text(visit) -> str:
    """A routine window as its days; an event round as its hours."""
    start = timezone.localtime(visit.window_start)
    if visit.kind == "event":
        end = timezone.localtime(visit.window_end)
        return f"{start:%m-%d %H:%M} – {end:%m-%d %H:%M}"
    last = visit.last_day
    if start.date() == last:
        return f"{start:%Y-%m-%d}"
    return f"{start:%Y-%m-%d} – {last:%m-%d}"

from __future__ import annotations

from django import template
from django.utils.translation import pgettext

from deadlines.labels import flow_step_label

from .. import deadline_rows

register = template.Library()


@register.filter
def flow_step(row) -> str:
    """A deadline or a dashboard row (a dict with flow and step), named readably."""
    if isinstance(row, dict):
        return flow_step_label(row["flow"], row["step"])
    return flow_step_label(row.flow, row.step)


@register.filter
def overdue_by(deadline, now) -> str:
    return deadline_rows.overdue_text(deadline.overdue_by_hours(now))


@register.filter
def case(deadline) -> deadline_rows.Case:
    return deadline_rows.case_of(deadline)


@register.filter
def escalated_names(deadline, names) -> str:
    return pgettext("list separator", ", ").join(deadline_rows.escalated_names(deadline, names or {}))

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from assistance.models import instalment_label
from core import programs
from core.money import figures
from deadlines.labels import step_label as _step_label

from .. import deadline_rows, labels

register = template.Library()


@register.filter
def yuan(value) -> str:
    """An amount in figures, as the services and documents write it: 1,200.00."""
    if value is None or value == "":
        return "—"
    return figures(value)


@register.filter
def step_name(deadline) -> str:
    """The step's name as its flow declares it."""
    return _step_label(deadline.flow, deadline.step)


@register.filter
def case_event(event: str) -> str:
    return labels.event_label(event)


@register.filter
def status_name(code, program: str = "") -> str:
    """A status code in words, by its case's program (``code|status_name:application.program``)."""
    if program:
        return programs.status_label(program, code)
    return str(dict(programs.status_choices()).get(code, code or "—"))


@register.filter
def overdue_at(deadline, now) -> bool:
    """The one definition of overdue (Deadline.is_overdue), at the page's moment."""
    return deadline.is_overdue(now)


@register.simple_tag
def due_cell(deadline, now) -> str:
    """A deadline's due time with its overdue, paused and provisional badges, the same
    wherever a task is listed. A tag rather than an included template: a queue page
    shows one per row, and 50 includes cost more than the page's queries."""
    badges = []
    if deadline.is_overdue(now):
        badges.append(("badge-overdue", f"{_('Overdue by')} {deadline_rows.overdue_text(deadline.overdue_by_hours(now))}",
                       _("Overdue")))
    if deadline.status == "paused":
        badges.append(("tag", "", _("Paused")))
    if deadline.provisional:
        badges.append(("tag flag", _("The holidays of a year this period reaches are not loaded yet: the due time "
                                     "may still change."), _("Provisional")))
    return format_html(
        '<span class="nowrap">{}</span>{}', date_format(timezone.localtime(deadline.due_at), "Y-m-d H:i"),
        format_html_join("", ' <span class="{}"{}>{}</span>',
                         ((css, format_html(' title="{}"', title) if title else "", text)
                          for css, title, text in badges)))


@register.simple_tag
def opening_programs() -> list:
    """The programs a case can be opened for on the web (those with an application form)."""
    return [spec for spec in programs.programs() if spec.opening_form is not None]


@register.filter
def instalment(number) -> str:
    """An instalment's number as people read it: "先行救助" for the urgent payment, "第2期"."""
    return instalment_label(number)

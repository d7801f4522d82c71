"""Readable names for audit events and the fields their before/after data hold."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

EVENT_LABELS = {
    "registry.household.registered": _("Household registered"),
    "registry.households.exported": _("Households exported to Excel"),
    "registry.person.added": _("Member added"),
    "registry.person.changed": _("Member data changed"),
    "registry.person.id_revealed": _("Full ID number revealed"),
    "registry.person.id_reveal_refused": _("Full ID number refused to a role without the right"),
    "registry.duplicate.reported": _("Duplicate registration reported to the county"),
    "registry.duplicate.resolved": _("Duplicate registration resolved"),
    "deadlines.deadline.paused": _("Deadline clock paused"),
    "deadlines.deadline.resumed": _("Deadline clock resumed"),
    "deadlines.breaches.exported": _("Deadline breaches exported to Excel"),
    "deadlines.dashboard.exported": _("Deadline dashboard exported to Excel"),
}

FIELD_LABELS = {
    "name": pgettext_lazy("person", "Name"),
    "id_number": _("ID number"),
    "relation": _("Relation to head"),
    "disability_kind": _("Disability"),
    "disability_grade": _("Disability grade"),
    "conditions": _("Circumstances"),
    "phone": _("Phone"),
    "address": _("Address"),
    "registration": _("Registration"),
    "members": _("Members"),
    "rows": _("Rows"),
    "q": _("Search"),
    "region": _("Region"),
    "household": _("Household"),
    "step": _("Step"),
    "age": _("Overdue by"),
    "status": _("Status"),
    "due_at": _("Due"),
}


def event_label(event: str) -> str:
    return str(EVENT_LABELS.get(event, event))


def field_label(key: str) -> str:
    return str(FIELD_LABELS.get(key, key))

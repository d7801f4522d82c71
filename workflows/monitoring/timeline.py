"""Early warnings on the household's one chain (workflows.timeline): each warning when it
was raised, and its follow-up when it was recorded."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import EarlyWarning, FollowUpOutcome

PERMISSION = "monitoring.view_earlywarning"


def warning_events(user, household_id: int):
    from workflows.timeline import Event

    if not user.has_perm(PERMISSION):
        return []
    events = []
    for warning in (EarlyWarning.objects.visible_to(user).filter(household_id=household_id)
                    .select_related("done_by").order_by("pk")):
        url = reverse("warning_detail", args=[warning.pk])
        events.append(Event(warning.raised_at, "warning", _("Warning raised: %(rule)s") % {
            "rule": warning.get_rule_display()}, warning.reason, url=url))
        if warning.done_at:
            detail = warning.note
            if warning.outcome == FollowUpOutcome.CASE_OPENED and warning.application_id:
                detail = _("Application %(id)s") % {"id": warning.application_id}
            events.append(Event(warning.done_at, "warning", _("Warning followed up: %(outcome)s") % {
                "outcome": warning.get_outcome_display()}, detail, url=url))
    return events

"""What the warning list reads, for its page and its Excel export alike: the user's
region's warnings, filtered by rule and by which of them (to follow up, overdue,
followed up). An invalid filter finds nothing rather than widening the list."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from deadlines.models import Deadline

from .forms import WarningFilterForm
from .models import FLOW_CODE, STEP_FOLLOW_UP, EarlyWarning, WarningStatus


def warning_filters(user, data, now=None) -> tuple[WarningFilterForm, QuerySet, str]:
    """(form, warnings, which: open | overdue | done)."""
    form = WarningFilterForm(data or None)
    warnings = EarlyWarning.objects.visible_to(user)
    show = "open"
    if form.is_bound and not form.is_valid():
        return form, warnings.none(), show
    if form.is_bound:
        show = form.cleaned_data["show"] or "open"
        if form.cleaned_data["rule"]:
            warnings = warnings.filter(rule=form.cleaned_data["rule"])
    if show == "done":
        return form, warnings.filter(status=WarningStatus.DONE).order_by("-done_at", "-pk"), show
    warnings = warnings.filter(status=WarningStatus.OPEN).order_by("due_at", "pk")
    if show == "overdue":
        # The deadline's one definition of overdue.
        warnings = warnings.filter(pk__in=Deadline.objects.overdue(now or timezone.now()).filter(
            flow=FLOW_CODE, step=STEP_FOLLOW_UP).values("subject_id"))
    return form, warnings, show


def params_of(form: WarningFilterForm) -> dict:
    if not form.is_bound or not form.is_valid():
        return {}
    return {"rule": form.cleaned_data["rule"], "show": form.cleaned_data["show"]}

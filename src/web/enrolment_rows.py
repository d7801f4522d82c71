"""Which public notices and spot checks a user's pages and exports list: those of the
user's region (a notice by the village it is posted in, a spot check by its case)."""

from __future__ import annotations

from core.scoping import user_code_range
from workflows.enrolment.models import PublicNotice, SpotCheck

from .enrolment_forms import ENROLMENT_PROGRAMS, MONTH, NoticeFilterForm


def visible_notices(user):
    scope = user_code_range(user)
    if scope is None:
        return PublicNotice.objects.none()
    return PublicNotice.objects.filter(region_code__range=scope, program__in=ENROLMENT_PROGRAMS)


def filter_notices(user, data):
    """(form, notices) of the list and its export: an invalid filter finds nothing
    rather than silently widening the list."""
    form = NoticeFilterForm(data or None)
    notices = visible_notices(user)
    if form.is_bound:
        if not form.is_valid():
            return form, PublicNotice.objects.none()
        if form.cleaned_data["program"]:
            notices = notices.filter(program=form.cleaned_data["program"])
        if form.cleaned_data["kind"]:
            notices = notices.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["running"]:
            notices = notices.running()
    return form, notices


def visible_spot_checks(user, period: str = ""):
    scope = user_code_range(user)
    if scope is None:
        return SpotCheck.objects.none()
    checks = SpotCheck.objects.filter(application__region_code__range=scope)
    return checks.filter(period=period) if period and MONTH.match(period) else checks

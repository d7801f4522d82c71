"""What the pages read of ongoing cases: the case page's block (payment schedule,
reviews, changes, refusals, notices, and the forms the user may use) and the township's
list of changes with its filters. Every row is read through the user's region."""

from __future__ import annotations

from django.db.models import QuerySet

from workflows.enrolment import benefits
from workflows.enrolment.models import ONGOING_STATUSES, BenefitChange

from .forms import ChangeForm, TownshipChangesForm, WorkRefusalForm
from .models import BenefitNotice, ChangeReport, Review, ReviewStatus, WorkRefusal

PROGRAMS = ("dibao", "tekun")


def case_facts(application, user, *, change_form=None, refusal_form=None) -> dict:
    """The ongoing-case block of a 低保/特困 case page."""
    if application.program not in PROGRAMS:
        return {}
    schedule = benefits.schedule(application.pk)
    reviews = list(Review.objects.visible_to(user).filter(application_id=application.pk)
                   .select_related("decided_by").order_by("-opened_at", "-pk"))
    ongoing = application.status in ONGOING_STATUSES
    may_report = ongoing and user.has_perm("reviews.add_changereport")
    may_refusal = ongoing and user.has_perm("reviews.add_workrefusal")
    return {
        "schedule": schedule,
        "reviews": reviews,
        "open_review": next((r for r in reviews if r.status == ReviewStatus.OPEN), None),
        "changes": list(ChangeReport.objects.visible_to(user).filter(application_id=application.pk)
                        .select_related("member", "reported_by")),
        "refusals": list(WorkRefusal.objects.visible_to(user).filter(application_id=application.pk)
                         .select_related("member", "recorded_by").order_by("-on", "-pk")),
        "notices": list(BenefitNotice.objects.visible_to(user).filter(application_id=application.pk)
                        .defer("content").select_related("benefit_change").order_by("-created_at", "-pk")),
        "change_form": change_form or (ChangeForm(case=application) if may_report else None),
        "refusal_form": refusal_form or (WorkRefusalForm(case=application) if may_refusal else None),
    }


def township_filters(user, data) -> tuple[TownshipChangesForm, QuerySet, QuerySet]:
    """(form, reviews, benefit changes) of the user's region, filtered; an invalid filter finds nothing."""
    form = TownshipChangesForm(data or None)
    reviews = Review.objects.visible_to(user)
    changes = BenefitChange.objects.visible_to(user).filter(program__in=PROGRAMS)
    if not form.is_bound:
        return form, reviews, changes
    if not form.is_valid():
        return form, reviews.none(), changes.none()
    d = form.cleaned_data
    if d["program"]:
        reviews, changes = reviews.filter(program=d["program"]), changes.filter(program=d["program"])
    if d["kind"]:
        reviews = reviews.filter(kind=d["kind"])
    if d["status"]:
        reviews = reviews.filter(status=d["status"])
    if d["since"]:
        reviews = reviews.filter(opened_at__date__gte=d["since"])
        changes = changes.filter(created_at__date__gte=d["since"])
    if d["until"]:
        reviews = reviews.filter(opened_at__date__lte=d["until"])
        changes = changes.filter(created_at__date__lte=d["until"])
    return form, reviews, changes


def params_of(form: TownshipChangesForm) -> dict:
    if not form.is_bound or not form.is_valid():
        return {}
    d = form.cleaned_data
    return {"program": d["program"], "kind": d["kind"], "status": d["status"],
            "since": d["since"].isoformat() if d["since"] else "", "until": d["until"].isoformat() if d["until"] else ""}

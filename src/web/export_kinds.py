"""The web's exports that can run as background jobs (exports app), registered when the
app is ready: the household roster, the applications and the deadline breaches. The
worker rebuilds the rows from the job's filters exactly as the list page does, under
the requester's scope as it is when the job runs."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deadlines import reports
from exports.kinds import AS_OF, ExportKind, as_of, invalid_filters, register
from forms.cases import ApplicationFilterForm
from forms.registry import HouseholdSearchForm
from forms.supervision import BreachFilterForm
from registry.search import search_households

from .case_export import write_applications
from .case_rows import search_applications
from .export import write_households
from .supervision_export import write_breaches

# --- Household roster ------------------------------------------------------------------------------

def households(user, params: dict):
    form = HouseholdSearchForm(params, user=user)
    if not form.is_valid():
        raise invalid_filters(form, _("The search of this export is not valid in your region: %(errors)s"))
    return search_households(user, q=form.cleaned_data["q"], region=form.cleaned_data["region"])


HOUSEHOLDS = register(ExportKind(
    name="households", label=gettext_lazy("Household roster"), permission="registry.view_household",
    audit_event="registry.households.exported", filename="households", select=households,
    write=write_households, list_url="household_list",
))


def household_params(form) -> dict:
    """The filters of a valid (or unbound) search form, as a job keeps them."""
    if not form.is_bound:
        return {"q": "", "region": ""}
    region = form.cleaned_data["region"]
    return {"q": form.cleaned_data["q"], "region": region.code if region else ""}


# --- Applications ----------------------------------------------------------------------------------

def applications(user, params: dict):
    form = ApplicationFilterForm(params, user=user)
    if not form.is_valid():
        raise invalid_filters(form, _("The filters of this export are not valid in your region: %(errors)s"))
    data = form.cleaned_data
    return search_applications(user, status=data["status"], region=data["region"], q=data["q"])


APPLICATIONS = register(ExportKind(
    name="applications", label=gettext_lazy("Applications"), permission="assistance.view_application",
    audit_event="assistance.applications.exported", filename="applications", select=applications,
    write=write_applications, list_url="application_list",
))


def application_params(form) -> dict:
    """The filters of a valid (or unbound) application filter form, as a job keeps them."""
    if not form.is_bound:
        return {"status": "", "region": "", "q": ""}
    data = form.cleaned_data
    return {"status": data["status"], "region": data["region"].code if data["region"] else "", "q": data["q"]}


# --- Deadline breaches -----------------------------------------------------------------------------

def breaches(user, params: dict):
    form = BreachFilterForm({name: params.get(name, "") for name in ("region", "step", "age")}, user=user)
    if not form.is_valid():
        raise invalid_filters(form, _("The filters of this export are not valid in your region: %(errors)s"))
    # What is overdue, and by how long, depends on the moment: a job counts both at the moment
    # the requester asked (kept in the params), so the file holds the rows they were shown,
    # not the rows that became overdue while the job waited for a worker.
    return reports.breaches_by_age(user, now=as_of(params), **form.filters())


BREACHES = register(ExportKind(
    name="breaches", label=gettext_lazy("Overdue work"), permission="deadlines.view_breaches",
    audit_event="deadlines.breaches.exported", filename="deadline-breaches", select=breaches,
    write=write_breaches, write_options=lambda params: {"now": as_of(params)}, list_url="sla_breaches",
))


def breach_params(filters: dict, now) -> dict:
    """The breach list's cleaned filters and the moment it was seen, as a job keeps them."""
    return {**filters, AS_OF: now.isoformat()}

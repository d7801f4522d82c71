"""The web's exports that can run as background jobs (exports app), registered when the
app is ready. The worker rebuilds the rows from the job's filters exactly as the list
page does, under the requester's scope as it is when the job runs."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exports.kinds import ExportKind, ExportRefused, register
from forms.registry import HouseholdSearchForm

from .export import write_households
from .queries import search_households


def households(user, params: dict):
    form = HouseholdSearchForm(params, user=user)
    if not form.is_valid():
        # The region filter is no longer in the user's region (or never was): refuse rather
        # than drop the filter, which would export more than was asked for.
        raise ExportRefused(_("The search of this export is not valid in your region: %(errors)s") % {
            "errors": " ".join(str(message) for messages in form.errors.values() for message in messages)})
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

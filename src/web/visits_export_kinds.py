"""The not-visited list as an export that can run as a background job (exports app),
registered when the app is ready. The worker rebuilds the rows from the job's filters
as the list page does, under the requester's scope as it is when the job runs."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exports.kinds import AS_OF, ExportKind, ExportRefused, as_of, invalid_filters, register
from forms.visits import NotVisitedForm
from regions.models import Region
from visits import coverage
from visits.export import write_not_visited


def not_visited(user, params: dict):
    form = NotVisitedForm({"days": params.get("days"), "tier": params.get("tier", "")})
    # The list fills in its default number of days when none is given; a job keeps the number used.
    form.fields["days"].required = True
    if not form.is_valid():
        raise invalid_filters(form, _("The filters of this export are not valid: %(errors)s"))
    place = None
    if params.get("region"):
        # The county the list was narrowed to, still within the requester's scope when the job runs.
        place = Region.objects.visible_to(user).filter(code=params["region"]).first()
        if place is None:
            raise ExportRefused(_("The region of this export is no longer in yours."))
    # Who was not visited for N days depends on the moment: a job counts from the moment
    # the requester asked (kept in the params), so the file holds the people they were
    # shown, not those who crossed the line while the job waited for a worker.
    return coverage.not_visited(user, form.cleaned_data["days"], as_of(params), tier=form.cleaned_data["tier"],
                                place=place)


NOT_VISITED = register(ExportKind(
    name="not_visited", label=gettext_lazy("Not visited lately"), permission="visits.view_coverage",
    audit_event="visits.not_visited.exported", filename="not-visited", select=not_visited,
    write=write_not_visited, write_options=lambda params: {"now": as_of(params), "days": params["days"]},
    list_url="visit_not_visited",
))


def not_visited_params(days: int, tier: str, now, place=None) -> dict:
    """The list's filters as it applied them (``days`` with its default filled in, the
    region it was narrowed to) and the moment it was seen, as a job keeps them."""
    return {"days": days, "tier": tier, **({"region": place.code} if place else {}), AS_OF: now.isoformat()}

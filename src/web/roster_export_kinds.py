"""A roster's lines and the rosters list as Excel workbooks, exports that can run as
background jobs (exports app). The worker selects the rows again from the job's filters,
under the requester's scope as it is when the job runs; account numbers are masked."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exports.kinds import ExportKind, ExportRefused, invalid_filters, register
from workflows.rosters import services

from .roster_forms import LineFilterForm, RosterFilterForm
from .roster_rows import filter_lines, filtered_rosters, summary, write_lines, write_rosters


def roster_lines(user, params: dict):
    roster = services.visible_roster(user, params.get("roster"))
    if roster is None:
        raise ExportRefused(_("This roster is not in your region."))
    townships = [(row.code, row.name) for row in summary(roster).townships]
    data = {k: params.get(k, "") for k in ("status", "township", "q")}
    form = LineFilterForm(data, townships=townships)
    if not form.is_valid():
        raise invalid_filters(form, _("The filters of this export are not valid: %(errors)s"))
    return filter_lines(roster, **{k: form.cleaned_data[k] or "" for k in data})


ROSTER_LINES = register(ExportKind(
    name="roster_lines", label=gettext_lazy("Roster lines"), permission="rosters.view_roster",
    audit_event="rosters.lines.exported", filename="roster-lines", select=roster_lines, write=write_lines,
    list_url="roster_list",
))


def line_params(roster, values: dict) -> dict:
    return {"roster": roster.pk, **values}


def rosters(user, params: dict):
    form, rows = filtered_rosters(user, {k: v for k, v in params.items() if v})
    if form.is_bound and not form.is_valid():
        raise invalid_filters(form, _("The filters of this export are not valid: %(errors)s"))
    return rows


ROSTERS = register(ExportKind(
    name="rosters", label=gettext_lazy("Payment rosters"), permission="rosters.view_roster",
    audit_event="rosters.list.exported", filename="rosters", select=rosters, write=write_rosters,
    list_url="roster_list",
))


def roster_params(form: RosterFilterForm) -> dict:
    if not (form.is_bound and form.is_valid()):
        return {"program": "", "month": ""}
    month = form.cleaned_data["month"]
    return {"program": form.cleaned_data["program"], "month": f"{month:%Y-%m}" if month else ""}

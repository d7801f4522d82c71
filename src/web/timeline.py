"""The household's timeline (一户一条救助链): every application, payment, schedule entry,
review, notice, visit and letter of the household on one page, by year, and as a sheet.

The events are workflows.timeline's; these views only load the household through the
region scope (404 outside it), read the filters and answer.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from openpyxl.cell import WriteOnlyCell

from audit import services as audit
from core.decorators import staff_view
from exports.responses import attachment, timestamped
from exports.xlsx import header, local_time, streamed_workbook, text_cell
from workflows import timeline

from .households import household_for


class TimelineFilterForm(forms.Form):
    """A program and a year, each offered from the household's own events."""

    program = forms.ChoiceField(label=gettext_lazy("Program"), required=False)
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, data=None, *, years=()):
        super().__init__(data)
        self.fields["program"].choices = [("", _("All programs")), *timeline.program_choices()]
        self.fields["year"].choices = [("", _("All years")), *((str(y), str(y)) for y in years)]


def _timeline(request, household):
    """(form, events): an invalid filter finds nothing rather than widening the list."""
    everything = timeline.household_timeline(request.user, household)
    years = sorted({event.year for event in everything}, reverse=True)
    form = TimelineFilterForm(request.GET or None, years=years)
    if not form.is_bound:
        return form, everything
    if not form.is_valid():
        return form, []
    return form, timeline.only(everything, program=form.cleaned_data["program"], year=form.cleaned_data["year"])


@staff_view("registry.view_household")
@require_safe
def household_timeline(request, pk):
    household = household_for(request.user, pk)
    form, events = _timeline(request, household)
    return render(request, "registry/household_timeline.html",
                  {"household": household, "form": form, "events": events})


@staff_view("registry.view_household")
@require_safe
def household_timeline_export(request, pk):
    """The timeline as the page shows it (same filters) in one sheet, audited."""
    household = household_for(request.user, pk)
    form, events = _timeline(request, household)
    content = _workbook(household, events, request.build_absolute_uri("/"))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    audit.record("registry.timeline.exported", actor=request.user, obj=household, region_code=household.region_id,
                 extra={"rows": len(events), "program": filters.get("program") or "",
                        "year": filters.get("year") or ""}, request=request)
    display = _("Household %(number)s timeline") % {"number": household.pk}
    return attachment(content, timestamped(f"household-{household.pk}-timeline"),
                      display_name=timestamped(display))


def _workbook(household, events, site: str) -> bytes:
    out = io.BytesIO()
    with streamed_workbook(out) as book:
        sheet = book.create_sheet(_("Timeline"))
        header(sheet, [_("Date"), _("Kind"), _("Program"), _("Event"), _("Details"), _("Amount (yuan)"),
                       _("Link")], [18, 16, 18, 36, 48, 14, 40])
        for event in events:
            amount = WriteOnlyCell(sheet, value=event.amount if isinstance(event.amount, Decimal) else None)
            amount.number_format = "#,##0.00"
            sheet.append([local_time(sheet, event.when), text_cell(sheet, event.kind_label),
                          text_cell(sheet, event.program_label), text_cell(sheet, event.title),
                          text_cell(sheet, event.detail), amount,
                          text_cell(sheet, site.rstrip("/") + event.url if event.url else "")])
    return out.getvalue()

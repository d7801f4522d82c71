"""Filters of the deadline breach list, and the reason for pausing a clock."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from deadlines.reports import AGE_KEYS, step_choices
from regions.codes import Level
from regions.models import Region

AGE_LABELS = {
    "lt1d": _("Less than 1 day"),
    "1to3d": _("1–3 days"),
    "3to7d": _("3–7 days"),
    "gt7d": _("More than 7 days"),
}


def region_choices(user) -> list:
    """Counties and townships the user may see; townships indented under their county."""
    places = Region.objects.visible_to(user).filter(level__in=[Level.COUNTY, Level.TOWNSHIP]).order_by("code")
    return [("", _("All of my region"))] + [
        (r.code, r.name if r.level == Level.COUNTY else f"\N{EN SPACE}\N{EN SPACE}{r.name}") for r in places
    ]


class BreachFilterForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"), required=False)
    step = forms.ChoiceField(label=_("Step"), required=False)
    age = forms.ChoiceField(
        label=_("Overdue by"), required=False,
        choices=[("", _("Any time"))] + [(key, AGE_LABELS[key]) for key in AGE_KEYS],
    )

    def __init__(self, *args, user, with_age: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(user)
        self.fields["step"].choices = [("", _("All steps"))] + step_choices()
        if not with_age:
            del self.fields["age"]

    def filters(self) -> dict:
        """The cleaned filters as keyword arguments of the deadlines.reports queries."""
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


class PauseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the clock paused?"), max_length=200,
        help_text=_("For example: waiting for the applicant's hospital records."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

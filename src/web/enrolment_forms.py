"""The forms of the 低保/特困 pages that are not a step: an objection to a running notice,
the extension of a case's whole-case limit, the public-notice filters and the drawing of
特困's spot checks. Each only reads the browser's fields; the services check the rest."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import programs
from workflows.enrolment.models import NoticeKind

ENROLMENT_PROGRAMS = ("dibao", "tekun")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def enrolment_program_choices() -> list[tuple[str, str]]:
    return [(spec.code, spec.label) for spec in programs.programs() if spec.code in ENROLMENT_PROGRAMS]


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("What was said against the notice"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("The notice is withdrawn and the case is investigated again."))
    raised_by = forms.CharField(label=_("Raised by"), max_length=100, required=False,
                                help_text=_("Who objected (a villager, a neighbour…); may stay empty."))


class ExtensionForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the extension"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Kept on the case. The limit is extended once, as far as the county's rule allows."))


class NoticeFilterForm(forms.Form):
    program = forms.ChoiceField(label=_("Program"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All kinds")), *NoticeKind.choices])
    running = forms.BooleanField(label=_("Running now only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", _("All programs")), *enrolment_program_choices()]


class SpotCheckForm(forms.Form):
    """The month whose approvals are drawn from, and the county (a city's reviewer chooses)."""

    period = forms.CharField(label=_("Month approved"), max_length=7,
                             widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
                             help_text=_("YYYY-MM"))
    county = forms.ChoiceField(label=_("County"))

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = counties
        if len(counties) == 1:
            self.fields["county"].initial = counties[0][0]
            self.fields["county"].widget = forms.HiddenInput()
        if not self.is_bound:
            self.fields["period"].initial = timezone.localdate().strftime("%Y-%m")

    def clean_period(self):
        period = self.cleaned_data["period"].strip()
        if not MONTH.match(period):
            raise forms.ValidationError(_("Give the month as YYYY-MM."))
        return period

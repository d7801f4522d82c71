"""The step forms of temporary assistance that the shared ones (forms.steps) do not cover."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from forms.cases import ApplicationForm
from forms.steps import ConfirmForm, DecisionForm, MoneyField, StepForm

from .models import CauseCategory, Kind


class OpeningForm(ApplicationForm):
    """Applying for temporary assistance on the web: the shared fields and this program's own."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, widget=forms.RadioSelect)
    cause_category = forms.ChoiceField(label=_("Cause category"),
                                       choices=[("", _("Choose"))] + CauseCategory.choices)
    amount_requested = MoneyField(label=_("Amount requested (yuan)"))
    new_cause = forms.CharField(
        label=_("New cause"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The household applied for the same cause recently: say what is new."))

    program_field_names = ("kind", "cause_category")

    @property
    def follow_up_fields(self) -> list:
        # The repeat-application field appears once the service asked for it (or it was filled).
        asked = self.is_bound and (self.errors.get("new_cause") or self.data.get("new_cause"))
        return [self["new_cause"]] if asked else []


class PayFirstForm(StepForm):
    amount = MoneyField(label=_("Amount paid now (yuan)"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    submit_label = _("Pay from the reserve fund")


class CountyDecisionForm(DecisionForm):
    decision_choices = ("approve", "reject")


class ReceiveDocumentsForm(ConfirmForm):
    submit_label = _("The missing documents have arrived")


class DisburseForm(ConfirmForm):
    submit_label = _("Pay the next instalment")


class FileForm(ConfirmForm):
    submit_label = _("Filed with the county")

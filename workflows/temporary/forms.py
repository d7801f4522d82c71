"""The step forms of temporary assistance that the shared ones (forms.steps) do not cover."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from forms.steps import ConfirmForm, DecisionForm, MoneyField, StepForm


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

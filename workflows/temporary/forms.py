"""The step forms of temporary assistance that the shared ones (forms.steps) do not cover."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.money import figures
from forms.cases import ApplicationForm
from forms.steps import ConfirmForm, DecisionForm, InvestigateForm, MoneyField, StepForm

from . import rules
from .models import CauseCategory, Kind


def show_limits(field, case, *, township_limit: bool) -> None:
    """Put the rules in force for this case on an amount field before they bite: the
    township's approval limit and the band of the case's cause, as words under the field
    and as data-min / data-max the page warns with while the person types."""
    details = case.details
    low, high = rules.amount_limits(case.region_code, case.household.registration,
                                    details.cause_category if details else CauseCategory.OTHER)
    parts, ceiling = [], high
    if township_limit:
        limit = rules.assistance_rule(case.region_code).township_limit
        parts.append(gettext("township approval limit %(limit)s yuan") % {"limit": figures(limit)})
        ceiling = limit if high is None else min(high, limit)
    cause = details.get_cause_category_display() if details else ""
    if low is not None or high is not None:
        band = (f"{figures(low)}–{figures(high)}" if low is not None and high is not None
                else (gettext("at least %(min)s") % {"min": figures(low)} if low is not None
                      else gettext("at most %(max)s") % {"max": figures(high)}))
        parts.append(gettext("%(cause)s: %(band)s yuan") % {"cause": cause, "band": band})
    high = ceiling
    if parts:
        field.help_text = "；".join(str(p) for p in parts)
        field.widget.attrs["data-over"] = gettext("Above what the rules allow here, at most ")
        field.widget.attrs["data-under"] = gettext("Below what the rules allow here, at least ")
        if low is not None:
            field.widget.attrs["data-min"] = str(low)
        if high is not None:
            field.widget.attrs["data-max"] = str(high)


class TemporaryInvestigateForm(InvestigateForm):
    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        show_limits(self.fields["recommended_amount"], case, township_limit=False)


class TownshipDecisionForm(DecisionForm):
    """The township's decision: its limit and the cause's band on the amount, which starts
    at the investigation's recommendation."""

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        show_limits(self.fields["amount_approved"], case, township_limit=True)
        if case.recommended_amount is not None:
            self.fields["amount_approved"].initial = case.recommended_amount


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

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        limit = rules.assistance_rule(case.region_code).township_limit
        self.fields["amount"].help_text = gettext("At most %(limit)s yuan before investigation.") % {
            "limit": figures(limit)}
        self.fields["amount"].widget.attrs["data-max"] = str(limit)


class CountyDecisionForm(DecisionForm):
    decision_choices = ("approve", "reject")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        show_limits(self.fields["amount_approved"], case, township_limit=False)
        if case.recommended_amount is not None:
            self.fields["amount_approved"].initial = case.recommended_amount


class ReceiveDocumentsForm(ConfirmForm):
    submit_label = _("The missing documents have arrived")


class DisburseForm(ConfirmForm):
    submit_label = _("Pay the next instalment")


class FileForm(ConfirmForm):
    submit_label = _("Filed with the county")

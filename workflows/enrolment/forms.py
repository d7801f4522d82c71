"""The step forms of 低保 and 特困 enrolment (each serves the web task page and the API's JSON)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.money import figures
from forms.cases import ApplicationForm
from forms.steps import (
    ConfirmForm,
    DecisionForm,
    FlagField,
    IntakeForm,
    InvestigateForm,
    MoneyField,
    StepForm,
    staff_choices,
)
from regions.codes import Level, within

from .models import ObjectionOutcome

SOURCE_LABELS = {
    "registration": _("Household registration"),
    "tax": _("Tax"),
    "social_insurance": _("Social insurance"),
    "property": _("Real estate"),
    "vehicle": _("Vehicles"),
    "business": _("Business registration"),
    "deposit": _("Bank deposits"),
    "securities": _("Securities"),
}
RESULT_CHOICES = [("clear", _("Nothing found")), ("found", _("Found: see the note"))]


class EnrolmentIntakeForm(IntakeForm):
    local = None  # 低保 and 特困 are applied for where the household is registered
    json_defaults: dict = {}


class EnrolmentInvestigateForm(InvestigateForm):
    recommended_amount = None  # the amount comes from the means test at the review
    family_signed = FlagField(label=_("The record is signed by the team and the family"),
                              help_text=_("Required: the investigation record carries both signatures."))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        if case.related_to_staff:
            # A staff relative's case: the county's own staff investigate it.
            staff = (get_user_model().objects.filter(within("region__code", case.region_code, Level.COUNTY),
                                                     region__level=Level.COUNTY, is_active=True)
                     .order_by("username"))
            self.fields["investigators"].choices = staff_choices(staff)
            self.fields["investigators"].help_text = _("A relative of staff: at least two county staff investigate.")


class ReceiveDocumentsForm(ConfirmForm):
    submit_label = _("The missing documents have arrived")


class VerifyForm(StepForm):
    """核对: a result for every source, from the radio buttons or the API's ``results`` object."""

    note = forms.CharField(label=_("Note"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Say what was found, source by source."))
    submit_label = _("Record the verification")
    # Over the API a result's error is named as it was sent: "results": {"tax": [...]}.
    json_error_fields = {f"result_{s}": f"results.{s}" for s in SOURCE_LABELS}

    def __init__(self, data=None, *args, case=None, from_json: bool = False, **kwargs):
        if from_json and isinstance(data, dict):
            results = data.get("results")
            data = {**data, **({f"result_{k}": v for k, v in results.items()} if isinstance(results, dict) else {})}
        super().__init__(data, *args, case=case, from_json=from_json, **kwargs)
        for source, label in SOURCE_LABELS.items():
            self.fields[f"result_{source}"] = forms.ChoiceField(label=label, choices=RESULT_CHOICES,
                                                                widget=forms.RadioSelect)
        self.order_fields([f"result_{s}" for s in SOURCE_LABELS] + ["note"])

    def clean(self):
        data = super().clean()
        if any(data.get(f"result_{s}") == "found" for s in SOURCE_LABELS) and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what was found."))
        return data

    def service_fields(self) -> dict:
        return {"results": {s: self.cleaned_data[f"result_{s}"] for s in SOURCE_LABELS},
                "note": self.cleaned_data.get("note", "")}


class ReviewForm(StepForm):
    decision = forms.ChoiceField(label=_("Opinion"), widget=forms.RadioSelect, choices=[
        ("recommend", _("Recommend (posted for public notice where the county keeps one)")),
        ("reject", pgettext_lazy("decision", "Reject"))])
    amount = MoneyField(label=_("Monthly benefit (yuan)"), required=False,
                        help_text=_("Empty: the amount the means test gives."))
    reason = forms.CharField(label=_("Opinion and reasons"), max_length=5000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Required for a rejection: they are written into the notice."))
    submit_label = _("Record the first review")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        show_means(self.fields["amount"], case)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("A rejection must give its reasons in writing."))
        return data


def show_means(field, case) -> None:
    """Start the amount at what the means test gives today, and say so under the field."""
    from .services import assessment

    try:
        _result, amount, size = assessment(case)
    except Exception:  # noqa: BLE001 - the page still opens; the service explains on submit
        return
    field.initial = amount
    field.help_text = gettext("The means test gives %(amount)s yuan a month for %(size)s people.") % {
        "amount": figures(amount), "size": size}
    field.widget.attrs["data-max"] = str(amount)
    field.widget.attrs["data-over"] = gettext("More than the means test gives, at most ")


class ReinvestigateForm(StepForm):
    findings = forms.CharField(label=_("Findings"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    outcome = forms.ChoiceField(label=_("The objection is"), choices=ObjectionOutcome.choices,
                                widget=forms.RadioSelect)
    submit_label = _("Record the re-investigation")


class ConfirmDecisionForm(DecisionForm):
    decision_choices = ("approve", "reject")
    instalments = None

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["amount_approved"].label = _("Monthly amount approved (yuan)")
        show_means(self.fields["amount_approved"], case)
        if case.recommended_amount is not None:
            self.fields["amount_approved"].initial = case.recommended_amount


class OpeningForm(ApplicationForm):
    """Applying for 低保 or 特困 on the web: the shared fields, and a member covered alone."""

    covered_member = forms.TypedChoiceField(
        label=_("Individual coverage (单人保)"), required=False, coerce=int, empty_value=None,
        help_text=_("Only for a member with a severe disability or a serious illness in a near-dibao household. "
                    "Empty: the whole household."))

    amount_requested = None  # the amount comes from the means test
    program_field_names = ("covered_member",)

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, household=household, **kwargs)
        members = sorted(household.members.all(), key=lambda p: (p.relation != "head", p.pk))
        self.fields["covered_member"].choices = [("", _("The whole household"))] + [(p.pk, p.name) for p in members]

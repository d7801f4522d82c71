"""Forms of the temporary-assistance pages: opening a case, finding cases, and one form
per step of the flow with the fields of the API's step table (API.md).

The forms check what a form can (a number is a number, a required field is filled);
the step services check everything else and their messages land on these fields.
Amounts are cleaned by the very function the services use, so a page and the API
refuse the same amounts with the same words.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assistance.models import CauseCategory, Kind, Program, Status
from core.errors import InvalidInput
from core.money import parse_amount
from regions.codes import Level, within
from regions.models import Region
from staff.roles import Role

from .supervision import region_choices

MONEY_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "placeholder": "800.00", "class": "money-input"}
# Staff who may sit on an investigation team.
INVESTIGATOR_ROLES = (Role.CASEWORKER, Role.TOWNSHIP_HEAD)
# Commas (ASCII or full-width), the enumeration comma and spaces all separate instalments.
INSTALMENT_SEPARATORS = re.compile(r"[,，、;；\s]+")


def _invalid(exc: InvalidInput) -> forms.ValidationError:
    messages = [m for value in exc.errors.values() for m in (value if isinstance(value, list | tuple) else [value])]
    return forms.ValidationError([str(m) for m in messages])


class MoneyField(forms.CharField):
    """An amount in yuan: positive, at most two decimals (the services' own rule)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs=MONEY_ATTRS))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value.replace(",", "").replace("，", ""), "amount")
        except InvalidInput as exc:
            raise _invalid(exc) from None


class InstalmentsField(forms.CharField):
    """Optional instalment plan: amounts separated by commas, e.g. "600, 600"."""

    def clean(self, value):
        value = super().clean(value)
        parts = [p for p in INSTALMENT_SEPARATORS.split(value or "") if p]
        try:
            return [parse_amount(p, "instalments") for p in parts]
        except InvalidInput as exc:
            raise _invalid(exc) from None


def _yes_no(label, *, yes, no):
    return forms.TypedChoiceField(label=label, choices=[("yes", yes), ("no", no)], widget=forms.RadioSelect,
                                  coerce=lambda v: v == "yes")


# --- Opening a case ----------------------------------------------------------------------------

class HouseholdFindForm(forms.Form):
    q = forms.CharField(
        label=_("Name or last ID digits"), max_length=50, required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. 王 or 0314")}),
    )


class ApplicationForm(forms.Form):
    program = forms.ChoiceField(label=_("Program"), choices=[(Program.TEMPORARY, Program.TEMPORARY.label)],
                                initial=Program.TEMPORARY)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, widget=forms.RadioSelect)
    cause_category = forms.ChoiceField(label=_("Cause category"),
                                       choices=[("", _("Choose"))] + CauseCategory.choices)
    cause = forms.CharField(label=_("Cause"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("What happened, and what the family must pay for."))
    amount_requested = MoneyField(label=_("Amount requested (yuan)"))
    applicant = forms.TypedChoiceField(label=_("Applicant"), coerce=int)
    related_to_staff = forms.BooleanField(
        label=_("The applicant is a relative of staff or of a village-committee member"), required=False,
        help_text=_("Such cases are registered separately and decided by the county."))
    new_cause = forms.CharField(
        label=_("New cause"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The household applied for the same cause recently: say what is new."))

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        members = sorted(household.members.all(), key=lambda p: (p.relation != "head", p.pk))
        self.fields["applicant"].choices = [(p.pk, f"{p.name} {p.masked_id}") for p in members]
        head = household.head
        if head is not None:
            self.fields["applicant"].initial = head.pk

    @property
    def needs_new_cause(self) -> bool:
        """The repeat-application field is shown once the service asked for it (or it was filled)."""
        return bool(self.is_bound and (self.errors.get("new_cause") or self.data.get("new_cause")))

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        return {**data, "household": self.household.pk}


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    q = forms.CharField(
        label=_("Applicant, ID digits or number"), max_length=50, required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. 王 or 0314")}),
    )

    OPEN = "open"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["status"].choices = [("", _("Any status")), (self.OPEN, _("Open cases"))] + Status.choices
        self.fields["region"].choices = region_choices(user)

    def clean_region(self):
        code = self.cleaned_data["region"]
        if not code:
            return None
        region = Region.objects.visible_to(self.user).filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("Choose a region within yours."))
        return region


# --- Steps ----------------------------------------------------------------------------------------

class StepForm(forms.Form):
    """A step's form: ``service_fields()`` are the keyword arguments of its service."""

    submit_label = _("Done")

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class IntakeForm(StepForm):
    complete = _yes_no(_("Are the documents complete?"), yes=_("Complete: accept the application"),
                       no=_("Incomplete: tell the applicant what is missing"))
    missing = forms.CharField(
        label=_("What is missing"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One item per line, all at once: the applicant is told only once, in writing."))
    local = forms.BooleanField(
        label=_("Local household registration or residence permit"), required=False, initial=True,
        help_text=_("Untick for someone without either: the case is referred to the relief station."))
    submit_label = _("Record intake")

    def clean_missing(self):
        return [line.strip() for line in self.cleaned_data["missing"].splitlines() if line.strip()]

    def clean(self):
        data = super().clean()
        if data.get("complete") is False and data.get("local", True) and not data.get("missing"):
            self.add_error("missing", _("List everything that is missing, all at once."))
        return data


class InvestigateForm(StepForm):
    investigators = forms.MultipleChoiceField(
        label=_("Investigators"), widget=forms.CheckboxSelectMultiple,
        help_text=_("At least two staff members of the township who visited the family."))
    findings = forms.CharField(label=_("Findings"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    recommended_amount = MoneyField(label=_("Recommended amount (yuan)"), required=False)
    submit_label = _("Record the investigation")

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, application=application, **kwargs)
        staff = (get_user_model().objects.filter(within("region__code", application.region_code, Level.TOWNSHIP),
                                                 is_active=True, groups__name__in=INVESTIGATOR_ROLES)
                 .distinct().order_by("username").only("username", "first_name", "last_name"))
        self.fields["investigators"].choices = [(u.username, f"{u.display_name} ({u.username})") for u in staff]

    def clean_investigators(self):
        names = list(dict.fromkeys(self.cleaned_data["investigators"]))
        if len(names) < 2:
            raise forms.ValidationError(_("An investigation needs two different staff members."))
        return names


class PayFirstForm(StepForm):
    amount = MoneyField(label=_("Amount paid now (yuan)"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    submit_label = _("Pay from the reserve fund")


DECISIONS = {
    "approve": pgettext_lazy("decision", "Approve"),
    "reject": pgettext_lazy("decision", "Reject"),
    "refer": _("Refer to the county"),
}


class DecisionForm(StepForm):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[(k, DECISIONS[k]) for k in ("approve", "reject", "refer")])
    amount_approved = MoneyField(label=_("Amount approved (yuan)"), required=False)
    reason = forms.CharField(label=_("Reasons"), max_length=5000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Required for a rejection: they are written into the notice."))
    instalments = InstalmentsField(
        label=_("Instalments (optional)"), required=False, max_length=200,
        help_text=_("To pay in parts, the amounts separated by commas, e.g. 600, 600. Empty: all at once."))
    submit_label = _("Record the decision")

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == "approve" and not data.get("amount_approved") and "amount_approved" not in self.errors:
            self.add_error("amount_approved", _("An approval needs the approved amount."))
        if decision == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("A rejection must give its reasons in writing."))
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("decision") != "approve":
            data.pop("amount_approved", None)
            data.pop("instalments", None)
        if not data.get("instalments"):
            data.pop("instalments", None)
        return data


class CountyDecisionForm(DecisionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [(k, DECISIONS[k]) for k in ("approve", "reject")]


class ConfirmForm(StepForm):
    """Steps without fields: the button is the record."""


class ReceiveDocumentsForm(ConfirmForm):
    submit_label = _("The missing documents have arrived")


class DisburseForm(ConfirmForm):
    submit_label = _("Pay the next instalment")


class FileForm(ConfirmForm):
    submit_label = _("Filed with the county")


STEP_FORMS: dict[str, type[StepForm]] = {
    "intake": IntakeForm,
    "receive_documents": ReceiveDocumentsForm,
    "investigate": InvestigateForm,
    "pay_first": PayFirstForm,
    "complete_paperwork": InvestigateForm,
    "township_approve": DecisionForm,
    "county_approve": CountyDecisionForm,
    "disburse": DisburseForm,
    "file_with_county": FileForm,
}

"""What the step forms of every program are built from.

A step's form is declared once, in its program's step table, and serves both the web
task page (a POST) and the API's complete endpoint (a JSON object). So its fields
read either: a yes/no from radio buttons or a JSON boolean, a list from a textarea
(one item a line) or a JSON array, amounts as text or as JSON numbers.

The forms check what a form can (a number is a number, a required field is filled);
the step services check everything else, and their messages land on these fields.
Amounts are cleaned by the very function the services use, so a page and the API
refuse the same amounts with the same words.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assistance.services import investigator_candidates
from core import programs
from core.errors import InvalidInput
from core.money import AmountFormField, parse_amount
from staff.roles import role_label

# Commas (ASCII or full-width), the enumeration comma and spaces all separate instalments.
INSTALMENT_SEPARATORS = re.compile(r"[,，、;；\s]+")


def _invalid(exc: InvalidInput) -> forms.ValidationError:
    messages = [m for value in exc.errors.values() for m in (value if isinstance(value, list | tuple) else [value])]
    return forms.ValidationError([str(m) for m in messages])


class MoneyField(AmountFormField):
    """A positive amount in yuan (core.money's one form field), also from a JSON number."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("placeholder", "800.00")

    def to_python(self, value):
        if isinstance(value, bool):
            raise forms.ValidationError(_("Enter an amount in yuan, e.g. 800.00."))
        if isinstance(value, int | float):
            value = str(value)
        return super().to_python(value)


class InstalmentsField(forms.CharField):
    """Optional instalment plan: amounts separated by commas ("600, 600"), or a JSON list."""

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return ",".join(str(v) for v in value)
        return super().to_python(value)

    def clean(self, value):
        value = super().clean(value)
        parts = [p for p in INSTALMENT_SEPARATORS.split(value or "") if p]
        try:
            return [parse_amount(p, "instalments") for p in parts]
        except InvalidInput as exc:
            raise _invalid(exc) from None


class LinesField(forms.CharField):
    """A list of short items: one a line in a textarea, or a JSON list of strings."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, list | tuple):
            if not all(isinstance(item, str) for item in value):
                raise forms.ValidationError(_("List the items as text."))
            return "\n".join(value)
        return super().to_python(value)

    def clean(self, value):
        value = super().clean(value)
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class YesNoField(forms.TypedChoiceField):
    """Two radio buttons on a page, a JSON boolean over the API."""

    def __init__(self, label, *, yes, no, **kwargs):
        super().__init__(label=label, choices=[("yes", yes), ("no", no)], widget=forms.RadioSelect,
                         coerce=lambda v: v == "yes", **kwargs)

    def to_python(self, value):
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return super().to_python(value)


class FlagField(forms.BooleanField):
    """A tick box; over the API a JSON boolean. Absent means its initial value, as a page shows it."""

    def __init__(self, *args, default=False, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", default)
        self.default = default
        super().__init__(*args, **kwargs)


class StepForm(forms.Form):
    """A step's form: ``case`` is the flow's artifact (the case, or what the flow is
    about); ``service_fields()`` are the keyword arguments of the step's service."""

    submit_label = _("Done")
    # Fields a JSON client may leave out: their initial value is used (a page always sends them).
    json_defaults: dict = {}

    def __init__(self, data=None, *args, case=None, from_json: bool = False, **kwargs):
        if from_json and data is not None:
            data = {**{k: v for k, v in self.json_defaults.items()}, **data}
        super().__init__(data, *args, **kwargs)
        self.case = case

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class ConfirmForm(StepForm):
    """Steps without fields: the button is the record."""


class IntakeForm(StepForm):
    complete = YesNoField(_("Are the documents complete?"), yes=_("Complete: accept the application"),
                          no=_("Incomplete: tell the applicant what is missing"))
    missing = LinesField(
        label=_("What is missing"), required=False, max_length=5000,
        help_text=_("One item per line, all at once: the applicant is told only once, in writing."))
    local = FlagField(
        label=_("Local household registration or residence permit"), default=True,
        help_text=_("Untick for someone without either: the case is referred to the relief station."))
    submit_label = _("Record intake")
    json_defaults = {"local": True}

    def clean(self):
        data = super().clean()
        if data.get("complete") is False and data.get("local", True) and not data.get("missing"):
            self.add_error("missing", _("List everything that is missing, all at once."))
        return data


def staff_choices(staff, deciding: set[str] = frozenset()) -> list[tuple[str, str]]:
    """(username, label) of staff to choose from: each by name and roles, never by username
    (one query for everyone's roles), warned beside those whose role decides the case."""
    roles: dict[int, list[str]] = {}
    for pk, role in (get_user_model().groups.through.objects.filter(user_id__in=[u.pk for u in staff])
                     .order_by("group__name").values_list("user_id", "group__name")):
        roles.setdefault(pk, []).append(role)
    warning = _("if on the team, may not decide this case")
    return [
        (u.username, _("%(name)s (%(roles)s)") % {
            "name": u.display_name, "roles": "、".join(role_label(r) for r in roles.get(u.pk, []))}
         + (f" — {warning}" if deciding.intersection(roles.get(u.pk, [])) else ""))
        for u in staff]


class InvestigateForm(StepForm):
    investigators = forms.MultipleChoiceField(
        label=_("Investigators"), widget=forms.CheckboxSelectMultiple,
        help_text=_("At least two staff members of the township who visited the family."))
    findings = forms.CharField(label=_("Findings"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    recommended_amount = MoneyField(label=_("Recommended amount (yuan)"), required=False)
    submit_label = _("Record the investigation")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        # The very people the step service accepts (assistance.services.investigator_candidates).
        staff = list(investigator_candidates(case).order_by("username").only("username", "first_name", "last_name"))
        # Whoever investigates may not decide the case afterwards: say so beside those whose role
        # decides it (the program's deciding steps), before they are chosen, not after.
        spec = programs.program(case.program)
        deciding = {s.role for s in spec.steps.values() if s.decides} if spec is not None else set()
        self.fields["investigators"].choices = staff_choices(staff, deciding)

    def clean_investigators(self):
        names = list(dict.fromkeys(self.cleaned_data["investigators"]))
        if len(names) < 2:
            raise forms.ValidationError(_("An investigation needs two different staff members."))
        return names


DECISIONS = {
    "approve": pgettext_lazy("decision", "Approve"),
    "reject": pgettext_lazy("decision", "Reject"),
    "refer": _("Refer to the county"),
}


class DecisionForm(StepForm):
    """Approve with an amount (optionally in instalments), reject with reasons, or refer."""

    decision_choices = ("approve", "reject", "refer")
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    amount_approved = MoneyField(label=_("Amount approved (yuan)"), required=False)
    reason = forms.CharField(label=_("Reasons"), max_length=5000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Required for a rejection: they are written into the notice."))
    instalments = InstalmentsField(
        label=_("Instalments (optional)"), required=False, max_length=200,
        help_text=_("To pay in parts, the amounts separated by commas, e.g. 600, 600. Empty: all at once."))
    # Asked for only when the duplicate-benefit guard found something (workflows.guard): the
    # task page shows it then, and workflows.engine.complete refuses a grant without it.
    override_reason = forms.CharField(
        label=_("Reason for granting despite the findings"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Possible duplicate benefits are listed above. To approve nonetheless, say why: the reason is "
                    "kept on the case and in its history."))
    submit_label = _("Record the decision")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [(k, DECISIONS[k]) for k in self.decision_choices]

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

"""Forms of the case pages: opening a case and finding cases. Each step's form is
declared in its program's step table (workflows/<program>/steps.py), built from
forms.steps."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core import programs
from regions.models import Region

from .steps import MoneyField
from .supervision import region_choices

# --- Opening a case ----------------------------------------------------------------------------

class HouseholdFindForm(forms.Form):
    q = forms.CharField(
        label=_("Name or last ID digits"), max_length=50, required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. 王 or 0314")}),
    )


class ApplicationForm(forms.Form):
    """What every program's application asks on the web; a program's opening form
    (``Program.opening_form``) subclasses it with its own fields, listed in
    ``program_field_names`` so the page shows them after the program."""

    program = forms.ChoiceField(label=_("Program"), widget=forms.HiddenInput)
    cause = forms.CharField(label=_("Cause"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("What happened, and what the family must pay for."))
    amount_requested = MoneyField(label=_("Amount requested (yuan)"), required=False)
    applicant = forms.TypedChoiceField(label=_("Applicant"), coerce=int)
    related_to_staff = forms.BooleanField(
        label=_("The applicant is a relative of staff or of a village-committee member"), required=False,
        help_text=_("Such cases are registered separately and decided by the county."))

    program_field_names: tuple[str, ...] = ()

    def __init__(self, *args, household, program: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        self.fields["program"].choices = [(program, program)]
        self.fields["program"].initial = program
        members = sorted(household.members.all(), key=lambda p: (p.relation != "head", p.pk))
        self.fields["applicant"].choices = [(p.pk, f"{p.name} {p.masked_id}") for p in members]
        head = household.head
        if head is not None:
            self.fields["applicant"].initial = head.pk

    @property
    def program_fields(self) -> list:
        return [self[name] for name in self.program_field_names]

    @property
    def follow_up_fields(self) -> list:
        """Fields shown only once the service asked for them (or they were filled)."""
        return []

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "") or k in self.program_field_names}
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
        self.fields["status"].choices = [("", _("Any status")), (self.OPEN, _("Open cases"))] + programs.status_choices()
        self.fields["region"].choices = region_choices(user)

    def clean_region(self):
        code = self.cleaned_data["region"]
        if not code:
            return None
        region = Region.objects.visible_to(self.user).filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("Choose a region within yours."))
        return region

"""The forms of the roster pages: make a roster, filter its lines, confirm the lock,
upload the bank's results, record a case's bank account. Each only reads the browser's
fields; workflows.rosters.services checks the rest (role, region, state)."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows.rosters.models import LineStatus, RosterProgram

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(value) -> datetime.date | None:
    match = MONTH.match(str(value or "").strip())
    return datetime.date(int(match[1]), int(match[2]), 1) if match else None


class MonthField(forms.Field):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-11", "inputmode": "numeric",
                                    "maxlength": "7"})

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("YYYY-MM"))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values or not str(value).strip():
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(_("Give the month as YYYY-MM."), code="invalid")
        return month

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, datetime.date) else value


class RosterRequestForm(forms.Form):
    county = forms.ChoiceField(label=_("County"))
    program = forms.ChoiceField(label=_("Program"), choices=RosterProgram.choices)
    month = MonthField(label=_("Month paid"))

    def __init__(self, *args, counties, **kwargs):
        kwargs.setdefault("initial", {"month": timezone.localdate().replace(day=1)})
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = counties
        if len(counties) == 1:
            self.fields["county"].initial = counties[0][0]


class RosterFilterForm(forms.Form):
    """The rosters list's filters."""

    program = forms.ChoiceField(label=_("Program"), required=False,
                                choices=[("", _("All programs")), *RosterProgram.choices])
    month = MonthField(label=_("Month paid"), required=False)


class LineFilterForm(forms.Form):
    """A roster's lines: by status, township, and name (payee or applicant)."""

    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *LineStatus.choices])
    township = forms.ChoiceField(label=_("Township"), required=False)
    q = forms.CharField(label=_("Name"), required=False, max_length=50)

    def __init__(self, *args, townships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [("", _("All townships")), *townships]


class LockForm(forms.Form):
    """What the person confirmed: the count and total they were shown. A roster generated
    again since then is not locked on an old confirmation."""

    lines = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    total = forms.DecimalField(widget=forms.HiddenInput, max_digits=14, decimal_places=2)
    confirm = forms.BooleanField(label=_("I have checked the number of lines and the total."))


class ResultsForm(forms.Form):
    file = forms.FileField(label=_("The bank's results (CSV)"),
                           help_text=_("Columns: line, status (paid or failed), bank_reference, reason. "
                                       "One invalid row and nothing is applied."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))


class BankAccountForm(forms.Form):
    holder = forms.CharField(label=_("Account holder"), max_length=50)
    bank_name = forms.CharField(label=_("Bank"), max_length=60)
    account_number = forms.CharField(label=_("Account number"), max_length=40,
                                     widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                                     help_text=_("8 to 34 digits; spaces are ignored."))

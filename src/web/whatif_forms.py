"""The forms of the policy what-if page: one per kind of hypothetical rule. Each only
reads the browser's fields; workflows.whatif.services checks the figures, the region and
who asks."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import AmountFormField
from means.calculation import Program
from workflows.enrolment.benefits import following_month
from workflows.temporary.models import CauseCategory
from workflows.whatif.models import Change, Kind


class DateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WhatIfForm(forms.Form):
    kind = ""
    region = forms.ChoiceField(label=_("City or county"))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions
        if regions:
            self.fields["region"].initial = regions[0][0]

    def service_fields(self) -> dict:
        return {"kind": self.kind, **self.cleaned_data}


class StandardForm(WhatIfForm):
    kind = Kind.STANDARD
    program = forms.ChoiceField(label=_("Program"), choices=Program.choices, initial=Program.DIBAO)
    on = DateField(label=_("In force from"))
    urban = AmountFormField(label=_("New urban standard (yuan a month per person)"), required=False)
    rural = AmountFormField(label=_("New rural standard (yuan a month per person)"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": following_month(timezone.localdate())})
        super().__init__(*args, **kwargs)
        self.fields["urban"].help_text = _("Leave empty to keep the standard in force.")
        self.fields["rural"].help_text = _("Leave empty to keep the standard in force.")

    def clean_on(self):
        value = self.cleaned_data["on"]
        return value.isoformat() if isinstance(value, datetime.date) else value


class LimitForm(WhatIfForm):
    kind = Kind.TOWNSHIP_LIMIT
    limit = AmountFormField(label=_("New township approval limit (yuan)"))


class BandForm(WhatIfForm):
    kind = Kind.BAND
    cause_category = forms.ChoiceField(label=_("Cause category"), choices=CauseCategory.choices)
    min_multiple = forms.DecimalField(label=_("At least (× dibao standard)"), required=False, min_value=0,
                                      max_digits=5, decimal_places=2)
    max_multiple = forms.DecimalField(label=_("At most (× dibao standard)"), required=False, min_value=0,
                                      max_digits=5, decimal_places=2)
    max_amount = AmountFormField(label=_("At most (yuan)"), required=False)


FORMS = {Kind.STANDARD: StandardForm, Kind.TOWNSHIP_LIMIT: LimitForm, Kind.BAND: BandForm}


class RowFilterForm(forms.Form):
    change = forms.ChoiceField(label=_("Change"), required=False)

    def __init__(self, *args, changes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change"].choices = [("", _("All"))] + [(c, Change(c).label) for c in changes]

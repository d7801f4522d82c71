"""Filters of the audit trail page."""

from __future__ import annotations

import datetime

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CalendarDateField(forms.DateField):
    """A day the trail can be searched by: from 1900 to 2999. The page searches up to the
    day after the last one asked for, which 9999-12-31 does not have (a 500)."""

    default_validators = [MinValueValidator(datetime.date(1900, 1, 1)),
                          MaxValueValidator(datetime.date(2999, 12, 31))]


class AuditFilterForm(forms.Form):
    # Chosen by its name; the address may also carry the start of a code (``registry.``),
    # which finds every event beginning with it.
    event = forms.CharField(label=_("Event"), max_length=100, required=False, widget=forms.Select())
    date_from = CalendarDateField(label=_("From"), required=False, widget=DateInput())
    date_to = CalendarDateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].widget.choices = [("", _("All events")), *events]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

"""Forms of the reserve-fund pages. Amounts are read by the same parser the services
and the API use, so every caller gets the same message for the same input."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from core.money import AmountFormField
from forms.steps import StepForm


def apply_errors(form: forms.Form, errors: dict) -> None:
    """Show a service's InvalidInput on the form, on the field it names when there is one."""
    for field, messages in errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class SubmittedOnce(forms.Form):
    """A form whose every rendering carries a key of its own (a hidden field): the same
    form sent twice — a double click, a resent request, the back button — records one
    ledger entry, the ledger's unique idempotency key refusing the second. A new form
    (the page after a success) has a new key."""

    once = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4,
                           error_messages={"required": _("This form has expired: load the page again."),
                                           "invalid": _("This form has expired: load the page again.")})
    idempotency_prefix = ""

    def idempotency_key(self, fund) -> str:
        return f"{self.idempotency_prefix}:{fund.pk}:{self.cleaned_data['once']}"


class AllocationForm(SubmittedOnce):
    idempotency_prefix = "allocation-form"
    amount = AmountFormField(label=_("Amount (yuan)"))
    reference = forms.CharField(label=_("Reference"), max_length=100,
                                help_text=_("e.g. the county's payment voucher number"))


class AdjustmentForm(SubmittedOnce):
    idempotency_prefix = "adjustment-form"
    amount = AmountFormField(label=_("Amount (yuan, negative to reduce)"), signed=True)
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class LimitsForm(forms.Form):
    low_water_mark = AmountFormField(label=_("Low-water mark (yuan)"), allow_zero=True)
    target_balance = AmountFormField(label=_("Standard amount (yuan)"), allow_zero=True)


class ReplenishmentRequestForm(forms.Form):
    amount = AmountFormField(label=_("Amount needed (yuan)"), required=False,
                         help_text=_("Leave empty to ask for the difference to the standard amount."))
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(StepForm):
    """The ``replenish`` step's form: the fund's page and the API's complete endpoint."""

    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("approve", _("Approve and allocate")), ("reject", _("Reject"))])
    amount = AmountFormField(label=_("Amount to allocate (yuan)"), required=False,
                         help_text=_("Leave empty to allocate the amount requested."))
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False,
                                help_text=_("Required to approve: the county's payment voucher number."))
    reason = forms.CharField(label=_("Reasons"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Required when rejecting."))


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Why did the payout fail or get cancelled?"), max_length=1000)


class SignOffForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

"""The sample program's step services: one per state change, through the shared helpers."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from assistance.services import check_separation, locked_case, record, save_status
from core.errors import InvalidInput
from forms.steps import MoneyField, StepForm, YesNoField

from .models import SampleCase


def open_case(actor, *, household, errors: dict, amount_requested=None, **fields) -> dict:
    # The shared case holds any amount requested; the sample program has no fields of its own.
    if fields:
        errors.update({name: ["The sample program has no such field."] for name in fields})
    return {}


def register(user, task, *, complete: bool, request=None):
    case = locked_case(task, SampleCase)
    if not complete:
        raise InvalidInput({"complete": ["The sample program only registers complete cases."]})
    before = case.status
    case.registered()
    case.intake_by = user
    save_status(case, "intake_by")
    record("sample_registered", user, case, before, request=request)
    return case


def assess(user, task, *, findings: str, amount, request=None):
    case = locked_case(task, SampleCase)
    before = case.status
    case.assessed()
    case.findings, case.recommended_amount = findings, amount
    save_status(case, "findings", "recommended_amount")
    record("sample_assessed", user, case, before, request=request)
    return case


def decide(user, task, *, grant: bool, reason: str = "", request=None):
    case = locked_case(task, SampleCase)
    check_separation(user, case, task)
    before = case.status
    if grant:
        case.grant()
        case.amount_approved = case.recommended_amount
    else:
        case.refuse()
    case.decided_by, case.decided_at, case.decision_reason = user, timezone.now(), reason
    save_status(case, "amount_approved", "decided_by", "decided_at", "decision_reason")
    record("sample_decided", user, case, before, reason=reason, request=request)
    return case


class RegisterForm(StepForm):
    complete = YesNoField("Complete?", yes="Yes", no="No")


class AssessForm(StepForm):
    findings = forms.CharField(max_length=500)
    amount = MoneyField()


class DecideForm(StepForm):
    grant = YesNoField("Grant?", yes="Grant", no="Refuse")
    reason = forms.CharField(max_length=500, required=False)

"""Temporary assistance, declared once: the program and its step table.

Each step gives its role and permission, its form (which serves the web task page
and the API), the service it calls, its label and help, its default time limit
(seeded as the national SLA policy; administrators override it per region and date),
and whether it moves money, decides the case or commits the reserve fund.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.programs import Escalation, Flag, Limit, Program, Step
from forms.steps import IntakeForm

from . import forms, services
from .models import CODE, DECIDED_STATUSES, OPEN_STATUSES, CauseCategory, Kind, Status

TOWNSHIP_THEN_COUNTY = (Escalation(1, 0, "township_head"), Escalation(2, 48, "county_reviewer,supervisor"))
COUNTY_THEN_CITY = (Escalation(1, 0, "supervisor", "county"), Escalation(2, 72, "supervisor", "city"))


def _limit(duration, unit, remind, basis, chain=TOWNSHIP_THEN_COUNTY) -> Limit:
    return Limit(duration, unit, remind, basis, chain)


STEPS = [
    Step("intake", "caseworker", "temporary.do_intake", _("Intake"),
         _("Check the application and its documents. Complete: accept it. Incomplete: list everything that is "
           "missing; the applicant is told once, in writing."),
         fields=IntakeForm, service=services.intake,
         limit=_limit(1, "working_days", 1, "[I] same or next working day")),
    Step("receive_documents", "caseworker", "temporary.do_intake", _("Receive documents"),
         _("The applicant was told what is missing. Record here when the documents have arrived; the intake "
           "check comes next."),
         fields=forms.ReceiveDocumentsForm, service=services.receive_documents,
         limit=_limit(30, "calendar_days", 3, "[I] applicant completes the documents")),
    Step("investigate", "caseworker", "temporary.investigate", _("Home investigation"),
         _("Visit the family with a colleague (two staff members), write down what you found and, if you can, "
           "recommend an amount."),
         fields=forms.TemporaryInvestigateForm, service=services.investigate,
         limit=_limit(3, "working_days", 1, "[S] investigation starts within 3 wd")),
    Step("pay_first", "township_head", "temporary.pay_first", _("Urgent payment"),
         _("An urgent case: pay now from the township's reserve fund, within 24 hours of intake. The paperwork "
           "is completed afterwards."),
         fields=forms.PayFirstForm, service=services.pay_first, moves_money=True, decides=True, shows_fund=True,
         limit=_limit(24, "hours", 4, "[S] Shandong: urgent help within 24 hours")),
    Step("complete_paperwork", "caseworker", "temporary.investigate", _("Complete the paperwork"),
         _("The family was helped first. Complete the investigation record within 5 working days."),
         fields=forms.TemporaryInvestigateForm, service=services.complete_paperwork,
         limit=_limit(5, "working_days", 1, "[S] Shandong: paperwork within 5 wd")),
    Step("township_approve", "township_head", "temporary.township_approve", _("Township approval"),
         _("Decide the case: approve up to the township's limit, reject with written reasons, or refer it to "
           "the county."),
         fields=forms.TownshipDecisionForm, service=services.township_approve, decides=True, shows_fund=True,
         guard_on=("approve",), limit=_limit(3, "working_days", 1, "[I]")),
    Step("county_approve", "county_reviewer", "temporary.county_approve", _("County approval"),
         _("Decide the referred case: approve, or reject with written reasons."),
         fields=forms.CountyDecisionForm, service=services.county_approve, decides=True, guard_on=("approve",),
         limit=_limit(10, "working_days", 2, "[S] county confirms within 10 wd", COUNTY_THEN_CITY)),
    Step("disburse", "caseworker", "temporary.disburse", _("Disbursement"),
         _("Pay the next instalment of the approval."),
         fields=forms.DisburseForm, service=services.disburse, moves_money=True, shows_fund=True,
         limit=_limit(3, "working_days", 1, "[I]")),
    Step("file_with_county", "caseworker", "temporary.file_with_county", _("File with the county"),
         _("File the approval and its payment with the county (报备)."),
         fields=forms.FileForm, service=services.file_with_county,
         limit=_limit(5, "working_days", 1, "[I] filing (报备)")),
]


def _flow():
    from .flows import TemporaryAssistanceFlow

    return TemporaryAssistanceFlow


def _case_model():
    from .models import TemporaryCase

    return TemporaryCase


def _payment_preview(case, step_name: str):
    """What ``disburse`` pays now: the next instalment not yet paid (the urgent payment's
    amount is entered on its step)."""
    from assistance.models import Instalment, InstalmentStatus

    if step_name != "disburse":
        return None
    return (Instalment.objects.filter(application=case).exclude(status=InstalmentStatus.PAID)
            .order_by("number").values_list("amount", flat=True).first())


def _payment_reversed(*args, **kwargs):
    from .payments import record_reversal

    return record_reversal(*args, **kwargs)


def _details_model():
    from .models import TemporaryDetails

    return TemporaryDetails


def _flags(case) -> list[Flag]:
    from django.urls import reverse
    from django.utils.translation import gettext

    details, flags = case.details, []
    if details is not None and details.repeat_of_id:
        flags.append(Flag(gettext("Repeat application: No. %(number)s") % {"number": details.repeat_of_id},
                          gettext("Repeat"), reverse("application_detail", args=[details.repeat_of_id])))
    if (details is not None and not details.local_registration) or case.status == Status.REFERRED_OUT:
        flags.append(Flag(gettext("Not locally registered: referred to the relief station"),
                          gettext("Not local")))
    return flags


def _demo(township_code: str) -> str:
    from .demo import summary

    return summary(township_code)


PROGRAM = Program(
    code=CODE,
    label=_("Temporary assistance"),
    steps={step.name: step for step in STEPS},
    flow_class=_flow,
    case_model=_case_model,
    statuses=Status,
    initial_status=Status.INTAKE,
    open_statuses=OPEN_STATUSES,
    decided_statuses=DECIDED_STATUSES,
    receiving_statuses=DECIDED_STATUSES,
    rejected_statuses=frozenset({Status.REJECTED}),
    # The document kinds (documents.DocumentKind) and the statuses each may be issued in.
    documents={
        "approval_form": DECIDED_STATUSES | {Status.REJECTED},
        "decision_notice": DECIDED_STATUSES,
        "rejection_notice": frozenset({Status.REJECTED}),
        # Told once, in writing, whatever happened afterwards: checked on the list, not the status.
        "missing_documents_notice": None,
        # A voucher follows its instalment (a pay-first instalment precedes any approval).
        "disbursement_voucher": None,
        "referral_letter": frozenset({Status.REFERRED_OUT}),
    },
    open_case=services.open_case,
    opening_form=forms.OpeningForm,
    details_model=_details_model,
    details_template="temporary/_case_details.html",
    flags=_flags,
    flag_fields=("repeat_of_id", "local_registration"),
    export_columns=((_("Kind"), "kind", Kind.choices), (_("Cause category"), "cause_category", CauseCategory.choices)),
    may_pay=services.may_pay,
    payment_reversed=_payment_reversed,
    payment_preview=_payment_preview,
    overlaps=services.overlaps,
    demo=_demo,
)

"""The step table 低保 and 特困 share, built per program (the permissions are the
program's: ``dibao.investigate``, ``tekun.investigate``…). Each program folder's
steps.py calls ``step_table`` with its own limits and its own investigation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.programs import Escalation, Limit, Step

from . import forms, services

TOWNSHIP_THEN_COUNTY = (Escalation(1, 0, "township_head"), Escalation(2, 48, "county_reviewer,supervisor"))
COUNTY_THEN_CITY = (Escalation(1, 0, "supervisor", "county"), Escalation(2, 72, "supervisor", "city"))


def township(duration, unit, remind, basis) -> Limit:
    return Limit(duration, unit, remind, basis, TOWNSHIP_THEN_COUNTY)


def county(duration, unit, remind, basis) -> Limit:
    return Limit(duration, unit, remind, basis, COUNTY_THEN_CITY)


def township_confirm(user, task, *, request=None, **fields):
    return services.confirm(user, task, level="township", request=request, **fields)


def step_table(code: str, limits: dict[str, Limit], *, investigate_form=forms.EnrolmentInvestigateForm,
               investigate=services.investigate, check=None) -> list[Step]:
    """``check(case)``: the program's own condition before a recommendation or approval
    (特困: unable to work)."""
    review = services.township_review if check is None else (
        lambda user, task, request=None, **f: services.township_review(user, task, request=request, check=check, **f))
    county_confirm = services.confirm if check is None else (
        lambda user, task, request=None, **f: services.confirm(user, task, request=request, check=check, **f))
    local_confirm = township_confirm if check is None else (
        lambda user, task, request=None, **f: services.confirm(user, task, level="township", request=request,
                                                                check=check, **f))
    return [
        Step("intake", "caseworker", f"{code}.do_intake", _("Intake"),
             _("Check the application and its documents. Complete: accept it (the case's time limit starts). "
               "Incomplete: list everything that is missing; the applicant is told once, in writing."),
             fields=forms.EnrolmentIntakeForm, service=services.intake, limit=limits["intake"]),
        Step("receive_documents", "caseworker", f"{code}.do_intake", _("Receive documents"),
             _("The applicant was told what is missing. Record here when the documents have arrived; the intake "
               "check comes next."),
             fields=forms.ReceiveDocumentsForm,
             service=services.receive_documents, limit=limits["receive_documents"]),
        Step("investigate", "caseworker", f"{code}.investigate", _("Household investigation"),
             _("Visit the household with at least one colleague: living conditions, incomes and assets. The record "
               "is signed by the team and the family."),
             fields=investigate_form, service=investigate, limit=limits["investigate"]),
        Step("county_investigate", "county_reviewer", f"{code}.county_investigate",
             _("County investigation (staff relative)"),
             _("The applicant is a relative of staff or of a village-committee member: the county visits the "
               "household itself, with at least two county staff."),
             fields=investigate_form, service=investigate, limit=limits["investigate"]),
        Step("verify", "county_reviewer", f"{code}.verify", _("Data verification"),
             _("Check the household's registration, tax, social insurance, real estate, vehicles, business, "
               "deposits and securities (核对): a result for each source."),
             fields=forms.VerifyForm, service=services.verify, limit=limits["verify"], separates=False),
        Step("township_review", "township_head", f"{code}.township_review", _("Township first review"),
             _("Give the township's opinion: recommend (the list is posted in the village where the county keeps "
               "a public notice) or reject with written reasons."),
             fields=forms.ReviewForm, service=review, decides=True, limit=limits["township_review"]),
        Step("reinvestigate", "caseworker", f"{code}.investigate", _("Re-investigation after an objection"),
             _("Someone objected to the posted opinion. Look into it, write down what you found and whether the "
               "objection is upheld; the township then reviews the case again and a new notice is posted."),
             fields=forms.ReinvestigateForm, service=services.reinvestigate, limit=limits["reinvestigate"]),
        Step("township_confirm", "township_head", f"{code}.township_confirm", _("Township confirmation (delegated)"),
             _("The county delegated confirmation to the township. Approve with the monthly amount, or reject with "
               "written reasons. Not while the public notice runs."),
             fields=forms.ConfirmDecisionForm, service=local_confirm, decides=True, guard_on=("approve",),
             limit=limits["township_confirm"]),
        Step("county_confirm", "county_reviewer", f"{code}.county_confirm", _("County confirmation"),
             _("Confirm the case: approve with the monthly amount, or reject with written reasons. Not while the "
               "public notice runs or an objection is unanswered."),
             fields=forms.ConfirmDecisionForm, service=county_confirm, decides=True, guard_on=("approve",),
             limit=limits["county_confirm"]),
    ]

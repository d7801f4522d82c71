"""Extreme-poverty support (特困), declared once: the program and its step table.

The steps are enrolment's (workflows/enrolment/steps.py) with 特困's limits
(《特困人员认定办法》, 2021): the township investigates and gives its opinion within 15
working days, an objection is re-investigated within 15, the county decides within 15
and spot-checks at least 30 % of its cases. The investigation grades self-care from six
daily activities; only someone unable to work may be recommended or approved.
"""

from __future__ import annotations

from functools import partial

from django.utils.translation import gettext_lazy as _

from core.programs import Program
from workflows.enrolment import program as enrolment
from workflows.enrolment.models import DECIDED_STATUSES, ONGOING_STATUSES, OPEN_STATUSES, SelfCare, Status
from workflows.enrolment.steps import county, step_table, township

from . import forms, services
from .models import CODE

LIMITS = {
    "intake": township(1, "working_days", 1, "[I] same or next working day"),
    "receive_documents": township(30, "calendar_days", 3, "[I] applicant completes the documents"),
    "investigate": township(15, "working_days", 3, "[S] township investigates and gives its opinion within 15 wd"),
    "verify": county(3, "working_days", 1, "[I] as 低保's verification"),
    "township_review": township(3, "working_days", 1, "[I] within the township's 15 wd"),
    "reinvestigate": township(15, "working_days", 3, "[S] objection re-investigated within 15 wd"),
    "township_confirm": township(15, "working_days", 3, "[S] as the county, where delegated"),
    "county_confirm": county(15, "working_days", 3, "[S] county decides within 15 wd"),
}

STEPS = step_table(CODE, LIMITS, investigate_form=forms.TekunInvestigateForm, investigate=services.investigate,
                   check=services.check_unable_to_work)


def _flow():
    from .flows import TekunFlow

    return TekunFlow


def _case_model():
    from .models import TekunCase

    return TekunCase


def _details_model():
    from .models import TekunDetails

    return TekunDetails


def _demo(township_code: str) -> str:
    from .demo import summary

    return summary(township_code)


PROGRAM = Program(
    code=CODE,
    label=_("Extreme-poverty support"),
    steps={step.name: step for step in STEPS},
    flow_class=_flow,
    case_model=_case_model,
    statuses=Status,
    initial_status=Status.INTAKE,
    open_statuses=OPEN_STATUSES,
    decided_statuses=DECIDED_STATUSES,
    receiving_statuses=ONGOING_STATUSES,
    rejected_statuses=frozenset({Status.REJECTED}),
    documents=enrolment.DOCUMENTS,
    open_case=partial(enrolment.open_case, program=CODE),
    opening_form=enrolment.OpeningForm,
    details_model=_details_model,
    details_template="enrolment/_case_details.html",
    flags=enrolment.flags,
    export_columns=(*enrolment.EXPORT_COLUMNS, (_("Self-care"), "self_care_grade", SelfCare.choices)),
    document_context=enrolment.document_context,
    demo=_demo,
)

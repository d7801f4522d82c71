"""The minimum living guarantee (低保), declared once: the program and its step table.

The steps are enrolment's (workflows/enrolment/steps.py) with 低保's limits
(《最低生活保障审核确认办法》, 2021): investigation within 3 working days of intake, data
verification within 3, confirmation within 10; the whole case within 30 working days of
intake, 20 when confirmation is delegated to the township, extendable to 45.
"""

from __future__ import annotations

from functools import partial

from django.utils.translation import gettext_lazy as _

from core.programs import Clock, Program
from workflows.enrolment import program as enrolment
from workflows.enrolment.models import DECIDED_STATUSES, ONGOING_STATUSES, OPEN_STATUSES, Status
from workflows.enrolment.steps import county, step_table, township

from .models import CODE

LIMITS = {
    "intake": township(1, "working_days", 1, "[I] same or next working day"),
    "receive_documents": township(30, "calendar_days", 3, "[I] applicant completes the documents"),
    "investigate": township(3, "working_days", 1, "[S] investigation within 3 wd of intake"),
    "verify": county(3, "working_days", 1, "[S] county verification within 3 wd of the request"),
    "township_review": township(3, "working_days", 1, "[I]"),
    "reinvestigate": township(3, "working_days", 1, "[I] as the investigation"),
    "township_confirm": township(10, "working_days", 2, "[S] as the county, where delegated"),
    "county_confirm": county(10, "working_days", 2, "[S] county confirms within 10 wd"),
}

STEPS = step_table(CODE, LIMITS)

CLOCKS = {
    "case": Clock("case", _("Whole case"), county(30, "working_days", 5, "[S] 30 wd from intake")),
    "case_delegated": Clock("case_delegated", _("Whole case (delegated)"),
                            county(20, "working_days", 3, "[S] 20 wd when delegated to the township")),
    "case_extended": Clock("case_extended", _("Whole case (extended)"),
                           county(45, "working_days", 5, "[S] extended to 45 wd with a reason")),
}


def _flow():
    from .flows import DibaoFlow

    return DibaoFlow


def _case_model():
    from .models import DibaoCase

    return DibaoCase


def _details_model():
    from .models import DibaoDetails

    return DibaoDetails


def _demo(township_code: str) -> str:
    from .demo import summary

    return summary(township_code)


PROGRAM = Program(
    code=CODE,
    label=_("Minimum living guarantee"),
    steps={step.name: step for step in STEPS},
    clocks=CLOCKS,
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
    export_columns=enrolment.EXPORT_COLUMNS,
    document_context=enrolment.document_context,
    demo=_demo,
)

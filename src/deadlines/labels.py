"""Readable names for the flows and steps that deadlines time.

Deadlines store the flow's and step's code names (``dibao``, ``county_confirm``), the
same keys the SLA policies use. Pages and exports show these names instead; a code
without a name here (a flow added later) is still shown, tidied, rather than hidden.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

FLOW_LABELS = {
    "temporary": _("Temporary assistance"),
    "dibao": _("Minimum living allowance"),
    "tekun": _("Support for people in extreme poverty"),
    "home_visit": _("Home visit"),
    "reserve_fund": _("Reserve fund"),
}

STEP_LABELS = {
    "intake": _("Intake"),
    "investigate": _("Home investigation"),
    "pay_first": _("Urgent payment"),
    "complete_paperwork": _("Complete the paperwork"),
    "township_approve": _("Township approval"),
    "county_approve": _("County approval"),
    "disburse": _("Disbursement"),
    "file_with_county": _("File with the county"),
    "verify": _("Data verification"),
    "public_notice": _("Public notice"),
    "county_confirm": _("County confirmation"),
    "decision_notice": _("Decision notice"),
    "county_decide": _("County decision"),
    "visit": pgettext_lazy("step", "Visit"),
    "follow_up": _("Visit follow-up"),
    "replenish": _("Replenish"),
}


def _tidy(code: str) -> str:
    return code.replace("_", " ").strip().capitalize() if code else "—"


def flow_label(flow: str) -> str:
    return str(FLOW_LABELS.get(flow, _tidy(flow)))


def step_label(step: str) -> str:
    return str(STEP_LABELS.get(step, _tidy(step)))


def flow_step_label(flow: str, step: str) -> str:
    return f"{flow_label(flow)} · {step_label(step)}"

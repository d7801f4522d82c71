"""The replenishment flow declared once: its one step, decided by county finance."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.programs import Escalation, FlowSpec, Limit, Step
from forms.funds import DecisionForm
from funds.services import decide_replenishment

CODE = "reserve_fund"


def _start(replenishment):
    from .flows import ReplenishmentFlow

    return ReplenishmentFlow.start.run(replenishment=replenishment)


FLOW = FlowSpec(
    code=CODE,
    label=_("Reserve fund"),
    steps={"replenish": Step(
        "replenish", "county_finance", "funds.approve_replenishment", _("Replenish"),
        _("Decide the township's request to top up its reserve fund: approve and allocate, or reject with "
          "reasons."),
        fields=DecisionForm, service=decide_replenishment, moves_money=True,
        limit=Limit(3, "working_days", 1, "[I]",
                    (Escalation(1, 0, "supervisor", "county"), Escalation(2, 72, "supervisor", "city"))))},
    start=_start,
)

"""The warning's one step, declared once: the township follows it up.

A warning is timed by a deadline but is not a viewflow task (like a home visit's
follow-up): the nightly scan raises thousands at once, each with its deadline written
in bulk. The step is declared for its name, role, permission and default time limit;
its page and the API's endpoint call ``services.follow_up``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.programs import Escalation, FlowSpec, Limit, Step

from .models import FLOW_CODE as CODE
from .models import STEP_FOLLOW_UP


def _demo(township_code: str) -> str:
    from .demo import seed

    return seed(township_code)


FLOW = FlowSpec(
    code=CODE,
    label=_("Early warning"),
    steps={
        STEP_FOLLOW_UP: Step(
            STEP_FOLLOW_UP, "caseworker", "monitoring.follow_up_warning", _("Follow up an early warning"),
            _("Look at the household (visit it where needed), then record what was done: a case opened, a "
              "proactive notice sent, or no action with the reason."),
            limit=Limit(10, "working_days", 2, "[I] 动态监测预警: township follow-up",
                        (Escalation(1, 0, "township_head"), Escalation(2, 48, "supervisor", "county")))),
    },
    demo=_demo,
)

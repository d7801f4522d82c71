"""The sample program's table: three steps, two roles."""

from __future__ import annotations

from core.programs import Escalation, Limit, Program, Step

from . import services
from .models import CODE, Status

ESCALATE = (Escalation(1, 0, "township_head"), Escalation(2, 24, "supervisor"))

PROGRAM = Program(
    code=CODE,
    label="Sample program",
    steps={
        "register": Step("register", "caseworker", "sample.register_case", "Register the sample case",
                         "Say whether the case is complete.", fields=services.RegisterForm,
                         service=services.register, limit=Limit(2, "working_days", 1, "test", ESCALATE)),
        "assess": Step("assess", "caseworker", "sample.assess_case", "Assess the sample case",
                       fields=services.AssessForm, service=services.assess,
                       limit=Limit(3, "working_days", 1, "test", ESCALATE)),
        "decide": Step("decide", "township_head", "sample.decide_case", "Decide the sample case",
                       fields=services.DecideForm, service=services.decide, decides=True,
                       limit=Limit(1, "working_days", 0, "test", ESCALATE)),
    },
    flow_class=lambda: __import__("tests.programs.sample.flows", fromlist=["SampleFlow"]).SampleFlow,
    case_model=lambda: __import__("tests.programs.sample.models", fromlist=["SampleCase"]).SampleCase,
    statuses=Status,
    initial_status=Status.REGISTERED,
    open_statuses=frozenset({Status.REGISTERED, Status.ASSESSING, Status.DECIDING}),
    decided_statuses=frozenset({Status.GRANTED}),
    receiving_statuses=frozenset({Status.GRANTED}),
    rejected_statuses=frozenset({Status.REFUSED}),
    open_case=services.open_case,
)

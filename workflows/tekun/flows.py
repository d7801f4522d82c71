"""特困's flow: enrolment's (workflows/enrolment/flows.py), built from this program's step table."""

from workflows.enrolment.flows import build

from .steps import PROGRAM

TekunFlow = build("TekunFlow", __name__, PROGRAM.steps)

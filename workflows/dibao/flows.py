"""低保's flow: enrolment's (workflows/enrolment/flows.py), built from this program's step table."""

from workflows.enrolment.flows import build

from .steps import PROGRAM

DibaoFlow = build("DibaoFlow", __name__, PROGRAM.steps)

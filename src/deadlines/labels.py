"""Readable names for the flows and steps that deadlines time.

Deadlines store the flow's and step's code names, the same keys the SLA policies use.
Pages and exports show the names each flow declares in its step table
(core.programs); a code without one (a flow since removed) is still shown, tidied,
rather than hidden.
"""

from __future__ import annotations

from core import programs


def _tidy(code: str) -> str:
    return code.replace("_", " ").strip().capitalize() if code else "—"


def flow_label(flow: str) -> str:
    spec = programs.flow(flow)
    return str(spec.label) if spec is not None else _tidy(flow)


def step_label(flow: str, step: str) -> str:
    declared = programs.step(flow, step) or programs.clock(flow, step)
    return str(declared.label) if declared is not None else _tidy(step)


def flow_step_label(flow: str, step: str) -> str:
    return f"{flow_label(flow)} · {step_label(flow, step)}"

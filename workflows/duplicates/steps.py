"""Resolving a duplicate registration, declared once.

A registration refused because a member is already registered in another household
(registry.services.report_duplicates) becomes work for the county of the existing
registration: move the person, or correct a record. It is not a viewflow task: the
report itself (registry.DuplicateRegistration) is timed by a deadline, which opens when
the registry reports it (``start``) and closes when the county resolves it
(registry.services.resolve_duplicate, through ``finish``); reminders, breaches and
escalations come from the sweeper like any other deadline's, and the county's list page
is /households/duplicates/.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _

from core.programs import Escalation, FlowSpec, Limit, Step
from deadlines import services as deadlines
from deadlines.policies import NoPolicy
from registry.services import DUPLICATE_FLOW, RESOLVE_STEP

log = logging.getLogger(__name__)

STEP = Step(
    RESOLVE_STEP, "county_reviewer", "registry.resolve_duplicateregistration", _("Resolve a duplicate registration"),
    _("A registration was refused because a member is already registered in a household of your county: move "
      "the person to the new household, or correct the record that is wrong, and record what was done."),
    limit=Limit(5, "working_days", 1, "[I] registry: one household per person",
                (Escalation(1, 0, "county_reviewer"), Escalation(2, 48, "supervisor", "county"))))


def _start(report):
    try:
        deadlines.open_deadline(report, flow=DUPLICATE_FLOW, step=RESOLVE_STEP, region_code=report.region_code,
                                role=STEP.role)
    except NoPolicy:
        # A configuration gap (the policy was removed in the admin): said loudly in the log;
        # the report is still on the county's list, and the refused registration is no 500.
        log.exception("duplicate registration %s has no deadline", report.pk)


def _finish(report):
    deadlines.close_deadline(report)


FLOW = FlowSpec(code=DUPLICATE_FLOW, label=_("Registry"), steps={RESOLVE_STEP: STEP}, start=_start, finish=_finish)

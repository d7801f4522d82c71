"""The review flow (复核) of enrolled 低保 and 特困 cases, declared once: the township
investigates and re-runs the means test, the township head decides.

The county confirms enrolment where it is not delegated; a review's decision is kept at
the township head here for every county (docs/decisions/0010-ongoing-cases.md).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.programs import Escalation, FlowSpec, Limit, Step

from . import forms, services
from .models import FLOW_CODE as CODE

TOWNSHIP_THEN_COUNTY = (Escalation(1, 0, "township_head"), Escalation(2, 48, "county_reviewer,supervisor"))


def _start(review):
    from .flows import ReviewFlow

    return ReviewFlow.start.run(review=review)


FLOW = FlowSpec(
    code=CODE,
    label=_("Review of an enrolled case"),
    steps={
        "review_investigate": Step(
            "review_investigate", "caseworker", "reviews.review_investigate", _("Review: investigation"),
            _("Visit the household with at least one colleague, check incomes, assets and who lives there, and "
              "record what you found. The means test is run again as of today; the township head decides."),
            fields=forms.ReviewInvestigateForm, service=services.investigate,
            limit=Limit(10, "working_days", 2, "[I] review (复核): township investigation", TOWNSHIP_THEN_COUNTY)),
        "review_decide": Step(
            "review_decide", "township_head", "reviews.review_decide", _("Review: decision"),
            _("Decide on the means test shown: continue, adjust the amount (at most what the test gives), begin a "
              "gradual exit (income now above the line) or stop, with written reasons for any change. Payment "
              "changes from the month after the decision; the household gets a written notice."),
            fields=forms.ReviewDecideForm, service=services.decide, decides=True,
            limit=Limit(5, "working_days", 1, "[I] review (复核): township decision", TOWNSHIP_THEN_COUNTY)),
    },
    start=_start,
)

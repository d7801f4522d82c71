"""The ongoing-case block's data (workflows.reviews.pages), for the 低保/特困 details template."""

from __future__ import annotations

from django import template

from ..pages import case_facts

register = template.Library()


@register.simple_tag(takes_context=True)
def ongoing_case(context):
    """``{% ongoing_case as o %}``: the payment schedule, reviews, changes, refusals and
    notices of the page's application, and the forms the signed-in user may use (bound
    ones with their errors, when a POST failed)."""
    application = context.get("application")
    if application is None:
        return {}
    return case_facts(application, context["request"].user, change_form=context.get("change_form"),
                      refusal_form=context.get("refusal_form"))

"""The 低保/特困 case block's data (web.enrolment_case), for the program's details template."""

from __future__ import annotations

from django import template

from ..enrolment_case import case_facts

register = template.Library()


@register.simple_tag(takes_context=True)
def enrolment_case(context):
    """``{% enrolment_case as case %}``: the facts of the page's application, and the forms
    the signed-in user may use on it (bound ones with their errors, when a POST failed)."""
    application = context.get("application")
    if application is None:
        return {}
    return case_facts(application, context["request"].user, objection_form=context.get("objection_form"),
                      extension_form=context.get("extension_form"), now=context.get("now"))

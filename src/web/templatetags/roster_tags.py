"""A 低保/特困 case's bank account and monthly payments (web.rosters), for its case page."""

from __future__ import annotations

from django import template

from ..rosters import case_payments

register = template.Library()


@register.simple_tag(takes_context=True)
def roster_payments(context):
    """``{% roster_payments as p %}``: the page's case's account (masked), its roster lines, and
    the account form when the signed-in user may record it (bound, with errors, after a failed POST)."""
    application = context.get("application")
    request = context.get("request")
    if application is None or request is None:
        return {}
    return case_payments(application, request.user, account_form=context.get("account_form"))

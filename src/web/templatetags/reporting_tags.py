"""Showing one statistics figure by its kind (a count, days, money)."""

from __future__ import annotations

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from funds.templatetags.funds_tags import money

register = template.Library()


@register.filter
def figure_value(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "money":
        return money(value)
    if kind == "days":
        return str(value)
    return intcomma(value)


@register.filter
def figure(fig, column) -> str:
    """``{{ figures|figure:column }}``: a column is (header, attribute, kind), as web.statistics_export.columns."""
    _header, attr, kind = column
    return figure_value(getattr(fig, attr), kind)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping is not None else None

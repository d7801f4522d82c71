"""Filters for the printed forms: Chinese dates and amounts in figures and capitals."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

from documents import numerals

register = template.Library()


@register.filter
def cn_date(value) -> str:
    """2026年11月28日; a datetime is first taken to local time (Asia/Shanghai)."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def yuan(value) -> str:
    """¥1,200.00"""
    return "" if value is None else numerals.yuan_figures(value)


@register.filter
def capitals(value) -> str:
    """壹仟贰佰元整"""
    return "" if value is None else numerals.rmb_capitals(value)


@register.filter
def payment_order(number) -> str:
    """先行救助 for the urgent payment, 第2次 for the others."""
    return "" if number is None else numerals.payment_order(number)


@register.filter
def sentence(text) -> str:
    """Free text without its closing punctuation, for a template that adds "。" after it."""
    return numerals.sentence(text)


from django import template

from assistance.models import instalment_label
from core.money import figures

register = template.Library()


@register.filter
def money(value) -> str:
    """1234.5 → "1,234.50": the same in every language, on pages, PDFs and sheets."""
    if value is None or value == "":
        return ""
    return figures(value)


@register.filter
def signed_money(entry) -> str:
    """A ledger entry's change with its sign: "+1,000.00" or "-300.00"."""
    return f"{'+' if entry.direction > 0 else '-'}{figures(entry.amount)}"


@register.filter
def instalment(number) -> str:
    """An instalment's number as people read it: "先行救助" for the urgent payment, "第2期"."""
    return instalment_label(number)

"""Temporary assistance's rules in the admin: the township's direct-approval limit, the
repeat period and instalments, and the amount bands, per region prefix and date of effect."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from regions.rules_admin import VersionedRuleAdmin

from .models import AmountBand, AssistanceRule


@admin.register(AssistanceRule)
class AssistanceRuleAdmin(VersionedRuleAdmin):
    event = "temporary.rule"
    list_display = ["scope", "effective_from", "taken_effect", "township_limit", "repeat_period_days",
                    "max_instalments"]
    fields = ["scope", "effective_from", "township_limit", "repeat_period_days", "max_instalments"]


@admin.register(AmountBand)
class AmountBandAdmin(VersionedRuleAdmin):
    event = "temporary.amount_band"
    list_display = ["scope", "cause_category", "effective_from", "taken_effect", "min_multiple", "max_multiple",
                    "max_amount"]
    list_filter = ["scope", "cause_category"]
    ordering = ["scope", "cause_category", "-effective_from"]
    fieldsets = [
        (None, {"fields": ["scope", "cause_category", "effective_from"]}),
        (_("Amount"), {"fields": ["min_multiple", "max_multiple", "max_amount"]}),
    ]

"""The rows the means test reads: its rules and the dibao standards, per region prefix
and date of effect. The rows are the history, listed by scope and then newest first; a
row that has taken effect is kept as it is (a means test for a day in the past must
give the answer it gave then), so a change is a new row from its own date. Every
addition and change is audited."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from assistance.models import DibaoStandard
from regions.rules_admin import VersionedRuleAdmin

from .models import MeansRule


@admin.register(MeansRule)
class MeansRuleAdmin(VersionedRuleAdmin):
    event = "means.rule"
    list_display = ["scope", "effective_from", "taken_effect", "work_cost", "work_cost_share", "work_cost_amount",
                    "near_dibao_multiple", "tekun_multiple", "financial_asset_months", "max_vehicles", "max_houses",
                    "individual_max_grade", "individual_max_grade_mental"]
    fieldsets = [
        (None, {"fields": ["scope", "effective_from"]}),
        (_("Work-cost deduction"), {"fields": ["work_cost", "work_cost_share", "work_cost_amount"]}),
        (_("Multiples of the standard"), {"fields": ["near_dibao_multiple", "tekun_multiple"]}),
        (_("Asset limits"), {"fields": ["financial_asset_months", "max_vehicles", "max_houses"]}),
        (_("Individual coverage"), {"fields": ["individual_max_grade", "individual_max_grade_mental"]}),
    ]


@admin.register(DibaoStandard)
class DibaoStandardAdmin(VersionedRuleAdmin):
    event = "assistance.dibao_standard"
    list_display = ["scope", "registration", "effective_from", "taken_effect", "monthly_amount"]
    list_filter = ["scope", "registration"]
    ordering = ["scope", "registration", "-effective_from"]
    fields = ["scope", "registration", "effective_from", "monthly_amount"]

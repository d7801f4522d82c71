"""Which programs one person may not receive at once, per region prefix and date of
effect: the rows are the history; every addition and change is audited."""

from django.contrib import admin

from regions.rules_admin import VersionedRuleAdmin

from .models import BenefitExclusion


@admin.register(BenefitExclusion)
class BenefitExclusionAdmin(VersionedRuleAdmin):
    event = "guard.exclusion"
    list_display = ["scope", "program", "other_program", "forbidden", "effective_from", "taken_effect"]
    fields = ["scope", "program", "other_program", "forbidden", "effective_from"]

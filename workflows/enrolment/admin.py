"""Enrolment's rules in the admin, per program, region prefix and date of effect: the
public notice (kept or dropped, its days, how names are masked), delegation of
confirmation, 特困's unable-to-work criteria and spot-check share. The whole-case and
step limits are deadline policies (deadlines admin)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from regions.rules_admin import VersionedRuleAdmin

from .models import EnrolmentRule


@admin.register(EnrolmentRule)
class EnrolmentRuleAdmin(VersionedRuleAdmin):
    event = "enrolment.rule"
    list_display = ["program", "scope", "effective_from", "taken_effect", "keeps_notice", "notice_days",
                    "name_masking", "delegated", "spot_check_share"]
    list_filter = ["program", "scope", "keeps_notice", "delegated"]
    ordering = ["program", "scope", "-effective_from"]
    fieldsets = [
        (None, {"fields": ["program", "scope", "effective_from"]}),
        (_("Public notice"), {"fields": ["keeps_notice", "notice_days", "name_masking"]}),
        (_("Confirmation"), {"fields": ["delegated"]}),
        (_("Extreme-poverty support"), {"fields": ["unable_age_from", "unable_age_under", "unable_grade_mental",
                                                   "unable_grade_physical", "unable_grade_visual",
                                                   "spot_check_share"]}),
    ]

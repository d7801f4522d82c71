"""The review rules in the admin, per program, region prefix and date of effect: how
often cases are reviewed and what counts as irregular, the gradual exit, the re-check
after a death and the refusals of work. The steps' limits are deadline policies."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from regions.rules_admin import VersionedRuleAdmin

from .models import ReviewRule


@admin.register(ReviewRule)
class ReviewRuleAdmin(VersionedRuleAdmin):
    event = "reviews.rule"
    list_display = ["program", "scope", "effective_from", "taken_effect", "months_stable", "months_irregular",
                    "gradual_exit_months", "death_recheck_months", "work_refusals_limit"]
    list_filter = ["program", "scope"]
    ordering = ["program", "scope", "-effective_from"]
    fieldsets = [
        (None, {"fields": ["program", "scope", "effective_from"]}),
        (_("Periodic review"), {"fields": ["months_stable", "months_irregular", "irregular_income_kinds",
                                           "work_age_from", "work_age_under", "unable_disability_grade"]}),
        (_("Changes"), {"fields": ["gradual_exit_months", "death_recheck_months", "work_refusals_limit"]}),
    ]

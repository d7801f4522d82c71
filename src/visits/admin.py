from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.read_only_admin import ReadOnlyAdmin
from registry.models import Condition

from .models import FollowUp, MajorEvent, Pairing, TierRule, Visit, VisitPlan, VisitRecord


class TierRuleForm(forms.ModelForm):
    # The JSON list as tick boxes: administrators never type condition codes.
    conditions = forms.MultipleChoiceField(label=_("any of these conditions"), choices=Condition.choices,
                                           required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = TierRule
        fields = ["code", "name", "scope", "effective_from", "active", "tier", "period", "min_age", "max_age",
                  "conditions", "with_disability", "max_disability_grade", "program", "basis"]


@admin.register(TierRule)
class TierRuleAdmin(admin.ModelAdmin):
    form = TierRuleForm
    list_display = ["code", "name", "scope", "effective_from", "active", "tier", "period", "min_age", "max_age"]
    list_filter = ["tier", "period", "active", "scope"]
    search_fields = ["code", "name"]
    actions = ["apply_now"]
    fieldsets = [
        (None, {"fields": ["code", "name", "scope", "effective_from", "active"]}),
        (_("Who is visited"), {"fields": ["min_age", "max_age", "conditions", "with_disability", "max_disability_grade",
                               "program"]}),
        (_("How often"), {"fields": ["tier", "period", "basis"]}),
    ]

    @admin.action(description=_("Apply the rules to every plan now (in the background)"))
    def apply_now(self, request, queryset):
        # Otherwise the nightly job applies an edited rule; this does it at once.
        from .tasks import recompute_all

        transaction.on_commit(recompute_all.delay)
        self.message_user(request, _("Plans are being recomputed; the change shows within minutes."), messages.INFO)

# Plans, visits, records and follow-ups change only through visits.services (audited).
@admin.register(VisitPlan)
class VisitPlanAdmin(ReadOnlyAdmin):
    list_display = ["person", "region_code", "tier", "period", "rule_name", "active", "started_at", "last_visited_at"]
    list_filter = ["tier", "period", "active"]
    search_fields = ["region_code", "person__name"]
    list_select_related = ["person"]


@admin.register(Pairing)
class PairingAdmin(ReadOnlyAdmin):
    list_display = ["household", "cadre", "region_code", "since"]
    search_fields = ["region_code", "cadre__username"]
    list_select_related = ["cadre"]


@admin.register(MajorEvent)
class MajorEventAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "region", "declared_at", "round_hours", "visits_created"]
    list_filter = ["kind"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["person_name", "region_code", "kind", "tier", "window_start", "window_end", "status",
                    "assigned_to"]
    list_filter = ["status", "kind", "tier"]
    search_fields = ["region_code", "person_name"]
    list_select_related = ["assigned_to"]


@admin.register(VisitRecord)
class VisitRecordAdmin(ReadOnlyAdmin):
    list_display = ["visit", "outcome", "method", "visited_at", "recorded_by", "received_at"]
    list_filter = ["outcome", "method"]
    list_select_related = ["visit", "recorded_by"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["person_name", "region_code", "status", "assigned_to", "created_at", "done_at"]
    list_filter = ["status"]

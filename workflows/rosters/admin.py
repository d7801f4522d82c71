"""The price subsidy in the admin: its rules per region prefix and date of effect, and the
monthly CPI readings. A reading is recorded through services.record_cpi, so that reaching
the trigger requests the month's price-subsidy rosters; readings are never edited after."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.errors import Conflict, InvalidInput, NotPermitted
from regions.rules_admin import VersionedRuleAdmin

from . import services
from .models import CpiReading, PriceSubsidyRule, RosterProgram


@admin.register(PriceSubsidyRule)
class PriceSubsidyRuleAdmin(VersionedRuleAdmin):
    event = "rosters.price_subsidy_rule"
    list_display = ["scope", "effective_from", "taken_effect", "cpi_trigger", "food_trigger", "per_person",
                    "covered_programs"]

    @admin.display(description=_lazy("covered programs"))
    def covered_programs(self, obj):
        labels = dict(RosterProgram.choices)
        return "、".join(str(labels.get(code, code)) for code in obj.programs.split(",") if code)


@admin.register(CpiReading)
class CpiReadingAdmin(admin.ModelAdmin):
    list_display = ["scope", "month", "cpi_yoy", "food_yoy", "triggered", "recorded_at", "recorded_by"]
    list_filter = ["scope", "triggered"]
    fields = ["scope", "month", "cpi_yoy", "food_yoy"]
    readonly_fields = ["triggered", "recorded_at", "recorded_by"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        try:
            reading, rosters = services.record_cpi(request.user, scope=obj.scope, month=obj.month,
                                                   cpi_yoy=obj.cpi_yoy, food_yoy=obj.food_yoy)
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from None
        except (InvalidInput, Conflict) as exc:
            # The form checked the fields; a second reading of the month is the service's refusal.
            messages.error(request, exc.message if isinstance(exc, Conflict) else str(exc.errors))
            return
        obj.pk = reading.pk
        if reading.triggered:
            messages.info(request, _("The subsidy is triggered: %(n)s price-subsidy roster(s) requested.") % {
                "n": len(rosters)})
        else:
            messages.info(request, _("Below the trigger: no price subsidy this month."))

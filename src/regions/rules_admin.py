"""The admin of rules versioned by region and date (regions.rules): the rows are the
history, listed by scope and then newest first; a row that has taken effect is kept as
it is (a decision made under it must read the same later), so a change is a new row
from its own date. Every addition, change and deletion is audited."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import services as audit


class VersionedRuleAdmin(admin.ModelAdmin):
    list_filter = ["scope"]
    ordering = ["scope", "-effective_from"]
    event = ""

    def in_effect(self, obj) -> bool:
        return obj is not None and obj.effective_from <= timezone.localdate()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self.in_effect(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self.in_effect(obj)

    @admin.display(description=_("in effect"), boolean=True)
    def taken_effect(self, obj):
        return self.in_effect(obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(f"{self.event}.{'changed' if change else 'created'}", actor=request.user, obj=obj,
                     region_code=obj.scope,
                     after={f: getattr(obj, f) for f in form.changed_data}, request=request)

    def delete_model(self, request, obj):
        audit.record(f"{self.event}.deleted", actor=request.user, obj=obj, region_code=obj.scope,
                     before={"scope": obj.scope, "effective_from": obj.effective_from}, request=request)
        super().delete_model(request, obj)

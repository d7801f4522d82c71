from django.contrib import admin

from audit import services as audit

from .models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """The division tree. Model validation (Region.clean) checks each code's structure,
    its parent's level and prefix; every change is audited."""

    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    ordering = ["code"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        # The code is the key other records point at: fixed once the region exists.
        return ["code"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record("regions.region.changed" if change else "regions.region.created", actor=request.user, obj=obj,
                     region_code=obj.code,
                     after={f: getattr(getattr(obj, f), "pk", getattr(obj, f)) for f in form.changed_data},
                     request=request)

from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "event", "actor_username", "object_repr", "region_code"]
    list_filter = ["event"]
    search_fields = ["event", "actor_username", "object_id", "object_repr", "region_code"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    # Readable by those allowed, never writable by anyone.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

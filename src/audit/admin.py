from django.contrib import admin

from core.read_only_admin import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    # Readable by those allowed, never writable by anyone.
    list_display = ["at", "event", "actor_username", "object_repr", "region_code"]
    list_filter = ["event"]
    search_fields = ["event", "actor_username", "object_id", "object_repr", "region_code"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


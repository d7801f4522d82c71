"""Early warnings, scans and department lists in the admin: read only (the services write them)."""

from django.contrib import admin

from .models import EarlyWarning, ListImport, Scan


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EarlyWarning)
class WarningAdmin(ReadOnly):
    list_display = ["id", "rule", "region_code", "status", "outcome", "raised_at", "due_at", "done_at"]
    list_filter = ["rule", "status", "outcome"]
    exclude = ["key", "msgid", "params"]


@admin.register(Scan)
class ScanAdmin(ReadOnly):
    list_display = ["id", "on", "region_prefix", "status", "started_at", "finished_at"]


@admin.register(ListImport)
class ListImportAdmin(ReadOnly):
    list_display = ["id", "department", "region_code", "as_of", "status", "rows", "matched", "unmatched",
                    "uploaded_at"]
    list_filter = ["department", "status"]
    exclude = ["errors"]

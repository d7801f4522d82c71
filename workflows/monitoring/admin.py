"""Early warnings, scans and department lists in the admin: read only (the services write them)."""

from django.contrib import admin

from core.read_only_admin import ReadOnlyAdmin

from .models import EarlyWarning, ListImport, Scan


@admin.register(EarlyWarning)
class WarningAdmin(ReadOnlyAdmin):
    list_display = ["id", "rule", "region_code", "status", "outcome", "raised_at", "due_at", "done_at"]
    list_filter = ["rule", "status", "outcome"]
    exclude = ["key", "msgid", "params"]


@admin.register(Scan)
class ScanAdmin(ReadOnlyAdmin):
    list_display = ["id", "on", "region_prefix", "status", "started_at", "finished_at"]


@admin.register(ListImport)
class ListImportAdmin(ReadOnlyAdmin):
    list_display = ["id", "department", "region_code", "as_of", "status", "rows", "matched", "unmatched",
                    "uploaded_at"]
    list_filter = ["department", "status"]
    exclude = ["errors"]

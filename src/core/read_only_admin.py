"""The admin of records that only the engine's services write (ledgers, audit events,
documents, warnings, computed figures): they are read there, never added, changed or
deleted by hand."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""The figures and the requests to compute them, read-only in the admin: they are written
only by workflows.reporting.refresh, from the records the cases use."""

from django.contrib import admin

from .models import MonthlyFigure, Refresh


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MonthlyFigure)
class MonthlyFigureAdmin(ReadOnlyAdmin):
    list_display = ["month", "township_code", "program", "received", "approved", "rejected", "open_at_end",
                    "households_covered", "people_covered", "paid_reserve_fund", "paid_county", "paid_roster",
                    "computed_at"]
    list_filter = ["program", "month"]
    search_fields = ["township_code"]


@admin.register(Refresh)
class RefreshAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "region_code", "first_month", "last_month", "status", "months_done",
                    "months_total", "requested_by", "finished_at"]
    list_filter = ["status"]

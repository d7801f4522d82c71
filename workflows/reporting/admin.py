"""The figures and the requests to compute them, read-only in the admin: they are written
only by workflows.reporting.refresh, from the records the cases use."""

from django.contrib import admin

from core.read_only_admin import ReadOnlyAdmin

from .models import MonthlyFigure, Refresh


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

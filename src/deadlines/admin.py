from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .calendar_admin import unconfirmed_years
from .models import CalendarDay, CalendarYear, Deadline, DeadlineFiring, EscalationStep, SlaPolicy


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "scope"]
    list_filter = ["kind", "scope"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def changelist_view(self, request, extra_context=None):
        year = timezone.localdate().year
        missing = unconfirmed_years([year, year + 1])
        if missing:
            self.message_user(request, _("Not confirmed yet: %(years)s. Deadlines reaching these years count "
                                         "Monday–Friday only and are marked provisional.")
                              % {"years": ", ".join(map(str, missing))}, messages.WARNING)
        return super().changelist_view(request, extra_context)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "scope", "source", "confirmed_at"]


class EscalationInline(admin.TabularInline):
    model = EscalationStep
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["flow", "step", "program", "scope", "duration", "unit", "remind_before", "effective_from"]
    list_filter = ["flow", "unit"]
    inlines = [EscalationInline]


class FiringInline(admin.TabularInline):
    model = DeadlineFiring
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "level", "fired_at", "recipients"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = ["__str__", "region_code", "status", "due_at", "provisional", "escalation_level", "overdue"]
    list_filter = ["status", "flow", "step", "provisional"]
    search_fields = ["region_code", "subject_id"]
    inlines = [FiringInline]
    readonly_fields = [f.name for f in Deadline._meta.fields]

    @admin.display(boolean=True, description=_("overdue"))
    def overdue(self, obj):
        return obj.is_overdue()

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

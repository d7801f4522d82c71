from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class StaffAdmin(UserAdmin):
    """Staff accounts: roles are the groups, the home region decides what they see."""

    list_display = ["username", "last_name", "first_name", "region", "is_active", "is_superuser"]
    list_filter = ["is_active", "is_superuser", "groups"]
    search_fields = ["username", "first_name", "last_name", "region__name", "region__code"]
    autocomplete_fields = ["region"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Region and contact"), {"fields": ["region", "phone"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

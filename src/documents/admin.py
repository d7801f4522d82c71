from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.read_only_admin import ReadOnlyAdmin

from .models import Document


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    # Documents are made by the engine and never changed or removed by anyone.
    list_display = ["id", "application", "kind", "instalment", "size", "created_at", "download"]
    list_filter = ["kind"]
    search_fields = ["sha256"]
    date_hierarchy = "created_at"
    list_select_related = ["application", "instalment"]
    # Never load the PDF bytes into the admin.
    exclude = ["content"]
    readonly_fields = ["application", "kind", "instalment", "sha256", "size", "created_at", "created_by", "download"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content").visible_to(request.user)

    @admin.display(description=_("file"))
    def download(self, obj):
        try:
            return format_html('<a href="{}">PDF</a>', reverse("document_download", args=[obj.pk]))
        except NoReverseMatch:  # the download view is not routed in this deployment
            return ""


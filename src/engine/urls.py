from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.i18n import JavaScriptCatalog

# The admin speaks the engine's language, not "Django administration".
admin.site.site_header = pgettext_lazy("product name", "Social assistance")
admin.site.site_title = pgettext_lazy("product name", "Social assistance")
admin.site.index_title = _("Rules and records")

# A database lost under a request answers 503, "try again" (core.outages); anything else the 500 page.
handler500 = "core.outages.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("web.documents_urls")),
    path("funds/", include("web.funds_urls")),
    path("visits/", include("web.visits_urls")),
    path("exports/", include("web.jobs_urls")),
    path("", include("web.reviews_urls")),
    path("", include("web.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

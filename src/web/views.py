"""Home dashboard and the health check; the registry and audit pages have their own modules."""

from __future__ import annotations

from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import health
from core.decorators import staff_view
from registry.models import Household, Person

from .home_work import waiting_for
from .queries import with_list_data

# (url name, label, explanation, permission)
QUICK_LINKS = [
    ("household_create", _("Register a household"), _("Enter a new household and its members."),
     "registry.add_household"),
    ("household_list", _("Find a household"), _("Search by a member's name or the last digits of an ID number."),
     "registry.view_household"),
    ("audit_list", _("Audit trail"), _("Who changed or looked at what, and why."), "audit.view_auditevent"),
]
RECENT_HOUSEHOLDS = 5


@staff_view()
@require_safe
def home(request):
    user = request.user
    context = {
        "links": [
            {"url": reverse(name), "label": label, "help": help_text}
            for name, label, help_text, perm in QUICK_LINKS if user.has_perm(perm)
        ],
        "region_path": user.region.path_name() if user.region_id else None,
        "work": waiting_for(user),
    }
    if user.has_perm("registry.view_household"):
        households = Household.objects.visible_to(user)
        context.update(
            household_count=households.count(),
            person_count=Person.objects.visible_to(user).count(),
            recent=list(with_list_data(households)[:RECENT_HOUSEHOLDS]),
        )
    return render(request, "web/home.html", context)


@never_cache
@require_safe
def healthz(request):
    report = health.status()
    return JsonResponse(report, status=200 if report["database"] else 503)


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever a page links: point them at the icon (the
    static URL is read here, not at import, so a manifest storage need not exist yet)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))

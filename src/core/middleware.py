"""Requests no endpoint can use are refused before any endpoint sees them; responses
that may carry personal data are never stored outside the server."""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from . import inputs

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _malformed(request) -> bool:
    if inputs.NUL in request.path:
        return True
    for data in (request.GET, request.POST if request.content_type in FORM_TYPES else None):
        if data is not None and any(inputs.NUL in key or any(inputs.NUL in v for v in values)
                                    for key, values in data.lists()):
            return True
    if request.content_type == "application/json" or request.content_type.endswith("+json"):
        try:
            inputs.loads(request.body or b"null")
        except inputs.Malformed:
            return True
        except ValueError:
            return False  # not JSON at all: the endpoint's parser says so, with its own 400
    return False


def is_api(request) -> bool:
    """Whether the request is for the JSON API (its errors are JSON too)."""
    try:
        return request.path.startswith(reverse("api-root"))
    except NoReverseMatch:
        return False


class RefuseMalformedInputMiddleware:
    """400 for a request carrying a NUL byte in its path, its query or its form or JSON
    body, or JSON nested deeper than any endpoint reads (core.inputs): such input would
    fail in PostgreSQL or in the JSON parser with a server error, in whichever view
    happened to read it. One check for every page and endpoint, the token endpoint too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _malformed(request):
            message = _("The request contains characters or nesting that no field accepts.")
            if is_api(request):
                return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class PrivateResponsesMiddleware:
    """Marks every response answered to a signed-in user — a page, an API response
    (DRF's token sign-in sets the request's user too), a PDF, an export — as not to be
    stored by the browser or any proxy (``Cache-Control: no-store``, with ``private``
    and ``max-age=0``): a household's page left in a shared computer's cache, or a
    proxy's, is personal data outside the region scope. Static files never get here
    (whitenoise answers them first); the sign-in pages and the API's token endpoint
    are marked in their views."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response

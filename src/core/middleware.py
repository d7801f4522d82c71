"""Responses that may carry personal data are never stored outside the server."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


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

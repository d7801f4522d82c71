"""Throttles keyed on the client's address as the deployment's proxies report it
(core.clients), never on an X-Forwarded-For the client wrote itself: DRF's own key, with
no NUM_PROXIES, is the whole header, a new key for each made-up value."""

from __future__ import annotations

from rest_framework.throttling import ScopedRateThrottle

from core.clients import client_address


class LoginRateThrottle(ScopedRateThrottle):
    def get_ident(self, request):
        return client_address(request._request) or "unknown"

"""Who is asking: the client's network address, as the deployment's own proxies report it.

Behind a load balancer every request comes from the balancer's address; the client's is
in ``X-Forwarded-For``, which each proxy extends with the address it received the
request from. Only the entries the deployment's own proxies added can be believed: a
client may send the header itself, with anything in it. With ``TRUSTED_PROXY_COUNT``
proxies in front (docs/deploy.md), the client's address is the entry that many places
from the right; with none, the header is ignored and the connection's address counts.
Login limits, the API's throttle, django-axes' records and the audit trail all use this.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """The client's address, never one the client chose itself."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if not count:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        # Not through every proxy (a direct connection, a misrouted request): nothing to believe.
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote

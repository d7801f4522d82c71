"""Access rules shared by the views: sign-in first, then the role's permission (403),
then, inside each view, the region scope (404)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied

from core.errors import NotPermitted


def staff_view(perm: str | None = None):
    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except NotPermitted:
                # The service's own check (it guards every caller, not only the web).
                raise PermissionDenied from None

        guarded = permission_required(perm, raise_exception=True)(wrapped) if perm else wrapped
        return login_required(guarded)

    return decorate

"""What a request answers when the database fails under it: the connection dropped
(a restart, a failover, an administrator ending sessions) or a transient refusal (a
deadlock, a serialization failure). Django's 500 handler (``handler500``) calls
``server_error`` with the exception in hand.

Such a request changed nothing: every change runs in one transaction, which the database
rolls back when it loses the session. So the answer is a 503 — try again — in the
user's language, without touching the database (its connection is gone) and without
the site's layout (which reads the user's menu from it); the API answers JSON. Any other
error is the plain 500 page."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.defaults import server_error as plain_server_error

from .middleware import is_api

DATABASE_FAILURES = (OperationalError, InterfaceError)


def database_failed(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_FAILURES)


def server_error(request, *args, **kwargs):
    if not database_failed(sys.exc_info()[1]):
        return plain_server_error(request, *args, **kwargs)
    message = _("The request was not completed: the connection to the database was lost or the database was "
                "busy. Nothing was changed. Check the record's current state, then try again.")
    if is_api(request):
        return JsonResponse({"detail": message}, status=503, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(render_to_string("503.html", {"message": message}), status=503)

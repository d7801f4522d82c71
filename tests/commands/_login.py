"""Logging in through the real authentication stack.

django-axes (login lockout) needs the request, which Client.login does not pass on
its own; a bare request satisfies it, and the password is still checked for real."""

from __future__ import annotations

from django.http import HttpRequest


def can_log_in(client, username: str, password: str) -> bool:
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    return client.login(request=request, username=username, password=password)

"""What the login limits (staff.logins) add to a response: the device cookie after a
successful sign-in, and a 429 page for a refused web sign-in."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from . import logins


class LoginGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        refused = getattr(request, "login_refused", None)
        if refused is not None and response.status_code == 200:
            # The sign-in form shown again: say why, with the status an API client gets.
            response = render(request, "registration/lockout.html",
                              {"refusal": refused, "failure_limit": refused.limit,
                               "cooloff_minutes": refused.minutes}, status=429)
        cookie = getattr(request, "login_device_cookie", None)
        if cookie is not None:
            response.set_cookie(logins.DEVICE_COOKIE, cookie, max_age=settings.LOGIN_DEVICE_DAYS * 86400,
                                secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
        return response

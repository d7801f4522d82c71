"""What the login limits (staff.logins) add to a response: the device cookie after a
successful sign-in, and a 429 page for a refused web sign-in; and the second factor's
gate (staff.two_factor): a session signed in with its password only reaches the code page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.middleware import is_api

from . import logins
from .two_factor import SESSION_KEY, Need


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


# What a session that still owes its second factor may reach (view names): the code page or
# the set-up page, signing out, the language switch, the health check, and the API's token
# endpoint (which asks for every factor itself and ignores the session).
OPEN_BEFORE_SECOND_FACTOR = {"logout", "set_language", "javascript-catalog", "healthz", "api-token"}
PAGE_FOR = {Need.CODE: "two_factor_verify", Need.DEVICE: "two_factor"}


class SecondFactorMiddleware:
    """After AuthenticationMiddleware: a session that signed in with its password and still
    owes its code (or, where its role requires one, a device) gets the page for that and
    nothing else; the API answers 403. Decided when the URL is resolved (process_view), by
    the session alone: no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        session = getattr(request, "session", None)
        need = session.get(SESSION_KEY) if session is not None else None
        if need not in PAGE_FOR or not request.user.is_authenticated:
            return None
        # The namespaced name: only these views, not any that shares a short name (admin:logout).
        name = request.resolver_match.view_name if request.resolver_match else None
        if name == PAGE_FOR[need] or name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if is_api(request):
            message = (_("Enter the code from your authenticator app on the sign-in page first.") if need == Need.CODE
                       else _("Your role requires a second factor: set one up on the web first."))
            return JsonResponse({"detail": message}, status=403, json_dumps_params={"ensure_ascii": False})
        return HttpResponseRedirect(f"{reverse(PAGE_FOR[need])}?{urlencode({'next': request.get_full_path()})}")

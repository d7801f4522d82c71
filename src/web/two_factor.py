"""The second factor's pages (staff.two_factor): the code asked after the password, and
setting up or removing an authenticator app. Thin: the rules are the staff module's."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.errors import Conflict, InvalidInput, NotPermitted
from forms.funds import apply_errors
from forms.staff import CodeForm
from staff import logins, two_factor


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return ""


def _lockout(request, refused):
    return render(request, "registration/lockout.html",
                  {"refusal": refused, "failure_limit": refused.limit, "cooloff_minutes": refused.minutes}, status=429)


@never_cache
@login_required
def verify(request):
    """After the password: the code. Wrong codes count toward the sign-in limits."""
    user = request.user
    if request.session.get(two_factor.SESSION_KEY) != two_factor.Need.CODE:
        return redirect(_next(request) or "home")
    if two_factor.device_of(user) is None:
        # Removed since this session signed in (a lost phone, by an administrator).
        need = two_factor.need_at_sign_in(user)
        if need is None:
            request.session.pop(two_factor.SESSION_KEY, None)
            return redirect(_next(request) or "home")
        request.session[two_factor.SESSION_KEY] = need
        return redirect("two_factor")
    refused = logins.refusal(request, user.get_username())
    if refused is not None:
        return _lockout(request, refused)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.check_code(request, user, form.cleaned_data["code"])
        if device is not None:
            two_factor.verified(request, user, device)
            return redirect(_next(request) or "home")
        form.add_error("code", _("The code is wrong or has expired: enter the one the app shows now."))
        refused = logins.refusal(request, user.get_username())
        if refused is not None:
            return _lockout(request, refused)
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)})


def _qr_svg(device) -> str:
    # An SVG path drawn by qrcode: no script, no inline style (the CSP allows neither).
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308 - qrcode's own markup, no user text


def _secret(device) -> str:
    """The key as the apps take it typed in: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode()
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


@never_cache
@login_required
def manage(request):
    """Set up an authenticator app (a QR code to scan, then its first code), or stop using it."""
    user = request.user
    must = request.session.get(two_factor.SESSION_KEY) == two_factor.Need.DEVICE
    device = two_factor.device_of(user)
    if not (must or device is not None or two_factor.may_enrol(user)):
        raise PermissionDenied
    action = request.POST.get("action") if request.method == "POST" else None
    form = CodeForm(request.POST if action in ("confirm", "remove") else None)
    pending = None if device is not None else two_factor.pending_device(user)
    try:
        if action == "begin":
            pending = two_factor.begin_enrolment(user)
        elif action == "confirm" and form.is_valid():
            two_factor.confirm_enrolment(request, user, form.cleaned_data["code"])
            messages.success(request, _("From now on you sign in with your password and a code from the app."))
            return redirect(_next(request) or "home")
        elif action == "remove" and form.is_valid():
            two_factor.remove(request, user, form.cleaned_data["code"])
            messages.success(request, _("You no longer sign in with a code."))
            return redirect("two_factor")
    except InvalidInput as exc:
        apply_errors(form, exc.errors)
    except (Conflict, NotPermitted) as exc:
        messages.error(request, exc.message)
        return redirect("two_factor")
    context = {"device": device, "pending": pending, "form": form, "must": must, "next": _next(request),
               "required": two_factor.required_for(user)}
    if pending is not None:
        context.update(qr=_qr_svg(pending), secret=_secret(pending))
    return render(request, "registration/two_factor.html", context, status=400 if form.errors else 200)

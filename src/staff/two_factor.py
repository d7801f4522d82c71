"""The optional second factor: a six-digit code that changes every 30 seconds (TOTP,
RFC 6238), from an authenticator app on the user's phone. django-otp keeps the device
(its TOTPDevice, with its own back-off after wrong codes); this module decides who may
or must have one and what a code is worth.

- Holders of ``OTP_ROLES`` (supervisors, county finance, administrators; a superuser
  counts as an administrator) may set one up; holders of ``OTP_REQUIRED_ROLES`` (none
  by default) must, before they can do anything else.
- Once a user has one, the password alone opens nothing: the web asks for the code
  (staff.middleware.SecondFactorMiddleware), the API's token endpoint wants it as
  ``otp``. A wrong code is a failed sign-in for the login limits (staff.logins), and a
  successful sign-in counts as one only once the code is right.
- What a session still needs is decided when it signs in and kept in the session (no
  query per request): ``Need.CODE`` (enter the code) or ``Need.DEVICE`` (set one up).
"""

from __future__ import annotations

import django_otp
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import services as audit
from core.errors import Conflict, InvalidInput, NotPermitted

from . import logins
from .roles import Role

SESSION_KEY = "staff_second_factor"
DEVICE_NAME = "authenticator"


class Need:
    CODE = "needs_code"      # signed in with the password; the code is still to come
    DEVICE = "needs_device"  # the role requires a second factor and the user has none yet


def check_settings() -> None:
    for name in ("OTP_ROLES", "OTP_REQUIRED_ROLES"):
        unknown = set(getattr(settings, name)) - set(Role.values)
        if unknown:
            raise ImproperlyConfigured(f"{name}: unknown role(s) {', '.join(sorted(unknown))}; "
                                       f"roles are {', '.join(Role.values)}.")


def _roles(user) -> set[str]:
    roles = set(user.roles)
    if user.is_superuser:
        roles.add(Role.ADMIN)
    return roles


def required_for(user) -> bool:
    if not settings.OTP_REQUIRED_ROLES:
        return False  # the usual case: no role query at all
    return bool(_roles(user) & set(settings.OTP_REQUIRED_ROLES))


def may_enrol(user) -> bool:
    return bool(_roles(user) & {*settings.OTP_ROLES, *settings.OTP_REQUIRED_ROLES})


def device_of(user) -> TOTPDevice | None:
    """The user's confirmed device, if they set one up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def pending_device(user) -> TOTPDevice | None:
    """The device being set up: its secret shown, its first code not entered yet."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("-pk").first()


def need_at_sign_in(user) -> str | None:
    if device_of(user) is not None:
        return Need.CODE
    if required_for(user):
        return Need.DEVICE
    return None


def must_enrol(user) -> bool:
    """The role requires a second factor and the user has none: no API token works."""
    return required_for(user) and device_of(user) is None


def _clean(code) -> str:
    # Authenticator apps show "123 456"; people type it so, or with full-width digits.
    return "".join(str(code or "").split()).translate({ord("０") + i: str(i) for i in range(10)})


def _matches(user, device: TOTPDevice, code: str) -> bool:
    code = _clean(code)
    if not (code.isdigit() and len(code) == device.digits):
        return False
    # django_otp.verify_token locks the device row: a code is accepted once, and the
    # device's back-off counts concurrent wrong codes.
    return django_otp.verify_token(user, device.persistent_id, code) is not None


def check_code(request, user, code) -> TOTPDevice | None:
    """The user's device if ``code`` is its current code; otherwise None, and the attempt
    is a failed sign-in for the login limits."""
    device = device_of(user)
    if device is not None and _matches(user, device, code):
        return device
    logins.record_failure(request, user.get_username())
    return None


def verified(request, user, device: TOTPDevice) -> None:
    """The session has both factors: it may do what its roles allow. A new session key
    (the step up in trust), and the sign-in counts as a success for the login limits."""
    django_otp.login(request, device)
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    request.login_device_cookie = logins.record_success(request, user.get_username())


def begin_enrolment(user) -> TOTPDevice:
    """A new secret for the user to scan (any earlier unconfirmed one is forgotten)."""
    if not may_enrol(user):
        raise NotPermitted(_("Your role does not use a second factor."))
    if device_of(user) is not None:
        raise Conflict(_("You already sign in with a code from an authenticator app."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def confirm_enrolment(request, user, code) -> TOTPDevice:
    """The first code from the app proves it holds the secret: from now on the user signs
    in with a code. API tokens issued on the password alone stop working."""
    from rest_framework.authtoken.models import Token

    device = pending_device(user)
    if device is None:
        raise Conflict(_("Start again: no authenticator app is being set up."))
    code = _clean(code)
    if not (code.isdigit() and len(code) == device.digits and device.verify_token(code)):
        raise InvalidInput({"code": [_("The code is wrong or has expired: enter the one the app shows now.")]})
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        Token.objects.filter(user=user).delete()
        audit.record("staff.second_factor.enrolled", actor=user, obj=user, region_code=user.region_id or "",
                     request=request)
    verified(request, user, device)
    return device


def remove(request, user, code) -> None:
    """The user stops using their second factor (with a current code), unless their role requires it."""
    if required_for(user):
        raise Conflict(_("Your role requires a second factor: it cannot be removed."))
    device = device_of(user)
    if device is None:
        raise Conflict(_("You do not sign in with a code."))
    if not _matches(user, device, code):
        raise InvalidInput({"code": [_("The code is wrong or has expired: enter the one the app shows now.")]})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        audit.record("staff.second_factor.removed", actor=user, obj=user, region_code=user.region_id or "",
                     request=request)

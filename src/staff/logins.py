"""Limits on failed sign-ins that stop guessing without letting anyone lock a colleague out.

The web login, the admin and the API's token endpoint share these limits (the
``LoginGuardBackend`` asks ``refusal`` before any password is checked; Django's
login signals report the outcome). Counters live in the cache (Redis in production,
shared by every web process) and run for ``LOGIN_COOLOFF_MINUTES`` from their first
failure.

- A **device** where an account has signed in before carries a signed cookie naming it
  (``login_device``: a random device id and the usernames that signed in there). Failed
  attempts for that account from that device count for that device only: only someone
  at the user's own browser can pause it.
- From **any other device**, failed attempts for an account count together: after
  ``LOGIN_FAILURE_LIMIT`` of them, the account cannot be signed in to from new devices
  for a while, but its owner still signs in from their usual one. An attacker guessing
  a password therefore pauses only their own attempts, never the victim.
- **Password spraying** (one password tried on many accounts) is limited twice: failed
  attempts from one client address (as the deployment's proxies report it,
  core.clients) after ``LOGIN_ADDRESS_FAILURE_LIMIT``, and failed attempts from new
  devices across the whole deployment after ``LOGIN_GLOBAL_FAILURE_LIMIT``; devices
  where an account signed in before are not held up by either.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from core.clients import client_address

DEVICE_COOKIE = "login_device"
DEVICE_SALT = "staff.logins.device"
DEVICE_USERNAMES = 5  # the most recent accounts a shared computer remembers


class Reason:
    DEVICE = "device"        # this account, on this device
    ACCOUNT = "account"      # this account, from devices it has not signed in from
    ADDRESS = "address"      # this client address, whatever the account
    EVERYWHERE = "everywhere"  # the whole deployment, from new devices


@dataclass(frozen=True)
class Refusal:
    reason: str
    limit: int
    minutes: int


@dataclass(frozen=True)
class Device:
    id: str
    usernames: tuple[str, ...]

    def knows(self, username: str) -> bool:
        return _norm(username) in self.usernames


def _norm(username) -> str:
    return str(username or "").strip().lower()


def _digest(*parts) -> str:
    return hashlib.sha256("\x00".join(str(p) for p in parts).encode()).hexdigest()[:32]


def _window() -> int:
    return settings.LOGIN_COOLOFF_MINUTES * 60


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def _bump(key: str) -> None:
    # add() starts the window at the first failure; incr() is atomic in Redis.
    cache.add(key, 0, _window())
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls: a new window
        cache.add(key, 1, _window())


def device_of(request) -> Device | None:
    """The device the request's cookie names, if the cookie is ours and not expired."""
    raw = request.COOKIES.get(DEVICE_COOKIE) if request is not None else None
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=DEVICE_SALT, max_age=settings.LOGIN_DEVICE_DAYS * 86400)
        return Device(id=str(data["d"]), usernames=tuple(str(u) for u in data["u"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def _keys(request, username) -> dict[str, str]:
    name = _norm(username)
    device = device_of(request)
    return {
        Reason.DEVICE: f"login:device:{_digest(name, device.id)}" if device and device.knows(name) else "",
        Reason.ACCOUNT: f"login:account:{_digest(name)}",
        Reason.ADDRESS: f"login:address:{_digest(client_address(request) or '-')}",
        Reason.EVERYWHERE: "login:everywhere",
    }


def _limits() -> dict[str, int]:
    return {Reason.DEVICE: settings.LOGIN_FAILURE_LIMIT, Reason.ACCOUNT: settings.LOGIN_FAILURE_LIMIT,
            Reason.ADDRESS: settings.LOGIN_ADDRESS_FAILURE_LIMIT,
            Reason.EVERYWHERE: settings.LOGIN_GLOBAL_FAILURE_LIMIT}


def _counted(keys: dict[str, str]) -> list[str]:
    """Which counters an attempt answers to: its device's alone on a known device."""
    if keys[Reason.DEVICE]:
        return [Reason.DEVICE]
    return [Reason.ACCOUNT, Reason.ADDRESS, Reason.EVERYWHERE]


def refusal(request, username) -> Refusal | None:
    """Why this attempt is not even checked, or None when it may be."""
    keys, limits = _keys(request, username), _limits()
    for reason in _counted(keys):
        if _count(keys[reason]) >= limits[reason]:
            return Refusal(reason, limits[reason], settings.LOGIN_COOLOFF_MINUTES)
    return None


def record_failure(request, username) -> None:
    keys = _keys(request, username)
    for reason in _counted(keys):
        _bump(keys[reason])


def record_success(request, username) -> str:
    """Forget the account's failures and return the device cookie's new value: this
    device now knows the account."""
    name = _norm(username)
    device = device_of(request)
    keys = _keys(request, name)
    # On a known device, only that device's failures: a user signing in where they always
    # do must not reset what an attacker's failures from elsewhere counted.
    cache.delete(keys[Reason.DEVICE] or keys[Reason.ACCOUNT])
    device_id = device.id if device is not None else secrets.token_urlsafe(16)
    usernames = [name, *(u for u in (device.usernames if device else ()) if u != name)][:DEVICE_USERNAMES]
    return signing.dumps({"d": device_id, "u": usernames}, salt=DEVICE_SALT)

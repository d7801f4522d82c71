"""Two-step sign-in (TOTP, django-otp) for supervisors, county finance and administrators:
setting up an authenticator app from its QR code, signing in with and without the code
on the web and through the API's token endpoint, wrong codes counted by the sign-in
limits (staff.logins), and roles that must have it (OTP_REQUIRED_ROLES).

Codes are made here as an authenticator app makes them, from the key the set-up page
shows (RFC 6238, written out below), not by the library the engine uses."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import html
import re
import struct
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditEvent
from staff import logins
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
STEP = datetime.timedelta(seconds=30)


def totp(key_b32: str, at: float | None = None) -> str:
    """The six-digit code of RFC 6238 (HMAC-SHA1, 30-second steps) for a base32 key."""
    key = base64.b32decode(key_b32.replace(" ", ""))
    counter = int((time.time() if at is None else at) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def key_of(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()


def with_device(user) -> str:
    """A confirmed authenticator for ``user``; returns its key."""
    return key_of(TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True))


def sign_in(client, username, **meta):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD}, **meta)


def enter(client, code, next_url="/"):
    return client.post(reverse("two_factor_verify"), {"code": code, "next": next_url})


def token(client, username, password=PASSWORD, **extra):
    return client.post(TOKEN, {"username": username, "password": password, **extra}, format="json")


@pytest.fixture
def no_back_off(settings):
    """django-otp's own back-off after a wrong code (1 s, 2 s, 4 s…) would refuse the next
    code at once; these tests are about the sign-in limits."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_a_supervisor_sets_up_an_app_from_the_qr_code_and_then_signs_in_with_its_code(sam, time_machine, no_back_off):
    browser = Client()
    assert sign_in(browser, "sam").status_code == 302
    page = browser.get(reverse("two_factor"))
    assert page.status_code == 200 and "两步验证" in page.content.decode()
    assert reverse("two_factor") in browser.get(reverse("home")).content.decode()  # in the top bar

    page = browser.post(reverse("two_factor"), {"action": "begin"}).content.decode()
    svg = re.search(r"<figure class=\"qr\"[^>]*>(<svg .*?</svg>)</figure>", page, re.S)[1]
    assert "<path" in svg and "style=" not in svg and "<script" not in svg  # nothing the CSP refuses
    key = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page)[1]
    device = TOTPDevice.objects.get(user=sam)
    assert not device.confirmed and key.replace(" ", "") == key_of(device)
    assert "issuer=" in device.config_url and "sam" in device.config_url

    # A wrong first code sets nothing up.
    response = browser.post(reverse("two_factor"), {"action": "confirm", "code": wrong(totp(key))})
    assert response.status_code == 400 and not TOTPDevice.objects.get(user=sam).confirmed
    response = browser.post(reverse("two_factor"), {"action": "confirm", "code": totp(key)})
    assert response.status_code == 302 and TOTPDevice.objects.get(user=sam).confirmed
    assert AuditEvent.objects.filter(event="staff.second_factor.enrolled", actor=sam).count() == 1
    assert browser.get(reverse("household_list")).status_code == 200  # this session has both factors

    # Signing in again: the password opens only the code page.
    time_machine.move_to(datetime.datetime.now(tz=datetime.UTC) + STEP, tick=False)
    browser.post(reverse("logout"))
    response = sign_in(browser, "sam")
    assert response.status_code == 302
    gated = browser.get(reverse("household_list"))
    assert gated.status_code == 302
    assert gated["Location"] == f"{reverse('two_factor_verify')}?next=%2Fhouseholds%2F"
    assert browser.get("/api/v1/me/").status_code == 403
    assert browser.get("/admin/").status_code == 302
    code_page = browser.get(gated["Location"]).content.decode()
    assert "登录验证码" in code_page and 'autocomplete="one-time-code"' in code_page
    response = enter(browser, totp(key), "/households/")
    assert response.status_code == 302 and response["Location"] == "/households/"
    assert browser.get(reverse("household_list")).status_code == 200
    assert browser.get("/api/v1/me/").json()["username"] == "sam"


def test_an_account_without_an_app_signs_in_as_before(alice, fiona, settings):
    """The contract for everyone else is unchanged: the password suffices, on the web and
    for a token (an ``otp`` sent anyway is ignored). Caseworkers are not offered the app."""
    browser = Client()
    assert sign_in(browser, "alice").status_code == 302
    assert browser.get(reverse("household_list")).status_code == 200
    assert reverse("two_factor") not in browser.get(reverse("home")).content.decode()
    assert browser.get(reverse("two_factor")).status_code == 403
    api = APIClient()
    assert token(api, "alice").status_code == 200
    assert token(api, "fiona", otp="123456").status_code == 200
    assert token(api, "fiona", password="guess").status_code == 400


def test_the_token_endpoint_wants_the_code_of_an_account_with_an_app(fiona, no_back_off):
    key = with_device(fiona)
    api = APIClient()
    missing = token(api, "fiona")
    assert missing.status_code == 400 and "otp" in missing.json()
    refused = token(api, "fiona", otp=wrong(totp(key)))
    assert refused.status_code == 400 and "otp" in refused.json()
    assert not Token.objects.filter(user=fiona).exists()
    granted = token(api, "fiona", otp=totp(key))
    assert granted.status_code == 200 and granted.json()["token"] == Token.objects.get(user=fiona).key
    # A code is good once: the same one again is refused.
    assert token(api, "fiona", otp=totp(key)).status_code == 400
    # The way apps show it, "123 456", is taken too.
    later = time.time() + 30
    spaced = totp(key, later)
    assert token(api, "fiona", otp=f"{spaced[:3]} {spaced[3:]}").status_code == 200


def test_wrong_codes_count_as_failed_sign_ins_on_the_web(sam, settings, no_back_off):
    key = with_device(sam)
    browser = Client()
    for attempt in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert sign_in(browser, "sam").status_code == 302
        page = enter(browser, wrong(totp(key)))
        assert page.status_code == 200 and "验证码不正确" in page.content.decode(), attempt
        browser.post(reverse("logout"))
    # Signing in with the password again does not clear what the wrong codes counted...
    assert sign_in(browser, "sam").status_code == 302
    assert enter(browser, wrong(totp(key))).status_code == 429
    # ...and now even the right code waits: the account is paused for new devices.
    assert enter(browser, totp(key)).status_code == 429
    assert logins.refusal(browser.get("/").wsgi_request, "sam").reason == logins.Reason.ACCOUNT


def test_wrong_codes_count_as_failed_sign_ins_for_the_api(fiona, settings, no_back_off):
    key = with_device(fiona)
    api = APIClient()
    codes = [token(api, "fiona", otp=wrong(totp(key))).status_code for _ in range(settings.LOGIN_FAILURE_LIMIT + 1)]
    assert codes[:settings.LOGIN_FAILURE_LIMIT - 1] == [400] * (settings.LOGIN_FAILURE_LIMIT - 1)
    assert codes[-1] == 429
    assert token(api, "fiona", otp=totp(key)).status_code == 429


def test_the_right_code_after_a_wrong_one_signs_in_and_makes_the_device_known(sam, no_back_off):
    key = with_device(sam)
    browser = Client()
    sign_in(browser, "sam")
    assert logins.DEVICE_COOKIE not in browser.cookies  # not on the password alone
    enter(browser, wrong(totp(key)))
    response = enter(browser, totp(key))
    assert response.status_code == 302
    assert logins.DEVICE_COOKIE in browser.cookies


def test_a_role_that_requires_it_sets_it_up_before_anything_else(fiona, alice, settings):
    settings.OTP_REQUIRED_ROLES = ["county_finance"]
    old_token = Token.objects.create(user=fiona)
    api = APIClient()
    # No token without it, and a token from before is refused.
    refused = token(api, "fiona")
    assert refused.status_code == 403 and "两步验证" in refused.json()["detail"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {old_token.key}")
    assert api.get("/api/v1/me/").status_code == 401
    # The web leads to the set-up page, whatever was asked for.
    browser = Client()
    assert sign_in(browser, "fiona").status_code == 302
    gated = browser.get(reverse("household_list"))
    assert gated.status_code == 302 and gated["Location"].startswith(reverse("two_factor"))
    assert browser.get("/api/v1/me/", HTTP_ACCEPT="application/json").status_code == 403
    page = browser.get(gated["Location"]).content.decode()
    assert "您的角色要求使用两步验证" in page
    page = browser.post(reverse("two_factor"), {"action": "begin"}).content.decode()
    key = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page)[1]
    assert browser.post(reverse("two_factor"), {"action": "confirm", "code": totp(key)}).status_code == 302
    assert browser.get(reverse("home")).status_code == 200
    assert not Token.objects.filter(pk=old_token.pk).exists()
    # It cannot be removed while the role requires it.
    later = time.time() + 30
    browser.post(reverse("two_factor"), {"action": "remove", "code": totp(key, later)})
    assert TOTPDevice.objects.filter(user=fiona, confirmed=True).exists()
    # Roles that do not require it are not held up.
    assert token(APIClient(), "alice").status_code == 200


def test_an_administrator_signing_in_to_the_admin_gives_the_code_too(root, no_back_off):
    key = with_device(root)
    browser = Client()
    response = browser.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    gated = browser.get("/admin/")
    assert gated.status_code == 302 and gated["Location"].startswith(reverse("two_factor_verify"))
    assert enter(browser, totp(key), "/admin/").status_code == 302
    assert browser.get("/admin/").status_code == 200
    # The admin lists devices without their secrets.
    listing = browser.get("/admin/otp_totp/totpdevice/").content.decode()
    assert "root" in listing and key_of(TOTPDevice.objects.get(user=root)) not in html.unescape(listing)


def test_stopping_with_a_current_code(sam, time_machine, no_back_off):
    key = with_device(sam)
    browser = Client()
    sign_in(browser, "sam")
    assert enter(browser, totp(key)).status_code == 302
    time_machine.move_to(datetime.datetime.now(tz=datetime.UTC) + STEP, tick=False)
    assert browser.post(reverse("two_factor"), {"action": "remove", "code": wrong(totp(key))}).status_code == 400
    assert TOTPDevice.objects.filter(user=sam).exists()
    assert browser.post(reverse("two_factor"), {"action": "remove", "code": totp(key)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=sam).exists()
    assert AuditEvent.objects.filter(event="staff.second_factor.removed", actor=sam).count() == 1


def test_the_pages_speak_english_too(sam):
    browser = Client()
    sign_in(browser, "sam")
    page = browser.get(reverse("two_factor"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Two-step sign-in" in page and "Set up an authenticator app" in page



def test_a_device_removed_by_an_administrator_meanwhile_leaves_no_one_stuck(sam, fiona, settings):
    settings.OTP_REQUIRED_ROLES = ["county_finance"]
    with_device(sam)
    with_device(fiona)
    sam_browser, fiona_browser = Client(), Client()
    sign_in(sam_browser, "sam")
    sign_in(fiona_browser, "fiona")
    TOTPDevice.objects.all().delete()  # both phones lost
    # Sam's role does not require it: on with the password alone.
    assert sam_browser.get(reverse("two_factor_verify")).status_code == 302
    assert sam_browser.get(reverse("household_list")).status_code == 200
    # Fiona's does: she sets up a new one before anything else.
    response = fiona_browser.get(reverse("two_factor_verify"))
    assert response.status_code == 302 and response["Location"] == reverse("two_factor")
    assert fiona_browser.get(reverse("home"))["Location"].startswith(reverse("two_factor"))

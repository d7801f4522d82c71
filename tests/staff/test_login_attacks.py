"""The attacks on signing in:

- a different ``X-Forwarded-For`` on each request bypassed the token throttle (40 tries,
  no 429): the throttle keyed on whatever the client wrote in the header;
- five bad passwords from the victim's own address (an office, a proxy) locked the victim
  out: the lockout was keyed on username and address;
- password spraying (30 usernames, one password each) was not limited at all;
- behind the proxy of docs/deploy.md every user had the proxy's address.

Now the client's address is the one the configured proxies report (core.clients), the
limits are staff.logins' (per account and device, per account from new devices, per
address, for the whole deployment), and the API contract holds: bad credentials 400,
throttled 429."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from staff.logins import DEVICE_COOKIE
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
OFFICE = "203.0.113.7"


def token(client, username, password, **meta):
    return client.post(TOKEN, {"username": username, "password": password}, format="json", **meta)


def test_a_made_up_forwarded_for_does_not_escape_the_throttle(alice):
    client = APIClient()
    codes = [token(client, f"user{i:02d}", "guess", REMOTE_ADDR=OFFICE,
                   HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(40)]
    assert codes[0] == 400 and 429 in codes
    assert codes.index(429) <= 10, codes


def test_behind_a_proxy_each_client_has_its_own_address(alice, amy, settings):
    """With the one proxy of docs/deploy.md, the address it appends is the client's: one
    client's failures do not throttle another, and a made-up prefix changes nothing."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    client = APIClient()
    codes = [token(client, f"user{i:02d}", "guess", REMOTE_ADDR=proxy,
                   HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, {OFFICE}").status_code for i in range(12)]
    assert 429 in codes
    other = token(APIClient(), "amy", PASSWORD, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.44")
    assert other.status_code == 200
    # django-axes' record of the attempts names the client, not the proxy.
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OFFICE}


def test_an_attacker_at_the_victims_address_cannot_lock_the_victim_out(alice, settings):
    victim = Client()
    assert victim.post(reverse("login"), {"username": "alice", "password": PASSWORD},
                       REMOTE_ADDR=OFFICE).status_code == 302
    assert DEVICE_COOKIE in victim.cookies
    victim.post(reverse("logout"), REMOTE_ADDR=OFFICE)
    attacker = Client()
    codes = [attacker.post(reverse("login"), {"username": "alice", "password": "guess"},
                           REMOTE_ADDR=OFFICE).status_code for _ in range(settings.LOGIN_FAILURE_LIMIT + 2)]
    assert codes[-1] == 429  # the attacker is paused...
    # ...the victim, on the device she always uses, is not: web and API alike.
    assert victim.post(reverse("login"), {"username": "alice", "password": PASSWORD},
                       REMOTE_ADDR=OFFICE).status_code == 302
    api = APIClient()
    api.cookies[DEVICE_COOKIE] = victim.cookies[DEVICE_COOKIE].value
    assert token(api, "alice", PASSWORD, REMOTE_ADDR=OFFICE).status_code == 200
    # The attacker, even with the right password from a new device, is still paused.
    assert token(APIClient(), "alice", PASSWORD, REMOTE_ADDR="192.0.2.99").status_code == 429


def test_a_forged_device_cookie_is_a_new_device(alice, settings):
    attacker = APIClient()
    attacker.cookies[DEVICE_COOKIE] = "alice:made-up"
    codes = [token(attacker, "alice", "guess", REMOTE_ADDR=OFFICE).status_code
             for _ in range(settings.LOGIN_FAILURE_LIMIT + 1)]
    assert codes[:settings.LOGIN_FAILURE_LIMIT] == [400] * settings.LOGIN_FAILURE_LIMIT and codes[-1] == 429


def test_password_spraying_from_one_address_is_limited(alice, settings):
    web = Client()
    codes = [web.post(reverse("login"), {"username": f"staff{i:02d}", "password": "Spring2026!"},
                      REMOTE_ADDR=OFFICE).status_code for i in range(30)]
    assert codes[0] == 200 and codes[-1] == 429
    assert codes.index(429) == settings.LOGIN_ADDRESS_FAILURE_LIMIT
    # Another office is not held up.
    assert Client().post(reverse("login"), {"username": "alice", "password": PASSWORD},
                         REMOTE_ADDR="192.0.2.10").status_code == 302


def test_password_spraying_from_many_addresses_is_limited(alice, settings):
    settings.LOGIN_GLOBAL_FAILURE_LIMIT = 25
    trusted = Client()
    assert trusted.post(reverse("login"), {"username": "alice", "password": PASSWORD},
                        REMOTE_ADDR=OFFICE).status_code == 302
    codes = [Client().post(reverse("login"), {"username": f"staff{i:02d}", "password": "Spring2026!"},
                           REMOTE_ADDR=f"198.51.100.{i}").status_code for i in range(30)]
    assert codes[:25] == [200] * 25 and set(codes[25:]) == {429}
    # Where an account signed in before, it still signs in.
    trusted.post(reverse("logout"))
    assert trusted.post(reverse("login"), {"username": "alice", "password": PASSWORD},
                        REMOTE_ADDR=OFFICE).status_code == 302


def test_the_api_contract_holds(alice, settings):
    client = APIClient()
    assert token(client, "alice", "guess").status_code == 400
    assert token(client, "alice", PASSWORD).status_code == 200
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        token(client, "nobody", "guess")
    assert token(client, "nobody", "guess").status_code == 429


def test_the_audit_trail_keeps_the_clients_address_behind_the_proxy(alice, household, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    client.force_login(alice)
    person = household.members.first()
    client.post(reverse("person_reveal", args=[person.pk]), {"reason": "核对"}, REMOTE_ADDR="10.0.0.2",
                HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.45")
    assert AuditEvent.objects.get(event="registry.person.id_revealed").ip_address == "192.0.2.45"

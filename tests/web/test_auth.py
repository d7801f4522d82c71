from __future__ import annotations

from django.test import override_settings
from django.urls import reverse

from tests.conftest import PASSWORD


def test_sign_in_through_the_form(client, alice):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home")).content.decode()
    assert "李丽" in home


def test_wrong_password_shows_an_error(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post(client, alice):
    client.force_login(alice)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


@override_settings(AXES_LOCKOUT_TEMPLATE="registration/lockout.html")
def test_repeated_failures_show_the_lockout_page(client, alice):
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "registration/lockout.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in client.session


def test_top_bar_shows_who_is_signed_in(client, alice):
    client.force_login(alice)
    html = client.get(reverse("home")).content.decode()
    assert "李丽" in html
    assert "济阳街道" in html
    assert "经办人" in html or "Caseworker" in html
    assert f'action="{reverse("logout")}"' in html
    assert 'action="/i18n/setlang/"' in html

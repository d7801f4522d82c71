"""The attack: no Content-Security-Policy even with DJANGO_SECURE=1, and API responses
carrying personal data without ``Cache-Control: no-store``. Now django-csp sends a policy
without 'unsafe-inline' on every response (no template has an inline script left, the
API docs load theirs as a file), and every response answered to a signed-in user, web or
API, is marked no-store."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import PASSWORD
from tests.core.test_settings import ROOT, run_manage

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_strict(response):
    policy = directives(response)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_pages_and_the_api_send_a_strict_policy(as_user, alice, household, client):
    assert_strict(client.get(reverse("login")))
    assert_strict(as_user(alice).get(reverse("household_detail", args=[household.pk])))
    assert_strict(api_as(alice).get(f"/api/v1/households/{household.pk}/"))
    assert_strict(as_user(alice).get("/api/v1/docs/"))


def test_production_settings_send_it_too():
    code = ("import json; from django.conf import settings; "
            "print(json.dumps([settings.CONTENT_SECURITY_POLICY, settings.MIDDLEWARE]))")
    result = run_manage("shell", "-c", code, DJANGO_SECURE="1",
                        DJANGO_SECRET_KEY="p" * 20 + "-production-secret-key-with-enough-entropy-9f3k2")
    assert result.returncode == 0, result.stderr
    policy, middleware = json.loads(result.stdout.strip().splitlines()[-1])
    assert "csp.middleware.CSPMiddleware" in middleware
    assert policy["DIRECTIVES"]["script-src"] == ["'self'"]


def test_no_template_has_an_inline_script_or_style():
    found = []
    for path in [*Path(ROOT, "templates").rglob("*.html"), *Path(ROOT, "src").rglob("templates/**/*.html")]:
        text = path.read_text(encoding="utf-8")
        if "pdf" in path.name or path.parts[-2] == "documents":
            continue  # rendered to PDF by WeasyPrint, never served to a browser
        for match in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in match.group(1) and "application/json" not in match.group(1):
                found.append(f"{path.name}: inline <script>")
        if re.search(r"""\son[a-z]+\s*=\s*["']""", text):
            found.append(f"{path.name}: event handler attribute")
        if re.search(r"""\sstyle\s*=\s*["']""", text) or "<style" in text:
            found.append(f"{path.name}: inline style")
    assert found == []


def test_the_api_docs_start_up_script_is_a_file(as_user, alice):
    client = as_user(alice)
    page = client.get("/api/v1/docs/").content.decode()
    (script_url,) = [u for u in re.findall(r'<script src="([^"]+)"', page) if "script" in u and "?" in u]
    script = client.get(script_url)
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_api_responses_with_personal_data_are_not_stored(alice, household):
    response = api_as(alice).get(f"/api/v1/households/{household.pk}/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    for url in ("/api/v1/households/", f"/api/v1/people/{household.members.first().pk}/", "/api/v1/me/",
                "/api/v1/tasks/"):
        assert "no-store" in api_as(alice).get(url)["Cache-Control"], url


def test_the_token_is_not_stored_either(alice):
    response = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_pages_with_personal_data_are_not_stored(as_user, alice, household):
    client = as_user(alice)
    for url in (reverse("household_list"), reverse("household_detail", args=[household.pk]), reverse("home"),
                reverse("person_edit", args=[household.members.first().pk])):
        response = client.get(url)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"], url

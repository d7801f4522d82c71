"""The registry and `me` parts of API.md, with an outsider and a wrong role for each."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from registry.models import Household, Person
from tests.conftest import COUNTY, PASSWORD, TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1

pytestmark = pytest.mark.django_db


def client_for(user, language="en") -> APIClient:
    # Messages follow Accept-Language; most assertions read the English catalogue.
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def payload(**overrides):
    body = {
        "region": VILLAGE_A2,
        "address": "西关社区5号",
        "registration": "urban",
        "members": [
            {"name": "刘桂兰", "id_number": "11010519491231002X", "relation": "head",
             "conditions": ["living_alone"], "disability_grade": None, "disability_kind": None},
        ],
    }
    body.update(overrides)
    return body


class TestToken:
    def test_good_credentials_give_a_token_that_authenticates(self, alice):
        client = APIClient()
        response = client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
        assert response.status_code == 200
        client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        assert client.get("/api/v1/me/").json()["username"] == "alice"

    def test_bad_credentials_are_400(self, alice):
        response = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "nope"}, format="json")
        assert response.status_code == 400

    def test_no_or_bad_token_is_401(self, alice):
        assert APIClient().get("/api/v1/me/").status_code == 401
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
        assert client.get("/api/v1/me/").status_code == 401

    def test_repeated_failures_lock_the_account_out(self, alice, settings):
        client = APIClient()
        codes = [client.post("/api/v1/auth/token/", {"username": "alice", "password": "wrong"}, format="json")
                 .status_code for _ in range(settings.AXES_FAILURE_LIMIT + 1)]
        assert codes[0] == 400
        assert codes[-1] == 429
        # Locked out: even the right password is refused until the cool-off ends.
        right = client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
        assert right.status_code == 429


class TestMe:
    def test_me_lists_roles_and_region(self, alice):
        body = client_for(alice).get("/api/v1/me/").json()
        assert body == {"username": "alice", "name": "李丽", "roles": ["caseworker"],
                        "region": {"code": TOWNSHIP_A, "name": "济阳街道", "level": "township"}}


class TestRegions:
    def test_children_of_a_region(self, alice):
        body = client_for(alice).get(f"/api/v1/regions/?parent={TOWNSHIP_A}").json()
        assert [r["code"] for r in body["results"]] == [VILLAGE_A1, VILLAGE_A2]
        assert body["results"][0] == {"code": VILLAGE_A1, "name": "东关社区", "level": "village", "parent": TOWNSHIP_A}

    def test_outsider_sees_only_their_subtree(self, bob):
        client = client_for(bob)
        assert client.get(f"/api/v1/regions/?parent={TOWNSHIP_A}").json()["count"] == 0
        assert client.get(f"/api/v1/regions/{VILLAGE_A1}/").status_code == 404
        assert client.get(f"/api/v1/regions/{VILLAGE_B1}/").status_code == 200

    def test_county_staff_see_their_county(self, carol):
        codes = [r["code"] for r in client_for(carol).get("/api/v1/regions/?page_size=200").json()["results"]]
        assert COUNTY in codes and VILLAGE_B1 in codes and "370812001001" not in codes


class TestRegisterHousehold:
    def test_created_with_masked_ids_and_derived_fields(self, alice):
        response = client_for(alice).post("/api/v1/households/", payload(), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert isinstance(body["id"], int)
        member = body["members"][0]
        assert member["id_number"] == "110105********002X"
        assert member["gender"] == "female"
        # The birth date is digits 7-14 of the number: shown only with a revealed number.
        assert "birth_date" not in member
        assert member["age"] >= 75
        assert member["conditions"] == ["living_alone"]
        assert AuditEvent.objects.filter(event="registry.household.registered", object_id=str(body["id"])).exists()

    @pytest.mark.parametrize(
        ("member", "field", "phrase"),
        [
            ({"id_number": "110105194912310021"}, "id_number", "check character"),
            ({"id_number": "110105219912310028"}, "id_number", "birth date"),  # 2199: future, and the date fails
            ({"id_number": "11010519490231002X"}, "id_number", "does not exist"),  # 31 February
            ({"id_number": "1101051949"}, "id_number", "18 characters"),
            ({"disability_grade": 2}, "disability_kind", "kind"),
        ],
    )
    def test_bad_member_field_names_member_and_field_and_saves_nothing(self, alice, member, field, phrase):
        body = payload()
        body["members"][0].update(member)
        response = client_for(alice).post("/api/v1/households/", body, format="json")
        assert response.status_code == 400
        message = response.json()["members"][0][field][0]
        assert "刘桂兰" in message and phrase.lower() in message.lower()
        assert Household.objects.count() == 0 and Person.objects.count() == 0

    def test_messages_are_chinese_by_default(self, alice):
        body = payload()
        body["members"][0]["id_number"] = "110105194912310021"
        client = APIClient()
        client.force_authenticate(alice)
        message = client.post("/api/v1/households/", body, format="json").json()["members"][0]["id_number"][0]
        assert "刘桂兰" in message and "校验" in message

    def test_second_head_is_rejected_naming_the_member(self, alice):
        body = payload()
        body["members"].append({"name": "赵大海", "id_number": "110105195001010012", "relation": "head"})
        response = client_for(alice).post("/api/v1/households/", body, format="json")
        assert response.status_code == 400
        assert "赵大海" in response.json()["members"][1]["relation"][0]
        assert Person.objects.count() == 0

    def test_no_head_is_rejected(self, alice):
        body = payload()
        body["members"][0]["relation"] = "spouse"
        response = client_for(alice).post("/api/v1/households/", body, format="json")
        assert response.status_code == 400 and "members" in response.json()
        assert Household.objects.count() == 0

    def test_id_already_in_another_household_is_rejected(self, alice, household):
        body = payload()
        body["members"].append({"name": "王德明", "id_number": "370811380512031", "relation": "parent"})
        response = client_for(alice).post("/api/v1/households/", body, format="json")
        assert response.status_code == 400
        assert "another household" in response.json()["members"][1]["id_number"][0]
        assert Household.objects.count() == 1 and Person.objects.count() == 2

    @pytest.mark.parametrize("body", [{}, {"members": "x"}, {"members": [{"name": 5}]}, [], "nonsense"])
    def test_malformed_bodies_are_400_not_500(self, alice, body):
        response = client_for(alice).post("/api/v1/households/", body, format="json")
        assert response.status_code == 400

    def test_village_outside_the_region_is_treated_as_missing(self, alice):
        response = client_for(alice).post("/api/v1/households/", payload(region=VILLAGE_B1), format="json")
        assert response.status_code == 400 and "region" in response.json()
        assert Household.objects.count() == 0

    def test_a_township_code_is_not_a_village(self, alice):
        response = client_for(alice).post("/api/v1/households/", payload(region=TOWNSHIP_A), format="json")
        assert response.status_code == 400 and "region" in response.json()

    def test_wrong_role_is_403(self, fiona, sam):
        for user in (fiona, sam):
            assert client_for(user).post("/api/v1/households/", payload(), format="json").status_code == 403
        assert Household.objects.count() == 0


class TestReadHouseholds:
    def test_list_and_search_by_name_and_id_suffix(self, alice, household):
        client = client_for(alice)
        assert client.get("/api/v1/households/").json()["count"] == 1
        assert client.get("/api/v1/households/?q=张秀").json()["count"] == 1
        assert client.get("/api/v1/households/?q=058x").json()["count"] == 1
        assert client.get("/api/v1/households/?q=没有此人").json()["count"] == 0
        assert client.get(f"/api/v1/households/?region={VILLAGE_A1}").json()["count"] == 1
        assert client.get(f"/api/v1/households/?region={VILLAGE_A2}").json()["count"] == 0

    @pytest.mark.parametrize("q", ["王德明", "德", "0318", "058x", "370811380512031", "３７０８１１３８０５１２０３１",
                                   "37081119400302058X", "李", "9999"])
    def test_search_finds_what_the_web_list_finds(self, alice, household, as_user, q):
        # A first-generation 15-digit card number (as typed, or in full-width digits)
        # finds its stored 18-digit form, as it does on the web list.
        from django.urls import reverse

        api = client_for(alice).get("/api/v1/households/", {"q": q}).json()
        web = as_user(alice).get(reverse("household_list"), {"q": q}).context["page"].paginator.count
        assert api["count"] == web
        if q.startswith(("370811", "３７")):
            assert [h["id"] for h in api["results"]] == [household.pk]

    def test_page_size_is_capped_at_200(self, alice, household):
        body = client_for(alice).get("/api/v1/households/?page_size=5000").json()
        assert set(body) == {"count", "next", "previous", "results"}

    def test_outsider_gets_404_and_empty_lists(self, bob, otto, household):
        for user in (bob, otto):
            client = client_for(user)
            assert client.get(f"/api/v1/households/{household.pk}/").status_code == 404
            assert client.get("/api/v1/households/?q=王德明").json()["count"] == 0
            person = household.members.first()
            assert client.get(f"/api/v1/people/{person.pk}/").status_code == 404
            assert client.get(f"/api/v1/households/{household.pk}/?reveal=id_number").status_code == 404
        assert not AuditEvent.objects.filter(event="registry.person.id_revealed").exists()

    def test_county_reviewer_sees_township_households(self, carol, household):
        assert client_for(carol).get(f"/api/v1/households/{household.pk}/").status_code == 200

    def test_ids_are_masked_by_default(self, alice, household):
        text = client_for(alice).get(f"/api/v1/households/{household.pk}/").content.decode()
        assert "370811193805120318" not in text and "37081119400302058X" not in text
        assert "370811********0318" in text


class TestReveal:
    def test_reveal_shows_full_numbers_and_is_audited(self, alice, household):
        response = client_for(alice).get(f"/api/v1/households/{household.pk}/?reveal=id_number&reason=核对")
        numbers = {m["id_number"] for m in response.json()["members"]}
        # The first-generation 15-digit card was stored in its 18-digit form.
        assert numbers == {"370811193805120318", "37081119400302058X"}
        events = AuditEvent.objects.filter(event="registry.person.id_revealed")
        assert events.count() == 2
        assert {e.actor_username for e in events} == {"alice"} and {e.reason for e in events} == {"核对"}

    def test_one_person_reveal(self, alice, household):
        person = household.members.get(relation="spouse")
        body = client_for(alice).get(f"/api/v1/people/{person.pk}/?reveal=id_number").json()
        assert body["id_number"] == "37081119400302058X"
        assert AuditEvent.objects.filter(event="registry.person.id_revealed", object_id=str(person.pk)).count() == 1

    def test_role_without_the_right_gets_403_and_the_refusal_is_logged(self, sam, household):
        response = client_for(sam).get(f"/api/v1/households/{household.pk}/?reveal=id_number&reason=看看")
        assert response.status_code == 403
        assert "370811193805120318" not in response.content.decode()
        assert not AuditEvent.objects.filter(event="registry.person.id_revealed").exists()
        refused = AuditEvent.objects.filter(event="registry.person.id_reveal_refused")
        assert refused.count() == 2 and {e.actor_username for e in refused} == {"sam"}


class TestSchema:
    def test_schema_and_docs_are_served_without_a_cdn(self, alice):
        client = client_for(alice)
        schema = client.get("/api/v1/schema/")
        assert schema.status_code == 200 and b"/api/v1/households/" in schema.content
        docs = client.get("/api/v1/docs/")
        assert docs.status_code == 200
        # Every script and stylesheet comes from this server: no absolute URL to another host
        # (not a search for "cdn" anywhere in the page: the random CSRF token may contain it).
        html = docs.content.decode()
        assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
        assert assets and all(not re.match(r"(?:https?:)?//", url) for url in assets), assets
        assert "unpkg.com" not in html and "jsdelivr" not in html


def test_openapi_schema_generates_without_warnings():
    """A partner's generated client needs stable names: no enum collisions, no errors."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn",
                             "--file", "/dev/null"], cwd=root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]

"""The attack: a full ID number rebuilt from the API. A supervisor or county finance read
the masked number (area code and last four) beside the birth date (digits 7-14), which
together are the whole number; county finance, whose role shows no members on the
household page, read every member's name, birth date and phone through the API; a refused
``?reveal=id_number`` left no trace. One definition (registry.selectors) now decides what
the page and the API show, and a refused reveal is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from registry.selectors import HEAD_FIELDS, MEMBER_FIELDS, member_disclosure

pytestmark = pytest.mark.django_db

HEAD_FULL = "370811193805120318"
SPOUSE_FULL = "37081119400302058X"


def client_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def rebuildable(member: dict) -> bool:
    """Whether the number can be put back together from what the member shows."""
    number = member["id_number"]
    birth = member.get("birth_date")
    return "*" not in number or (birth is not None and len(number) == 18)


@pytest.mark.parametrize("who", ["sam", "fiona", "alice", "carol", "hana"])
def test_no_role_can_rebuild_a_number_without_a_reveal(request, who, household):
    user = request.getfixturevalue(who)
    for url in (f"/api/v1/households/{household.pk}/", "/api/v1/households/"):
        body = client_for(user).get(url).json()
        households = body.get("results", [body])
        members = [m for h in households for m in h["members"]]
        assert members, who
        assert not any(rebuildable(m) for m in members), (who, members)
        assert all("birth_date" not in m for m in members)
    text = client_for(user).get(f"/api/v1/households/{household.pk}/").content.decode()
    assert HEAD_FULL not in text and SPOUSE_FULL not in text
    assert "1938-05-12" not in text and "1940-03-02" not in text


def test_a_supervisor_sees_members_but_no_birth_dates(sam, household):
    person = household.members.get(relation="spouse")
    body = client_for(sam).get(f"/api/v1/people/{person.pk}/").json()
    assert body["name"] == "张秀英" and body["id_number"] == "370811********058X"
    assert "birth_date" not in body and body["age"] >= 80


def test_county_finance_sees_what_its_household_page_shows(fiona, household, as_user):
    """No members' data: who heads the household (name, masked number), as on the list."""
    body = client_for(fiona).get(f"/api/v1/households/{household.pk}/").json()
    assert [set(m) for m in body["members"]] == [set(HEAD_FIELDS)]
    (head,) = body["members"]
    assert head["name"] == "王德明" and head["id_number"] == "370811********0318"
    text = client_for(fiona).get("/api/v1/households/").content.decode()
    assert "张秀英" not in text and "phone" not in text and "birth_date" not in text
    page = as_user(fiona).get(reverse("household_detail", args=[household.pk]))
    assert page.context.get("members") is None
    assert "张秀英" not in page.content.decode()


def test_county_finance_cannot_read_a_person(fiona, household):
    person = household.members.get(relation="spouse")
    assert client_for(fiona).get(f"/api/v1/people/{person.pk}/").status_code == 403


@pytest.mark.parametrize("who", ["sam", "fiona"])
def test_a_refused_reveal_is_403_and_audited(request, who, household):
    user = request.getfixturevalue(who)
    response = client_for(user).get(f"/api/v1/households/{household.pk}/?reveal=id_number&reason=想看")
    assert response.status_code == 403
    assert HEAD_FULL not in response.content.decode()
    refused = AuditEvent.objects.filter(event="registry.person.id_reveal_refused", actor_username=who)
    assert refused.exists() and {e.reason for e in refused} == {"想看"}
    assert not AuditEvent.objects.filter(event="registry.person.id_revealed").exists()


def test_a_refused_reveal_on_the_page_is_audited_too(sam, household, as_user):
    person = household.members.get(relation="head")
    response = as_user(sam).post(reverse("person_reveal", args=[person.pk]), {"reason": "x"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(event="registry.person.id_reveal_refused", object_id=str(person.pk),
                                     actor_username="sam").count() == 1
    assert as_user(sam).get(reverse("person_reveal", args=[person.pk])).status_code == 403


def test_a_revealed_number_comes_with_its_birth_date(alice, household):
    body = client_for(alice).get(f"/api/v1/households/{household.pk}/?reveal=id_number&reason=核对").json()
    by_number = {m["id_number"]: m for m in body["members"]}
    assert by_number[HEAD_FULL]["birth_date"] == "1938-05-12"
    assert AuditEvent.objects.filter(event="registry.person.id_revealed").count() == 2


@pytest.mark.parametrize("who", ["alice", "sam", "fiona"])
def test_the_api_and_the_page_follow_one_definition(request, who, household, as_user):
    user = request.getfixturevalue(who)
    disclosure = member_disclosure(user)
    members = client_for(user).get(f"/api/v1/households/{household.pk}/").json()["members"]
    assert {key for m in members for key in m} == set(disclosure.fields)
    page = as_user(user).get(reverse("household_detail", args=[household.pk]))
    shown_on_page = page.context.get("members")
    if disclosure.all_members:
        assert len(shown_on_page) == len(members) == 2
        assert page.context["member_fields"] == MEMBER_FIELDS
    else:
        assert shown_on_page is None and len(members) == 1

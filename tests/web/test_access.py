"""Who may open which page: sign-in, role (403) and region (404)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from registry.models import Person


def _pages(household):
    person = household.members.order_by("id").first()
    return {
        "home": reverse("home"),
        "list": reverse("household_list"),
        "search": reverse("household_list") + "?q=王",
        "export": reverse("household_export"),
        "create": reverse("household_create"),
        "detail": reverse("household_detail", args=[household.pk]),
        "add_member": reverse("household_add_member", args=[household.pk]),
        "edit": reverse("person_edit", args=[person.pk]),
        "reveal": reverse("person_reveal", args=[person.pk]),
    }


def test_every_page_works_for_the_caseworker(as_user, alice, household):
    client = as_user(alice)
    for name, url in _pages(household).items():
        response = client.get(url)
        assert response.status_code == 200, name


def test_anonymous_users_are_sent_to_sign_in(client, household):
    for name, url in _pages(household).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize("page", ["detail", "add_member", "edit", "reveal"])
def test_outsider_gets_404_for_another_townships_household(as_user, bob, household, page):
    client = as_user(bob)
    url = _pages(household)[page]
    assert client.get(url).status_code == 404


def test_outsider_posts_answer_404_and_change_nothing(as_user, bob, household):
    client = as_user(bob)
    person = household.members.order_by("id").first()
    before = AuditEvent.objects.count()
    assert client.post(reverse("person_reveal", args=[person.pk]), {"reason": "curious"}).status_code == 404
    assert client.post(reverse("person_edit", args=[person.pk]),
                       {"name": "改名", "relation": "head", "reason": "x"}).status_code == 404
    assert client.post(reverse("household_add_member", args=[household.pk]), {}).status_code == 404
    assert AuditEvent.objects.count() == before
    assert Person.objects.get(pk=person.pk).name == person.name


def test_outsider_does_not_find_the_household(as_user, bob, household):
    client = as_user(bob)
    listing = client.get(reverse("household_list")).content.decode()
    assert "王德明" not in listing
    for q in ("王德明", "0318", "370811380512031"):
        response = client.get(reverse("household_list"), {"q": q})
        assert response.context["page"].paginator.count == 0
        assert f'href="{reverse("household_detail", args=[household.pk])}"' not in response.content.decode()


def test_outsider_cannot_filter_by_a_village_outside_the_region(as_user, bob, household):
    from tests.conftest import VILLAGE_A1

    response = as_user(bob).get(reverse("household_list"), {"region": VILLAGE_A1})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert response.context["form"].errors["region"]


def test_county_finance_may_not_register(as_user, fiona, household):
    client = as_user(fiona)
    assert client.get(reverse("household_create")).status_code == 403
    assert client.post(reverse("household_create"), {}).status_code == 403


@pytest.mark.parametrize(
    ("user", "page"),
    [("fiona", "edit"), ("fiona", "reveal"), ("fiona", "add_member"), ("sam", "edit"), ("sam", "reveal"),
     ("carol", "edit"), ("hana", "create")],
)
def test_wrong_role_gets_403(request, as_user, household, user, page):
    client = as_user(request.getfixturevalue(user))
    assert client.get(_pages(household)[page]).status_code == 403


def test_county_finance_sees_the_household_but_not_its_members(as_user, fiona, household):
    response = as_user(fiona).get(reverse("household_detail", args=[household.pk]))
    assert response.status_code == 200
    assert response.context.get("members") is None
    assert "张秀英" not in response.content.decode()


def test_menu_follows_the_role(as_user, alice, fiona, sam):
    names = [i["name"] for i in as_user(alice).get(reverse("home")).context["nav_items"]]
    assert names == ["home", "task_inbox", "application_list", "household_list", "household_create", "notice_list",
                     "proactive_list", "township_changes", "warning_list", "fund_list", "visit_list", "export_list"]
    names = [i["name"] for i in as_user(fiona).get(reverse("home")).context["nav_items"]]
    assert names == ["home", "application_list", "household_list", "fund_list", "roster_list", "export_list"]
    names = [i["name"] for i in as_user(sam).get(reverse("home")).context["nav_items"]]
    assert names == ["home", "application_list", "household_list", "audit_list", "notice_list", "spot_check_list",
                     "proactive_list", "township_changes", "warning_list", "department_lists", "fund_list", "roster_list",
                     "visit_list", "visit_coverage", "sla_dashboard", "statistics", "export_list"]


def test_healthz_needs_no_login_and_holds_no_personal_data(client, household):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body) == {"database", "broker", "last_heartbeat", "workers_alive"}
    assert body["database"] is True
    assert "王德明" not in response.content.decode()


# Roles, permissions and the home region are read once per request and kept on that
# request's user only (staff.access): a change counts from the very next request.

def _menu(client):
    return [i["name"] for i in client.get(reverse("home")).context["nav_items"]]


def test_a_role_taken_away_or_given_counts_from_the_next_request(as_user, alice, household):
    from django.contrib.auth.models import Group

    from staff.roles import Role

    client = as_user(alice)
    assert client.get(reverse("task_inbox")).status_code == 200
    assert client.get(reverse("approval_queue")).status_code == 403
    assert "task_inbox" in _menu(client)

    alice.groups.set([Group.objects.get(name=Role.TOWNSHIP_HEAD)])  # same session, no new sign-in
    assert client.get(reverse("household_create")).status_code == 403  # a caseworker's page
    assert client.get(reverse("approval_queue")).status_code == 200
    menu = _menu(client)
    assert "approval_queue" in menu and "household_create" not in menu

    alice.groups.clear()
    assert client.get(reverse("approval_queue")).status_code == 403
    assert client.get(reverse("task_inbox")).status_code == 403
    assert client.get(reverse("household_list")).status_code == 403


def test_a_role_changed_by_provisioning_counts_from_the_next_request(as_user, alice, root, household):
    from staff.roles import Role
    from staff.services import provision

    client = as_user(alice)
    assert client.get(reverse("household_create")).status_code == 200
    provision(root, username="alice", roles=[Role.SUPERVISOR], region_code=alice.region_id)
    assert client.get(reverse("household_create")).status_code == 403
    assert client.get(reverse("sla_dashboard")).status_code == 200


def test_a_permission_of_the_user_taken_away_counts_from_the_next_request(as_user, fiona, household):
    from django.contrib.auth.models import Permission

    add = Permission.objects.get(content_type__app_label="registry", codename="add_household")
    fiona.user_permissions.add(add)
    client = as_user(fiona)
    assert client.get(reverse("household_create")).status_code == 200
    fiona.user_permissions.remove(add)
    assert client.get(reverse("household_create")).status_code == 403


def test_a_moved_home_region_counts_from_the_next_request(as_user, alice, household):
    from tests.conftest import TOWNSHIP_B

    client = as_user(alice)
    detail = reverse("household_detail", args=[household.pk])
    assert client.get(detail).status_code == 200
    alice.region_id = TOWNSHIP_B
    alice.save(update_fields=["region"])
    assert client.get(detail).status_code == 404  # an outsider now


def test_a_demoted_superuser_loses_everything_on_the_next_request(as_user, root, household):
    client = as_user(root)
    assert client.get(reverse("household_detail", args=[household.pk])).status_code == 200
    root.is_superuser = False
    root.save(update_fields=["is_superuser"])
    assert client.get(reverse("household_detail", args=[household.pk])).status_code == 403


def test_an_api_token_follows_a_role_change_on_the_next_request(alice, household):
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from staff.roles import Role

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    assert client.get("/api/v1/households/").status_code == 200
    assert client.get("/api/v1/me/").json()["roles"] == ["caseworker"]
    alice.groups.set([Group.objects.get(name=Role.COUNTY_FINANCE)])
    assert client.get("/api/v1/me/").json()["roles"] == ["county_finance"]
    assert client.post("/api/v1/households/", {}, format="json").status_code == 403

"""manage.py create_staff and the provisioning service behind it."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from core.errors import InvalidInput, NotPermitted
from staff.models import User
from staff.roles import Role
from staff.services import provision_staff_user, split_name
from tests.commands._login import can_log_in
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

GOOD_PASSWORD = "Yun-He-2026!"


def create_staff(*args) -> str:
    out = StringIO()
    call_command("create_staff", *args, stdout=out)
    return out.getvalue()


def fresh(username) -> User:
    return User.objects.get(username=username)  # no cached roles


def test_creates_an_account_with_roles_and_region_that_can_log_in(regions, client):
    out = create_staff("lihua", "--role", "caseworker", "--role", "township_head", "--region", TOWNSHIP_A,
                       "--password", GOOD_PASSWORD, "--name", "李华", "--email", "lihua@example.org",
                       "--phone", "0537-2345678")

    assert "Created staff account lihua" in out
    user = fresh("lihua")
    assert user.roles == {Role.CASEWORKER, Role.TOWNSHIP_HEAD}
    assert user.region_id == TOWNSHIP_A
    assert (user.last_name, user.first_name, user.display_name) == ("李", "华", "李华")
    assert user.email == "lihua@example.org" and user.phone == "0537-2345678"
    assert not user.is_superuser and not user.is_staff
    assert user.has_perm("registry.add_household")
    assert can_log_in(client, "lihua", GOOD_PASSWORD)
    assert not can_log_in(client, "lihua", "wrong-Password-1")

    event = AuditEvent.objects.get(event="staff.user.created")
    assert event.region_code == TOWNSHIP_A
    assert event.after["roles"] == ["caseworker", "township_head"]
    trail = json.dumps([event.before, event.after, event.extra])
    assert GOOD_PASSWORD not in trail and user.password not in trail


def test_rerun_updates_the_same_account_and_sets_roles_exactly(regions, client):
    create_staff("lihua", "--role", "caseworker", "--role", "township_head", "--region", TOWNSHIP_A,
                 "--password", GOOD_PASSWORD, "--name", "李华")

    out = create_staff("lihua", "--role", "county_reviewer", "--region", COUNTY)

    assert "Updated staff account lihua" in out
    assert User.objects.filter(username="lihua").count() == 1
    user = fresh("lihua")
    assert user.roles == {Role.COUNTY_REVIEWER}
    assert user.region_id == COUNTY
    assert user.display_name == "李华"  # not given again: kept
    assert can_log_in(client, "lihua", GOOD_PASSWORD)  # not given again: kept
    event = AuditEvent.objects.get(event="staff.user.updated")
    assert event.before == {"roles": ["caseworker", "township_head"], "region": TOWNSHIP_A}
    assert event.after == {"roles": ["county_reviewer"], "region": COUNTY}


def test_an_identical_rerun_changes_nothing_and_writes_no_audit_row(regions):
    args = ("lihua", "--role", "caseworker", "--region", TOWNSHIP_A, "--password", GOOD_PASSWORD)
    create_staff(*args)

    out = create_staff(*args)

    assert "nothing changed" in out
    assert AuditEvent.objects.filter(event__startswith="staff.user.").count() == 1


def test_a_new_password_on_rerun_is_set_and_audited_without_the_password(regions, client):
    create_staff("lihua", "--role", "caseworker", "--region", TOWNSHIP_A, "--password", GOOD_PASSWORD)

    create_staff("lihua", "--role", "caseworker", "--region", TOWNSHIP_A, "--password", "Tai-Bai-Lou-9")

    assert can_log_in(client, "lihua", "Tai-Bai-Lou-9")
    event = AuditEvent.objects.get(event="staff.user.updated")
    assert event.extra["password_set"] is True
    assert "Tai-Bai-Lou-9" not in json.dumps([event.before, event.after, event.extra])


def test_without_a_password_one_is_generated_and_printed_once(regions, client):
    out = create_staff("wangfang", "--role", "caseworker", "--region", TOWNSHIP_B)

    password = out.split("Generated password (shown only now): ")[1].strip()
    assert len(password) == 16
    assert can_log_in(client, "wangfang", password)
    assert AuditEvent.objects.get(event="staff.user.created").extra["password_generated"] is True


def test_superuser_needs_no_role_or_region(regions):
    out = create_staff("chief", "--superuser", "--password", GOOD_PASSWORD)

    assert "whole tree" in out
    user = fresh("chief")
    assert user.is_superuser and user.is_staff
    assert user.region is None
    assert Role.ADMIN in user.roles


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--role", "janitor", "--region", TOWNSHIP_A], "Unknown role(s): janitor"),
        (["--role", "caseworker", "--region", "370811099000"], "no region with the code 370811099000"),
        (["--region", TOWNSHIP_A], "Give at least one --role"),
        (["--role", "caseworker"], "--region"),
        (["--role", "caseworker", "--region", TOWNSHIP_A, "--password", "12345678"], "--password: "),
        (["--role", "caseworker", "--region", TOWNSHIP_A, "--email", "not-an-address"], "--email: "),
        (["--role", "caseworker", "--region", TOWNSHIP_A, "--phone", "call me"], "--phone: "),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(regions, args, expected):
    with pytest.raises(CommandError) as caught:
        create_staff("lihua", *args)

    assert expected in str(caught.value)
    assert not User.objects.filter(username="lihua").exists()
    assert not AuditEvent.objects.exists()


def test_a_malformed_username_is_refused(regions):
    with pytest.raises(CommandError, match="username: "):
        create_staff("李华", "--role", "caseworker", "--region", TOWNSHIP_A)


def test_all_errors_are_reported_at_once(regions):
    with pytest.raises(CommandError) as caught:
        create_staff("lihua", "--role", "janitor", "--region", "370811099000", "--email", "x")

    message = str(caught.value)
    assert "--role: " in message and "--region: " in message and "--email: " in message


# The service itself, as a future admin screen will call it.

def test_service_returns_created_flag_and_generated_password(regions):
    user, created, generated = provision_staff_user(
        None, username="zhaolei", roles=[Role.SUPERVISOR], region_code=COUNTY, name="欧阳明远")

    assert created and generated
    assert (user.last_name, user.first_name) == ("欧阳", "明远")
    assert user.roles == {Role.SUPERVISOR}

    again, created, generated = provision_staff_user(
        None, username="zhaolei", roles=[Role.SUPERVISOR], region_code=COUNTY)
    assert again.pk == user.pk and not created and generated is None


def test_service_refuses_an_actor_without_the_right(alice):
    with pytest.raises(NotPermitted):
        provision_staff_user(alice, username="newbie", roles=[Role.CASEWORKER], region_code=TOWNSHIP_A,
                             password=GOOD_PASSWORD)
    assert not User.objects.filter(username="newbie").exists()


def test_service_records_the_actor(root):
    provision_staff_user(root, username="newbie", roles=[Role.CASEWORKER], region_code=TOWNSHIP_A,
                         password=GOOD_PASSWORD)

    event = AuditEvent.objects.get(event="staff.user.created")
    assert event.actor == root


def test_service_raises_invalid_input_by_field(regions):
    with pytest.raises(InvalidInput) as caught:
        provision_staff_user(None, username="", roles=["boss"], region_code="")

    assert set(caught.value.errors) == {"username", "roles", "region"}


@pytest.mark.parametrize(
    ("full", "expected"),
    [("王德明", ("王", "德明")), ("李华", ("李", "华")), ("司马光", ("司马", "光")), ("司马", ("司", "马")),
     ("Anna Schmidt", ("Anna Schmidt", "")), ("  张  三 ", ("张 三", "")), ("", ("", ""))],
)
def test_split_name(full, expected):
    assert split_name(full) == expected

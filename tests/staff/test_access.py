"""staff.access: roles and permissions from one query, answering as Django's ModelBackend
does, kept on the user object only (a request's user is loaded afresh each request)."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from staff import access
from staff.backends import StaffBackend
from staff.models import User
from staff.roles import Role
from tests.conftest import TOWNSHIP_A, make_staff

pytestmark = pytest.mark.django_db


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def mixed(regions):
    """Two roles, a group that is not a role (with a permission of its own), a role group
    with no permissions left, and a permission given to the user directly."""
    extra = Group.objects.create(name="archive_readers")
    extra.permissions.add(permission("regions.view_region"))
    empty = Group.objects.get(name=Role.COUNTY_FINANCE)
    empty.permissions.clear()
    user = make_staff("mixed", [Role.CASEWORKER, Role.SUPERVISOR, Role.COUNTY_FINANCE], TOWNSHIP_A)
    user.groups.add(extra)
    user.user_permissions.add(permission("staff.view_user"))
    return fresh(user)


def test_the_same_answers_as_model_backend_from_one_query(mixed, django_assert_num_queries):
    reference = ModelBackend()
    expected_own = reference.get_user_permissions(fresh(mixed))
    expected_groups = reference.get_group_permissions(fresh(mixed))
    assert "staff.view_user" in expected_own and "regions.view_region" in expected_groups

    user = fresh(mixed)
    with django_assert_num_queries(1):
        assert user.roles == {Role.CASEWORKER, Role.SUPERVISOR, Role.COUNTY_FINANCE}  # even with no permissions
        assert StaffBackend().get_all_permissions(user) == expected_own | expected_groups
        assert StaffBackend().get_user_permissions(user) == expected_own
        assert StaffBackend().get_group_permissions(user) == expected_groups
        assert user.has_perm("staff.view_user") and user.has_perm("regions.view_region")
        assert user.has_perm("temporary.investigate") and not user.has_perm("funds.allocate")


def test_permissions_first_then_roles_is_one_query_too(mixed, django_assert_num_queries):
    user = fresh(mixed)
    with django_assert_num_queries(1):
        assert user.has_perm("deadlines.view_breaches")
        assert Role.SUPERVISOR in user.roles


def test_an_inactive_user_has_no_permission(mixed):
    mixed.is_active = False
    mixed.save()
    user = fresh(mixed)
    assert not user.has_perm("registry.view_household")
    assert StaffBackend().get_all_permissions(user) == set()


def test_a_superuser_has_every_permission_without_a_query(root, django_assert_num_queries):
    user = fresh(root)
    with django_assert_num_queries(1):
        assert user.roles == {Role.ADMIN}
    with django_assert_num_queries(0):
        assert user.has_perm("funds.allocate") and user.has_perm("temporary.county_approve")
    # The whole list, if asked for, is still ModelBackend's: every permission there is.
    assert StaffBackend().get_all_permissions(user) == ModelBackend().get_all_permissions(fresh(root))


def test_the_answer_is_kept_on_the_object_only(alice, django_assert_num_queries):
    user = fresh(alice)
    assert user.roles == {Role.CASEWORKER}
    alice.groups.set([Group.objects.get(name=Role.TOWNSHIP_HEAD)])
    with django_assert_num_queries(0):
        assert user.roles == {Role.CASEWORKER}  # this object read them before the change
    assert fresh(alice).roles == {Role.TOWNSHIP_HEAD}  # the next request's user reads them again
    access.forget(user)
    assert user.roles == {Role.TOWNSHIP_HEAD} and user.has_perm("temporary.township_approve")


def test_the_backend_loads_the_home_region_with_the_user(alice, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = StaffBackend().get_user(alice.pk)
        assert user.region.code == TOWNSHIP_A
    assert StaffBackend().get_user(10**9) is None
    alice.is_active = False
    alice.save()
    assert StaffBackend().get_user(alice.pk) is None

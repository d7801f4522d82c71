"""The one scoping mechanism, checked at every level of the tree."""

from __future__ import annotations

import pytest

from core.scoping import code_visible_to, user_code_range
from registry.models import Household, Person
from staff.models import User
from tests.conftest import COUNTY, TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1, VILLAGE_C1

pytestmark = pytest.mark.django_db


def test_ranges_by_level(alice, carol, root):
    assert user_code_range(alice) == ("370811001000", "370811001999")
    assert user_code_range(carol) == ("370811000000", "370811999999")
    assert user_code_range(root) == ("000000000000", "999999999999")


def test_anonymous_inactive_and_homeless_users_see_nothing(regions, alice):
    from django.contrib.auth.models import AnonymousUser

    assert user_code_range(AnonymousUser()) is None
    alice.is_active = False
    assert user_code_range(alice) is None
    nobody = User.objects.create_user("nobody", password="x")
    assert Household.objects.visible_to(nobody).count() == 0


def test_visibility_follows_the_tree(alice, bob, carol, otto, root, household):
    assert code_visible_to(alice, VILLAGE_A1) and not code_visible_to(alice, VILLAGE_B1)
    assert code_visible_to(carol, VILLAGE_B1) and not code_visible_to(carol, VILLAGE_C1)
    for user, sees in [(alice, True), (bob, False), (carol, True), (otto, False), (root, True)]:
        assert Household.objects.visible_to(user).filter(pk=household.pk).exists() is sees
        assert Person.objects.visible_to(user).filter(household=household).exists() is sees


def test_neighbouring_codes_do_not_leak(regions, alice):
    # 370811001999 is the last code of township A; 370811002000 is the first of B.
    low, high = user_code_range(alice)
    assert low <= "370811001999" <= high
    assert not (low <= "370811002000" <= high)
    assert not (low <= "370811000999" <= high)


def test_staff_scoped_too(alice, bob, carol):
    assert set(User.objects.visible_to(carol).values_list("username", flat=True)) >= {"alice", "bob", "carol"}
    assert list(User.objects.visible_to(alice).values_list("username", flat=True)) == ["alice"]
    assert TOWNSHIP_A.startswith(COUNTY[:6])

"""A user's roles and permissions, from one query, kept on the user object.

Django's ModelBackend reads a user's permissions in two queries (their own, their
groups'), and the roles were a third (their groups' names): a web page, whose menu checks
permissions and shows the roles, paid all three. Here one UNION ALL of the user's groups
(with each group's permissions) and the user's own permissions answers all of them, the
first time a request asks.

The answer lives on the user object only. A request loads its user afresh (from the
session or the API token), so a role given or taken away counts from the next request;
nothing is kept in the session or a cache.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import CharField, Value

from .roles import Role

# ModelBackend's own per-object caches, which its has_perm and get_*_permissions read.
_PERMISSION_CACHES = ("_user_perm_cache", "_group_perm_cache", "_perm_cache")
_ROLES = "_staff_roles"


def load(user) -> None:
    """Set ``user``'s roles and, unless a superuser, permissions, from one query."""
    groups = (Group.objects.filter(user=user).order_by()
              .values_list("name", "permissions__content_type__app_label", "permissions__codename"))
    own = (Permission.objects.filter(user=user).order_by()
           .values_list(Value(None, output_field=CharField()), "content_type__app_label", "codename"))
    names: set[str] = set()
    group_perms: set[str] = set()
    user_perms: set[str] = set()
    for group, app_label, codename in groups.union(own, all=True):
        if group is None:
            user_perms.add(f"{app_label}.{codename}")
            continue
        names.add(group)
        if codename is not None:  # a group without permissions still names a role
            group_perms.add(f"{app_label}.{codename}")

    roles = names & set(Role.values)
    if user.is_superuser:
        roles.add(Role.ADMIN)
    setattr(user, _ROLES, frozenset(roles))
    if not user.is_superuser:
        # ModelBackend gives a superuser every permission there is (a query of its own,
        # only when asked for the list: has_perm answers True without it); left to it.
        user._user_perm_cache = user_perms
        user._group_perm_cache = group_perms
        user._perm_cache = user_perms | group_perms


def roles(user) -> frozenset[str]:
    if not hasattr(user, _ROLES):
        load(user)
    return getattr(user, _ROLES)


def permissions_loaded(user) -> bool:
    return hasattr(user, "_perm_cache")


def forget(user) -> None:
    """Drop what ``load`` kept, after changing the user's groups or permissions on this object."""
    for name in (_ROLES, *_PERMISSION_CACHES):
        user.__dict__.pop(name, None)

from rest_framework.permissions import BasePermission


class ActionPermission(BasePermission):
    """Role check per action: the view declares ``action_perms = {"list": "app.perm", ...}``.
    Region scope is separate (querysets go through visible_to), so a permitted role
    still only reaches its own region's records."""

    def has_permission(self, request, view):
        perm = getattr(view, "action_perms", {}).get(getattr(view, "action", None))
        return perm is None or request.user.has_perm(perm)

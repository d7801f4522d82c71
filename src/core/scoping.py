"""The one place that decides which records a user may see.

Every scoped model names, in ``scope_field``, the path to a 12-digit region code.
A user's home region defines a code range (their subtree); a superuser sees the
whole tree; anyone else sees nothing. Views, the API, exports and downloads all
go through ``visible_to`` / ``get_visible_or_404``, so a record outside the range
simply does not exist for that user (404, never 403).
"""

from __future__ import annotations

from django.db import models
from django.http import Http404

WHOLE_TREE = ("000000000000", "999999999999")


def user_code_range(user) -> tuple[str, str] | None:
    """The inclusive range of region codes ``user`` may see, or None for nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return WHOLE_TREE
    region = getattr(user, "region", None)
    if region is None:
        return None
    return region.code_range


def code_visible_to(user, code: str) -> bool:
    scope = user_code_range(user)
    return scope is not None and scope[0] <= code <= scope[1]


class ScopedQuerySet(models.QuerySet):
    scope_field: str = ""

    def visible_to(self, user):
        scope = user_code_range(user)
        if scope is None:
            return self.none()
        if scope == WHOLE_TREE:
            return self
        return self.filter(**{f"{self.scope_field}__range": scope})


def get_visible_or_404(queryset, user, **lookup):
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None

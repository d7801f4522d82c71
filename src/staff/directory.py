"""Who holds a role for a place: the nearest staff up the tree from a record's region."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from regions.codes import ancestor_codes, code_of

from .models import User


def _chain(region_code: str, level: str = "") -> list[str]:
    """Regions to look in, nearest first; with ``level``, only the ancestor at that level."""
    if level:
        return [code_of(region_code, level)]
    return [region_code, *ancestor_codes(region_code)]


class RoleDirectory:
    """Role holders for many records at once, from one query: used by the sweeper,
    which resolves recipients for hundreds of deadlines per batch."""

    def __init__(self, region_codes: Iterable[str], roles: Iterable[str]):
        codes = {c for code in region_codes for c in _chain(code)}
        roles = set(roles)
        self._by_role_region: dict[tuple[str, str], list[User]] = defaultdict(list)
        if not codes or not roles:
            return
        through = User.groups.through
        pairs = (through.objects.filter(group__name__in=roles, user__is_active=True, user__region_id__in=codes)
                 .select_related("user", "group").order_by("user__username"))
        for pair in pairs:
            self._by_role_region[(pair.group.name, pair.user.region_id)].append(pair.user)

    def holders(self, role: str, region_code: str, level: str = "") -> list[User]:
        """Active users with ``role`` whose home region is the record's region or its
        nearest ancestor that has any (the township head before the county's); with
        ``level``, only those at that level above the record (e.g. the city's supervisors)."""
        for code in _chain(region_code, level):
            found = self._by_role_region.get((role, code))
            if found:
                return list(found)
        return []


def role_holders(role: str, region_code: str, level: str = "") -> list[User]:
    return RoleDirectory([region_code], [role]).holders(role, region_code, level)

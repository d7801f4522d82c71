"""Who holds a role for a place: the nearest staff up the tree from a record's region."""

from __future__ import annotations

from regions.codes import ancestor_codes, subtree_range

from .models import User


def role_holders(role: str, region_code: str, level: str = "") -> list[User]:
    """Active users with ``role`` whose home region is the record's region or its
    nearest ancestor that has any (the township head before the county's); with
    ``level``, only those at that level above the record (e.g. the city's supervisors)."""
    chain = [region_code, *ancestor_codes(region_code)]
    if level:
        chain = [subtree_range(region_code, level)[0]]
    users = list(User.objects.filter(is_active=True, groups__name=role, region_id__in=chain).order_by("username"))
    for code in chain:
        nearest = [u for u in users if u.region_id == code]
        if nearest:
            return nearest
    return []

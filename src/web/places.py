"""The place a dashboard is narrowed to: ``?region=<code>``, e.g. the county a city
supervisor opened from the city's figures. It must lie in the user's scope; anything
else answers 404, as every other page does for what the user may not see. Pages that
always show a place start from the user's own (``place_or_home``) and draw the way back
up (``ancestors``)."""

from __future__ import annotations

from django.http import Http404

from regions.models import Region


def place_from(request) -> Region | None:
    code = request.GET.get("region", "")
    if not code:
        return None
    place = Region.objects.visible_to(request.user).filter(code=code).first()
    if place is None:
        raise Http404
    return place


def home_region(user) -> Region | None:
    """The user's own region; a superuser's is the top of the tree."""
    if user.is_superuser:
        return Region.objects.filter(parent__isnull=True).order_by("code").first()
    return Region.objects.filter(code=user.region_id).first()


def place_or_home(request) -> Region:
    """The place asked for, else the user's own region (404 if they have none)."""
    place = place_from(request) or home_region(request.user)
    if place is None:
        raise Http404
    return place


def ancestors(region: Region, user) -> list[Region]:
    """The breadcrumb: the region's ancestors the user may see."""
    chain, node = [], region.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    visible = set(Region.objects.visible_to(user).filter(code__in=[r.code for r in chain])
                  .values_list("code", flat=True))
    return [r for r in reversed(chain) if r.code in visible]

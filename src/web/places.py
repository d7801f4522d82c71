"""The place a dashboard is narrowed to: ``?region=<code>``, e.g. the county a city
supervisor opened from the city's figures. It must lie in the user's scope; anything
else answers 404, as every other page does for what the user may not see."""

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

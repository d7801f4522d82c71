"""Finding households and people by what staff type: a name, the tail of an ID number
read off a card, or a whole number (a first-generation 15-digit one too). One search
for the web list, its Excel export, the case pages and the API, so all of them find
the same rows for the same words."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from regions.codes import within

from . import idnumber
from .models import Household, Person

# Digits (optionally ending in X): the tail of an ID number as read off a card.
ID_TAIL_RE = re.compile(r"^\d{1,17}[\dX]?$")


def person_match(q: str) -> Q:
    match = Q(name__icontains=q)
    number = idnumber.normalise(q)
    if ID_TAIL_RE.match(number):
        try:
            # A whole number, even a 15-digit old one, finds the stored 18-digit form.
            match |= Q(id_number=idnumber.parse(number).number)
        except ValidationError:
            match |= Q(id_number__endswith=number)
    return match


def search_households(user, *, q: str = "", region=None) -> QuerySet[Household]:
    """Households ``user`` may see, within ``region`` (a Region) when given, with a
    member matching ``q`` when given."""
    households = Household.objects.visible_to(user)
    if region is not None:
        households = households.filter(within("region__code", region.code, region.level))
    q = (q or "").strip()
    if q:
        # A subquery, not a join: a household with two matching members is listed once.
        households = households.filter(id__in=Person.objects.filter(person_match(q)).values("household_id"))
    return households

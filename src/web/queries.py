"""Household search shared by the list page and the Excel export, so both always
return the same rows for the same filters."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet

from regions.codes import within
from registry import idnumber
from registry.models import Household, Person

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
    households = Household.objects.visible_to(user)
    if region is not None:
        households = households.filter(within("region__code", region.code, region.level))
    q = (q or "").strip()
    if q:
        # A subquery, not a join: a household with two matching members is listed once.
        households = households.filter(id__in=Person.objects.filter(person_match(q)).values("household_id"))
    return households


def with_list_data(households: QuerySet[Household]) -> QuerySet[Household]:
    """What a list row shows, in a fixed number of queries however many rows there are."""
    return households.select_related("region").prefetch_related(
        Prefetch("members", queryset=Person.objects.only("id", "household_id", "name", "id_number", "relation"))
    )

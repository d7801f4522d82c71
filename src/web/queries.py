"""What a household list row shows. The search itself is registry.search, shared
with the API."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from registry.models import Household, Person


def with_list_data(households: QuerySet[Household]) -> QuerySet[Household]:
    """What a list row shows, in a fixed number of queries however many rows there are."""
    return households.select_related("region").prefetch_related(
        Prefetch("members", queryset=Person.objects.only("id", "household_id", "name", "id_number", "relation"))
    )

"""core.counting.count_each: several counts, one query."""

from __future__ import annotations

import pytest

from core.counting import count_each
from regions.models import Region

pytestmark = pytest.mark.django_db


def test_counts_each_queryset_in_one_query(regions, django_assert_num_queries):
    querysets = {
        "townships": Region.objects.filter(level="township"),
        "villages": Region.objects.filter(level="village").order_by("-code"),  # ordering is dropped
        "none_such": Region.objects.filter(level="province"),
        "nothing": Region.objects.none(),  # e.g. a user who may see nothing
    }
    with django_assert_num_queries(1):
        counts = count_each(querysets)
    assert counts == {key: qs.count() for key, qs in querysets.items()}
    assert counts["townships"] == 3 and counts["villages"] == 4 and counts["nothing"] == 0


def test_one_queryset_or_none(regions, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert count_each({"all": Region.objects.all()}) == {"all": len(regions)}
    with django_assert_num_queries(1):
        assert count_each({"a": Region.objects.none(), "all": Region.objects.all()}) == {"a": 0, "all": len(regions)}
    with django_assert_num_queries(0):
        assert count_each({"a": Region.objects.none(), "b": Region.objects.none()}) == {"a": 0, "b": 0}
        assert count_each({}) == {}

"""The two things every part of the engine asks of a region code: which township it
lies in, and whether it lies within a region (regions.codes)."""

from __future__ import annotations

import pytest

from regions.codes import Level, code_of, township_of, township_of_column, within
from regions.models import Region
from tests.conftest import CITY, COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1


@pytest.mark.parametrize(("code", "township"), [(VILLAGE_A1, TOWNSHIP_A), (TOWNSHIP_A, TOWNSHIP_A),
                                                (VILLAGE_B1, TOWNSHIP_B), (COUNTY, COUNTY)])
def test_the_township_of_a_code(code, township):
    assert township_of(code) == township


def test_the_region_at_a_level_above_a_code():
    assert code_of(VILLAGE_A1, Level.COUNTY) == COUNTY
    assert code_of(VILLAGE_A1, Level.CITY) == CITY
    assert code_of(VILLAGE_A1, Level.VILLAGE) == VILLAGE_A1


@pytest.mark.django_db
def test_within_a_region_is_its_subtree_and_nothing_else(regions):
    def codes(code, level):
        return set(Region.objects.filter(within("code", code, level)).values_list("code", flat=True))

    assert codes(TOWNSHIP_A, Level.TOWNSHIP) == {TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2}
    # A village code asked at township level means its township.
    assert codes(VILLAGE_A1, Level.TOWNSHIP) == {TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2}
    assert codes(VILLAGE_A1, Level.VILLAGE) == {VILLAGE_A1}
    assert codes(COUNTY, Level.COUNTY) == {COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1}


@pytest.mark.django_db
def test_the_township_of_a_code_in_sql_agrees_with_python(regions):
    rows = Region.objects.annotate(township=township_of_column("code")).values_list("code", "township")
    assert {code: township for code, township in rows} == {code: township_of(code) for code in regions}

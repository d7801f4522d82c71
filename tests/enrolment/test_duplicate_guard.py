"""The duplicate-benefit guard at 低保's and 特困's confirmation: the same person may not
receive both where the rules forbid it (a rule row per region and date, national by
default), a bank account shared with another household; a grant despite a finding only
with a reason."""

from __future__ import annotations

import datetime

import pytest

from core.errors import InvalidInput
from tests.enrolment.conftest import do, open_case, reload, walk_to_confirmation
from workflows.guard import services as guard
from workflows.guard.models import BenefitExclusion, DuplicateOverride

pytestmark = pytest.mark.django_db


@pytest.fixture
def supported(alice, amy, hana, cora, carol, poor_couple):
    """The couple is supported as extremely poor (特困), confirmed by the county."""
    case = open_case(alice, poor_couple, "tekun")
    walk_to_confirmation(case, "tekun", alice, amy, cora, hana)
    do(carol, case, "county_confirm", decision="approve", reason="符合特困供养条件")
    assert reload(case).status == "approved"
    return case


@pytest.fixture
def dibao_case(alice, amy, hana, cora, poor_couple, supported):
    case = open_case(alice, poor_couple, "dibao")
    walk_to_confirmation(case, "dibao", alice, amy, cora, hana)
    return case


def test_dibao_and_tekun_at_once_are_found(supported, dibao_case):
    (finding,) = guard.findings_for(dibao_case.pk)
    assert finding.kind == "excluded_programs" and finding.application_id == supported.pk
    assert "特困" in finding.text or "Extreme-poverty" in finding.text


def test_confirming_needs_a_reason_then_keeps_it(carol, supported, dibao_case):
    before = reload(dibao_case).status
    with pytest.raises(InvalidInput) as refused:
        do(carol, dibao_case, "county_confirm", decision="approve")
    assert set(refused.value.errors) == {"override_reason"}
    assert reload(dibao_case).status == before == "notice" and not DuplicateOverride.objects.exists()
    do(carol, dibao_case, "county_confirm", decision="approve", override_reason="特困供养将于本月终止，已核实")
    assert reload(dibao_case).status == "approved"
    override = DuplicateOverride.objects.get()
    assert override.step == "county_confirm" and override.findings[0]["application"] == supported.pk


def test_a_county_that_allows_both_has_its_own_row(supported, dibao_case, carol):
    BenefitExclusion.objects.create(scope="370811", program="tekun", other_program="dibao", forbidden=False,
                                    effective_from=datetime.date(2025, 1, 1))
    assert guard.findings_for(dibao_case.pk) == []
    assert guard.excluded_programs("dibao", "370812001001", datetime.date(2026, 6, 1)) == ["tekun"]
    do(carol, dibao_case, "county_confirm", decision="approve")
    assert reload(dibao_case).status == "approved" and not DuplicateOverride.objects.exists()


def test_a_stopped_case_is_not_received(supported, dibao_case):
    from assistance.models import Application

    Application.objects.filter(pk=supported.pk).update(status="stopped")
    assert guard.findings_for(dibao_case.pk) == []


def test_an_exclusion_names_two_programs(regions):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        BenefitExclusion(scope="", program="dibao", other_program="dibao",
                         effective_from=datetime.date(2026, 1, 1)).full_clean()
    with pytest.raises(ValidationError):
        BenefitExclusion(scope="", program="dibao", other_program="nothing",
                         effective_from=datetime.date(2026, 1, 1)).full_clean()

"""manage.py seed_demo: a plausible demo city, and a rerun that adds nothing."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from regions.models import Region
from registry import idnumber
from registry.demo import DEMO_PASSWORD, REFERENCE_DATE, HouseholdGenerator, demo_map
from registry.models import Asset, Household, Income, IncomeKind, Person, Registration, Relation
from staff.models import User
from staff.roles import Role
from tests.commands._login import can_log_in
from workflows.dibao.demo import SHAPES as DIBAO_SHAPES
from workflows.tekun.demo import SHAPES as TEKUN_SHAPES

SEED = 7
# The households the 低保 and 特困 demo cases are made for (workflows/*/demo.py), beside the synthetic ones.
ENROLMENT_HOUSEHOLDS = len(DIBAO_SHAPES) + len(TEKUN_SHAPES)

LOGINS = {
    "admin": (set(), "370800000000"),
    "city_supervisor": ({Role.SUPERVISOR}, "370800000000"),
    "supervisor": ({Role.SUPERVISOR}, "370811000000"),
    "county_reviewer": ({Role.COUNTY_REVIEWER}, "370811000000"),
    "county_finance": ({Role.COUNTY_FINANCE}, "370811000000"),
    "township_head": ({Role.TOWNSHIP_HEAD}, "370811001000"),
    "caseworker": ({Role.CASEWORKER}, "370811001000"),
    "caseworker2": ({Role.CASEWORKER}, "370811002000"),
    "cw_370812003": ({Role.CASEWORKER}, "370812003000"),
    "th_370811008": ({Role.TOWNSHIP_HEAD}, "370811008000"),
    "sv_370812": ({Role.SUPERVISOR}, "370812000000"),
    "yz_caseworker": ({Role.CASEWORKER}, "370812001000"),
}


def seed(households=60, seed=SEED) -> str:
    out = StringIO()
    call_command("seed_demo", "--households", str(households), "--seed", str(seed), stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Region, User, Household, Person, Income, Asset,
                                                               AuditEvent)}


@pytest.fixture
def seeded(db, reference_data):
    return seed()


def test_a_rerun_creates_nothing_and_prints_the_same_logins(seeded):
    before = counts()

    again = seed()

    assert counts() == before
    assert "Households: 0 created (0 people, 0 incomes, 0 assets), 60 already present." in again
    assert "Staff: 0 created, 0 updated, 47 unchanged." in again

    def logins(output):  # everything but the timing line
        return output.split("\n", 1)[1].split("Households:")[1].split("\n", 1)[1]

    assert logins(again) == logins(seeded)


def test_map_follows_the_code_structure(seeded):
    assert Region.objects.filter(level="city").count() == 1
    assert Region.objects.filter(level="county").count() == 11
    assert Region.objects.filter(level="township").count() == 16
    for region in Region.objects.filter(level__in=["township", "village"]).select_related("parent"):
        region.clean()  # code structure, parent level, prefix
    for township in Region.objects.filter(level="township"):
        villages = township.children.all()
        assert 6 <= villages.count() <= 12
        suffix = "社区" if township.name.endswith("街道") else "村"
        assert all(v.name.endswith(suffix) for v in villages)
    assert Region.objects.get(code="370811001000").name == "济阳街道"
    assert Region.objects.filter(code="370811001001", parent_id="370811001000").exists()


def test_demo_logins_exist_with_their_roles_and_password(seeded, client):
    assert User.objects.count() == 47
    for username, (roles, region) in LOGINS.items():
        user = User.objects.get(username=username)
        assert user.roles - {Role.ADMIN} == roles, username
        assert user.region_id == region, username
        assert user.display_name != username, "every demo login has a Chinese name"
    assert User.objects.get(username="admin").is_superuser
    assert can_log_in(client, "caseworker", DEMO_PASSWORD)
    assert "demo-2026" in seeded
    for username in ("caseworker", "caseworker2", "yz_caseworker", "city_supervisor", "admin"):
        assert re.search(rf"^{username}\s", seeded, re.MULTILINE), username
    assert AuditEvent.objects.filter(event="staff.user.created").count() == 47


def test_people_look_like_social_assistance_recipients(seeded):
    people = list(Person.objects.select_related("household__region"))
    heads = [p for p in people if p.relation == Relation.HEAD]
    assert len(heads) == Household.objects.count() == 60 + ENROLMENT_HOUSEHOLDS

    for person in people:
        parsed = idnumber.parse(person.id_number)  # raises on a bad number
        assert parsed.number == person.id_number
        assert parsed.birth_date == person.birth_date
    assert sum(p.age_on(REFERENCE_DATE) >= 60 for p in heads) >= 0.65 * len(heads)
    assert sum(p.age_on(REFERENCE_DATE) >= 60 for p in people) >= 0.5 * len(people)
    assert any(p.disability_grade for p in people)
    assert any(p.condition_codes for p in people)

    # Most ID numbers carry the county's area code, a few a retired one.
    areas = [p.id_number[:6] for p in people]
    assert sum(a in ("370811", "370812") for a in areas) >= 0.8 * len(areas)
    for person in people:
        county = person.household.region_id[:6]
        assert person.id_number[:6] in (county, "370802", "370882", "372901", "372801", "372401", "372301")

    # Children are younger than the head who is their parent (or grandparent).
    for person in people:
        head = next(h for h in heads if h.household_id == person.household_id)
        if person.relation == Relation.CHILD:
            assert (person.birth_date - head.birth_date).days > 15 * 365
        elif person.relation == Relation.OTHER:
            assert (person.birth_date - head.birth_date).days > 30 * 365

    for household in Household.objects.select_related("region"):
        if household.region.name.endswith("村"):
            assert household.address.startswith(household.region.name)
    rural = Household.objects.filter(region__name__endswith="村")
    assert rural.filter(registration=Registration.RURAL).count() >= 0.8 * rural.count()


def test_first_generation_ids_were_converted(seeded):
    plans = HouseholdGenerator(SEED, demo_map().villages).plans(60)
    typed_15 = [m.id_number for p in plans for m in p.members if len(m.id_number) == 15]

    assert typed_15, "the demo registers some heads from old 15-digit cards"
    stored = set(Person.objects.values_list("id_number", flat=True))
    for number in typed_15:
        assert idnumber.parse(number).converted_from_15
        assert idnumber.parse(number).number in stored
    assert not any(len(n) != 18 for n in stored)


def test_incomes_assets_and_audit_rows(seeded):
    assert Income.objects.filter(kind=IncomeKind.PENSION).exists()
    assistance = Income.objects.filter(kind=IncomeKind.ASSISTANCE)
    assert assistance.exists() and not any(i.counted for i in assistance)
    assert all(i.monthly_amount.as_tuple().exponent == -2 for i in Income.objects.all())
    assert Asset.objects.exists()
    assert AuditEvent.objects.filter(event="registry.household.registered").count() == 60 + ENROLMENT_HOUSEHOLDS
    assert AuditEvent.objects.filter(event="registry.demo.seeded").count() == 1
    assert AuditEvent.objects.filter(event="regions.imported").count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("reference_data")
def test_a_larger_run_extends_a_smaller_one():
    seed(households=10)
    ten = set(Person.objects.values_list("id_number", flat=True))

    out = seed(households=25)

    assert "15 created" in out and "10 already present" in out
    assert ten < set(Person.objects.values_list("id_number", flat=True))
    assert Household.objects.count() == 25 + ENROLMENT_HOUSEHOLDS


@pytest.mark.django_db
@pytest.mark.usefixtures("reference_data")
def test_a_clashing_region_stops_the_seed_before_anything_is_written():
    # A township stored where the demo puts a village: its level cannot change.
    Region.objects.create(code="370800000000", name="济宁市", level="city")
    Region.objects.create(code="370811000000", name="任城区", level="county", parent_id="370800000000")
    Region.objects.create(code="370811001000", name="济阳街道", level="township", parent_id="370811000000")
    Region.objects.create(code="370811001001", name="某村", level="village", parent_id="370811001000")
    Region.objects.filter(code="370811001001").update(level="township")

    with pytest.raises(CommandError, match="370811001001"):
        seed(households=5)

    assert not User.objects.exists()
    assert not Household.objects.exists()
    assert Region.objects.count() == 4


@pytest.mark.django_db
@pytest.mark.usefixtures("reference_data")
def test_refuses_a_production_site_unless_told(settings):
    settings.SECURE = True

    with pytest.raises(CommandError, match="--allow-secure-site"):
        seed(households=1)
    assert not User.objects.exists()

    call_command("seed_demo", "--households", "1", "--allow-secure-site", stdout=StringIO())
    assert User.objects.filter(username="admin", is_superuser=True).exists()


def test_the_demo_has_visit_plans_and_visits_at_once(seeded):
    """Home visits are not empty after ./scripts/run: seed_demo computes plans and visits."""
    from visits.models import Visit, VisitPlan

    assert VisitPlan.objects.filter(active=True).exists()
    assert Visit.objects.filter(status="scheduled").exists()
    assert "定期探访计划" in seeded or "Home-visit plans" in seeded

"""Registry services: validation as a whole, audit rows, and the concurrency guard."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from audit.models import AuditEvent
from core.errors import InvalidInput, NotPermitted
from registry import services
from registry.models import Household, Person
from tests.conftest import VILLAGE_A1, VILLAGE_A2

pytestmark = pytest.mark.django_db

HEAD = {"name": "孙玉珍", "id_number": "11010519491231002X", "relation": "head"}


def test_update_person_audits_before_and_after_with_masked_ids(alice, household):
    person = household.members.get(relation="spouse")
    services.update_person(alice, person, {"phone": "13900001111", "conditions": ["bedridden"]}, reason="回访更新")
    event = AuditEvent.objects.get(event="registry.person.changed")
    assert event.before == {"phone": "", "conditions": ["serious_illness"]}
    assert event.after == {"phone": "13900001111", "conditions": ["bedridden"]}
    assert event.reason == "回访更新" and event.region_code == VILLAGE_A1
    person.refresh_from_db()
    assert person.condition_codes == ["bedridden"]


def test_update_person_corrects_an_id_and_rejects_a_taken_one(alice, household):
    person = household.members.get(relation="spouse")
    head = household.members.get(relation="head")
    with pytest.raises(InvalidInput) as info:
        services.update_person(alice, person, {"id_number": head.id_number})
    assert "id_number" in info.value.errors["members"][0]
    services.update_person(alice, person, {"id_number": "110105195001010012"}, reason="证件更正")
    person.refresh_from_db()
    assert person.id_number == "110105195001010012" and person.gender == "male"
    change = AuditEvent.objects.get(event="registry.person.changed")
    assert change.before["id_number"] == "370811********058X" and "110105195001010012" not in str(change.after)


def test_head_may_be_edited_without_tripping_the_one_head_rule(alice, household):
    head = household.members.get(relation="head")
    services.update_person(alice, head, {"name": "王德民"})
    assert Person.objects.get(pk=head.pk).name == "王德民"


def test_add_member_and_a_second_head_is_refused(alice, household):
    services.add_member(alice, household, {"name": "王小明", "id_number": "370811201206150037", "relation": "child",
                                           "conditions": ["left_behind"]})
    with pytest.raises(InvalidInput):
        services.add_member(alice, household, {"name": "王强", "id_number": "110105195001010012", "relation": "head"})
    assert household.members.count() == 3


def test_wrong_role_cannot_register(fiona):
    with pytest.raises(NotPermitted):
        services.register_household(fiona, region=VILLAGE_A1, address="x", registration="rural", members=[HEAD])


def test_many_errors_reported_together(alice):
    with pytest.raises(InvalidInput) as info:
        services.register_household(alice, region="", address="", registration="city", members=[
            {**HEAD, "name": "", "id_number": "123"}, {**HEAD, "disability_grade": 7}])
    errors = info.value.errors
    assert {"region", "address", "registration", "members"} <= set(errors)
    assert set(errors["members"][0]) == {"name", "id_number"}
    assert {"disability_grade", "relation"} <= set(errors["members"][1])
    assert Household.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_registering_the_same_person_at_once_save_one(alice):
    """Both pass validation before either commits; the unique index decides, and the
    loser gets the same field error as if it had come second."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    original = services.validate_members

    def slow_validate(*args, **kwargs):
        result = original(*args, **kwargs)
        barrier.wait(timeout=10)  # both threads have validated; now both insert
        return result

    def register(address):
        try:
            services.register_household(alice, region=VILLAGE_A2, address=address, registration="urban",
                                        members=[HEAD])
            outcomes.append("saved")
        except InvalidInput as exc:
            outcomes.append("rejected:" + str(exc.errors))
        finally:
            connection.close()

    services.validate_members = slow_validate
    try:
        threads = [threading.Thread(target=register, args=(f"门牌{i}",)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    finally:
        services.validate_members = original
    assert sorted(o.split(":")[0] for o in outcomes) == ["rejected", "saved"]
    assert Person.objects.filter(id_number=HEAD["id_number"]).count() == 1
    assert Household.objects.count() == 1

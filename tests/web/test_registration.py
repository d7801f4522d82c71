from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from registry.models import Household, Person
from registry.synthetic import make_first_generation_id, make_id_number
from tests.conftest import VILLAGE_B1

from .conftest import error_messages, member, registration_post

HEAD_ID = make_id_number("370811", datetime.date(1956, 4, 2), 21)
SPOUSE_ID = make_id_number("370811", datetime.date(1958, 9, 30), 22, female=True)


@pytest.fixture
def counts():
    def snapshot():
        return Household.objects.count(), Person.objects.count()

    return snapshot


def test_the_empty_form_offers_blank_member_rows(as_user, alice):
    response = as_user(alice).get(reverse("household_create"))
    html = response.content.decode()
    assert response.context["formset"].total_form_count() == 3
    assert 'name="members-2-name"' in html
    assert "__prefix__" in html  # the template the "add member" button copies
    assert 'value="head" selected' in html


def test_village_choices_are_limited_to_the_users_region(as_user, alice):
    form = as_user(alice).get(reverse("household_create")).context["form"]
    codes = {code for code, _label in form.fields["region"].choices if code}
    assert codes == {"370811001001", "370811001002"}


def test_successful_registration(as_user, alice, counts):
    client = as_user(alice)
    response = client.post(reverse("household_create"), registration_post([
        member("孙建国", HEAD_ID, "head", conditions=["living_alone", "serious_illness"], phone="13800000000"),
        member("周桂兰", SPOUSE_ID, "spouse", disability_kind="visual", disability_grade="1"),
        member("", "", ""),  # a blank row is ignored
    ]))
    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("household_detail", args=[household.pk])
    assert household.created_by == alice
    head, spouse = household.members.order_by("id")
    assert head.name == "孙建国" and head.relation == "head"
    assert head.condition_codes == ["living_alone", "serious_illness"]
    assert spouse.disability_kind == "visual" and spouse.disability_grade == 1
    assert AuditEvent.objects.filter(event="registry.household.registered", object_id=str(household.pk)).exists()
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]]


def test_a_first_generation_id_is_stored_in_its_18_digit_form(as_user, alice):
    old = make_first_generation_id("370811", datetime.date(1936, 5, 1), 13)
    as_user(alice).post(reverse("household_create"), registration_post([member("吴老汉", old, "head")]))
    person = Person.objects.get()
    assert len(person.id_number) == 18
    assert person.birth_date == datetime.date(1936, 5, 1)


def _rejected(client, members, counts, **household):
    before = counts()
    response = client.post(reverse("household_create"), registration_post(members, **household))
    assert response.status_code == 200
    assert counts() == before
    return response


def test_invalid_checksum_names_the_member(as_user, alice, counts):
    wrong = SPOUSE_ID[:-1] + ("0" if SPOUSE_ID[-1] != "0" else "1")
    response = _rejected(as_user(alice), [member("孙建国", HEAD_ID, "head"), member("周桂兰", wrong, "spouse")], counts)
    errors = error_messages(response.content.decode())
    assert any("周桂兰" in e for e in errors), errors
    spouse_form = response.context["formset"].forms[1]
    assert spouse_form.errors["id_number"]
    # Everything typed is still there.
    html = response.content.decode()
    assert f'value="{wrong}"' in html
    assert 'value="孙建国"' in html


def test_second_head_names_the_member(as_user, alice, counts):
    response = _rejected(as_user(alice), [member("孙建国", HEAD_ID, "head"), member("周桂兰", SPOUSE_ID, "head")],
                         counts)
    errors = response.context["formset"].forms[1].errors["relation"]
    assert any("周桂兰" in e for e in errors), errors
    assert any("周桂兰" in e for e in error_messages(response.content.decode()))


def test_id_already_registered_names_the_member(as_user, alice, household, counts):
    response = _rejected(as_user(alice), [member("孙建国", HEAD_ID, "head"), member("张秀英", "37081119400302058X")],
                         counts)
    errors = response.context["formset"].forms[1].errors["id_number"]
    assert any("张秀英" in e for e in errors), errors


def test_no_head_is_a_whole_list_error(as_user, alice, counts):
    response = _rejected(as_user(alice), [member("孙建国", HEAD_ID, "spouse")], counts)
    assert response.context["formset"].non_form_errors()
    assert "nonform" in response.content.decode()


def test_a_village_outside_the_region_is_refused(as_user, alice, counts):
    response = _rejected(as_user(alice), [member("孙建国", HEAD_ID, "head")], counts, region=VILLAGE_B1)
    assert response.context["form"].errors["region"]


def test_household_errors_from_the_service_land_on_the_form(as_user, alice, counts):
    response = _rejected(as_user(alice), [member("孙建国", HEAD_ID, "head")], counts, address="   ")
    assert response.context["form"].errors["address"]


def test_disability_needs_kind_and_grade(as_user, alice, counts):
    response = _rejected(as_user(alice), [member("孙建国", HEAD_ID, "head", disability_grade="2")], counts)
    errors = response.context["formset"].forms[0].errors["disability_kind"]
    assert any("孙建国" in e for e in errors)


def test_no_members_at_all(as_user, alice, counts):
    response = _rejected(as_user(alice), [member("", "", "")], counts)
    assert response.context["formset"].non_form_errors()

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from registry import services
from registry.models import Person
from registry.synthetic import make_id_number
from tests.language import visible_texts

from .conftest import error_messages

HEAD_FULL = "370811193805120318"
SPOUSE_FULL = "37081119400302058X"


def _people(household):
    return list(household.members.order_by("id"))


def test_detail_shows_members_masked(as_user, alice, household):
    response = as_user(alice).get(reverse("household_detail", args=[household.pk]))
    html = response.content.decode()
    for text in ("王德明", "张秀英", "370811********0318", "370811********058X", "东关社区3号楼2单元101"):
        assert text in html
    assert HEAD_FULL not in html and SPOUSE_FULL not in html
    head, spouse = response.context["members"]
    assert head.name == "王德明"
    assert "济宁市 / 任城区 / 济阳街道 / 东关社区" in html
    assert f'action="{reverse("person_reveal", args=[spouse.pk])}"' in html
    assert reverse("person_edit", args=[spouse.pk]) in html


def test_detail_shows_incomes_and_assets(as_user, alice, household):
    head = _people(household)[0]
    services.record_income(alice, household, member=head, kind="pension", monthly_amount="1234.50",
                           start=datetime.date(2024, 1, 1))
    services.record_asset(alice, household, member=head, kind="deposit", value="8000.00",
                          as_of=datetime.date(2024, 6, 30))
    html = as_user(alice).get(reverse("household_detail", args=[household.pk])).content.decode()
    assert "1234.50" in html
    assert "8000.00" in html


def test_detail_shows_the_households_history(as_user, alice, household):
    """In words: what happened as a sentence, who by name, what was entered by its labels."""
    html = as_user(alice).get(reverse("household_detail", args=[household.pk])).content.decode()
    history = html[html.index("events"):]
    assert "家庭登记" in history and "李丽" in history and "城镇" in history  # registration: urban
    assert 'data-event="registry.household.registered"' in html  # kept for scripts, not shown
    shown = " ".join(visible_texts(history))
    assert "registry.household.registered" not in shown and "alice" not in shown and "urban" not in shown


def test_detail_costs_few_queries(as_user, alice, household, django_assert_max_num_queries):
    client = as_user(alice)
    with django_assert_max_num_queries(16):
        client.get(reverse("household_detail", args=[household.pk]))


class TestReveal:
    def test_reveal_shows_the_number_once_and_audits_it(self, as_user, alice, household):
        client = as_user(alice)
        spouse = _people(household)[1]
        response = client.post(reverse("person_reveal", args=[spouse.pk]), {"reason": "核对银行账户"})
        assert response.status_code == 200
        assert SPOUSE_FULL in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        event = AuditEvent.objects.get(event="registry.person.id_revealed")
        assert event.actor == alice
        assert event.object_id == str(spouse.pk)
        assert event.reason == "核对银行账户"
        assert SPOUSE_FULL not in str(dict(client.session))
        # Not on any other page afterwards, including the history that records the reveal.
        detail = client.get(reverse("household_detail", args=[household.pk])).content.decode()
        assert "核对银行账户" in detail
        assert SPOUSE_FULL not in detail

    def test_a_reason_is_required(self, as_user, alice, household):
        spouse = _people(household)[1]
        response = as_user(alice).post(reverse("person_reveal", args=[spouse.pk]), {"reason": "  "})
        assert response.status_code == 200
        assert SPOUSE_FULL not in response.content.decode()
        assert response.context["form"].errors["reason"]
        assert not AuditEvent.objects.filter(event="registry.person.id_revealed").exists()

    def test_the_reason_page_does_not_show_the_number(self, as_user, alice, household):
        spouse = _people(household)[1]
        response = as_user(alice).get(reverse("person_reveal", args=[spouse.pk]))
        assert SPOUSE_FULL not in response.content.decode()
        assert "370811********058X" in response.content.decode()
        assert not AuditEvent.objects.filter(event="registry.person.id_revealed").exists()

    def test_township_head_may_reveal(self, as_user, hana, household):
        head = _people(household)[0]
        response = as_user(hana).post(reverse("person_reveal", args=[head.pk]), {"reason": "复核"})
        assert HEAD_FULL in response.content.decode()

    def test_supervisor_may_not(self, as_user, sam, household):
        head = _people(household)[0]
        assert as_user(sam).post(reverse("person_reveal", args=[head.pk]), {"reason": "x"}).status_code == 403
        assert not AuditEvent.objects.filter(event="registry.person.id_revealed").exists()


class TestAddMember:
    def test_add_a_member(self, as_user, alice, household):
        number = make_id_number("370811", datetime.date(2012, 3, 4), 31)
        response = as_user(alice).post(reverse("household_add_member", args=[household.pk]), {
            "member-name": "王小宝", "member-id_number": number, "member-relation": "other",
            "member-conditions": ["left_behind"],
        })
        assert response.status_code == 302
        person = Person.objects.get(name="王小宝")
        assert person.household == household
        assert person.condition_codes == ["left_behind"]
        assert AuditEvent.objects.filter(event="registry.person.added", object_id=str(person.pk)).exists()

    def test_a_second_head_is_refused(self, as_user, alice, household):
        number = make_id_number("370811", datetime.date(1990, 3, 4), 33)
        response = as_user(alice).post(reverse("household_add_member", args=[household.pk]), {
            "member-name": "王大军", "member-id_number": number, "member-relation": "head",
        })
        assert response.status_code == 200
        assert response.context["form"].errors["relation"]
        assert not Person.objects.filter(name="王大军").exists()


class TestPersonEdit:
    def test_the_edit_page_never_holds_the_full_number(self, as_user, alice, household):
        head = _people(household)[0]
        html = as_user(alice).get(reverse("person_edit", args=[head.pk])).content.decode()
        assert HEAD_FULL not in html
        assert "370811********0318" in html
        assert 'value="王德明"' in html

    def test_change_with_a_reason(self, as_user, alice, household):
        spouse = _people(household)[1]
        response = as_user(alice).post(reverse("person_edit", args=[spouse.pk]), {
            "name": "张秀英", "relation": "spouse", "disability_kind": "physical", "disability_grade": "1",
            "conditions": ["serious_illness", "bedridden"], "phone": "0537-2345678", "reason": "复评残疾等级",
        })
        assert response.status_code == 302
        spouse.refresh_from_db()
        assert spouse.disability_grade == 1
        assert spouse.phone == "0537-2345678"
        assert spouse.id_number == SPOUSE_FULL
        assert spouse.condition_codes == ["bedridden", "serious_illness"]
        event = AuditEvent.objects.get(event="registry.person.changed")
        assert event.reason == "复评残疾等级"
        assert event.before["disability_grade"] == 2 and event.after["disability_grade"] == 1

    def test_correct_the_id_number(self, as_user, alice, household):
        spouse = _people(household)[1]
        corrected = make_id_number("370811", datetime.date(1940, 3, 2), 58, female=True)
        as_user(alice).post(reverse("person_edit", args=[spouse.pk]), {
            "name": "张秀英", "id_number": corrected, "relation": "spouse", "disability_kind": "physical",
            "disability_grade": "2", "reason": "登记时抄错",
        })
        spouse.refresh_from_db()
        assert spouse.id_number == corrected

    @pytest.mark.parametrize(("change", "field"), [
        ({"id_number": "370811194003020580"}, "id_number"),
        ({"reason": ""}, "reason"),
        ({"relation": "head"}, "relation"),
        ({"phone": "abc"}, "phone"),
    ])
    def test_errors_are_shown_on_their_field(self, as_user, alice, household, change, field):
        spouse = _people(household)[1]
        data = {"name": "张秀英", "relation": "spouse", "disability_kind": "physical", "disability_grade": "2",
                "reason": "更正", **change}
        response = as_user(alice).post(reverse("person_edit", args=[spouse.pk]), data)
        assert response.status_code == 200
        assert response.context["form"].errors[field]
        assert error_messages(response.content.decode())
        spouse.refresh_from_db()
        assert spouse.id_number == SPOUSE_FULL and spouse.relation == "spouse"
        assert not AuditEvent.objects.filter(event="registry.person.changed").exists()


def test_no_page_of_the_household_holds_a_full_number(as_user, alice, household):
    client = as_user(alice)
    head, spouse = _people(household)
    urls = [reverse("home"), reverse("household_list"), reverse("household_list") + "?q=0318",
            reverse("household_detail", args=[household.pk]), reverse("person_edit", args=[head.pk]),
            reverse("household_add_member", args=[household.pk]), reverse("person_reveal", args=[spouse.pk])]
    for url in urls:
        html = client.get(url).content.decode()
        assert not re.search(r"370811(19380512|19400302)", html), url

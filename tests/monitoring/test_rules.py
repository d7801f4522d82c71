"""Each warning rule on its own: who it flags, who it leaves alone, and that a second
run raises nothing again."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from deadlines.models import Deadline
from tests.conftest import TOWNSHIP_A, VILLAGE_A1, make_staff
from workflows.monitoring.models import EarlyWarning, Rule

from .conftest import death_list, income, medical, scan, stranger_id, today, warnings

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_staff(carol):
    return carol


def test_registered_household_the_means_test_finds_eligible_is_flagged_once(poor_couple, rich):
    run = scan(rule=Rule.MEANS_ELIGIBLE)
    found = warnings(Rule.MEANS_ELIGIBLE)
    assert [w.household_id for w in found] == [poor_couple.pk]  # the rich couple is left alone
    assert run.raised == {Rule.MEANS_ELIGIBLE: 1}
    warning = found[0]
    assert "375.00" in warning.reason and "870.00" in warning.reason
    # Its task: a deadline in the township's queue, for a caseworker, ten working days out.
    deadline = Deadline.objects.get(flow="warning", step="follow_up", subject_id=warning.pk)
    assert deadline.region_code == poor_couple.region_id and deadline.role == "caseworker"
    assert deadline.due_at == warning.due_at and deadline.due_at > timezone.now() + datetime.timedelta(days=10)
    # The next night: nothing new, the open warning stands.
    assert scan(rule=Rule.MEANS_ELIGIBLE).raised == {Rule.MEANS_ELIGIBLE: 0}
    assert EarlyWarning.objects.count() == 1


def test_a_household_with_a_case_under_way_is_not_flagged(alice, poor_couple):
    from .conftest import open_case

    open_case(alice, poor_couple)
    scan(rule=Rule.MEANS_ELIGIBLE)
    assert warnings() == []


def test_a_member_registered_unemployed_is_tested_without_their_wage(alice, carol, rich):
    household, people = rich
    assert scan(rule=Rule.MEANS_ELIGIBLE).raised[Rule.MEANS_ELIGIBLE] == 0
    from workflows.monitoring import lists

    from .conftest import csv_file

    lists.import_list(carol, "unemployment", csv_file(["身份证号", "姓名", "区划代码", "登记日期"], [
        [people["钱多多"].id_number, "钱多多", VILLAGE_A1, "2026-10-08"]]))
    scan(rule=Rule.MEANS_ELIGIBLE)
    warning, = warnings(Rule.MEANS_ELIGIBLE)
    assert warning.household_id == household.pk
    assert "2026-10-08" in warning.reason and "unemployed" in warning.msgid and "eligible for" in warning.msgid


def test_a_visit_that_found_need_warns_when_no_case_followed(alice, regions):
    from registry import services as registry
    from visits import services as visits
    from visits.models import Visit

    elder = registry.register_household(alice, region=VILLAGE_A1, address="东关社区9号", registration="urban",
                                        members=[{"name": "刘老汉", "relation": "head", "conditions": ["living_alone"],
                                                  "id_number": stranger_id(1, "1936-02-02")}])
    visits.recompute_plans(persons=elder.members.all())
    visit = Visit.objects.filter(person__household=elder).order_by("window_start").first()
    visits.record_visit(alice, visit, client_uuid=uuid.uuid4(), visited_at=timezone.now() - datetime.timedelta(hours=1),
                        method="in_person", outcome="needs_help", notes="腿脚不便，无人照料")
    # Within the rule's days nothing is raised; after them, the household is flagged.
    assert scan(today() + datetime.timedelta(days=5), Rule.VISIT_NO_CASE).total_raised == 0
    scan(today() + datetime.timedelta(days=16), Rule.VISIT_NO_CASE)
    warning, = warnings(Rule.VISIT_NO_CASE)
    assert warning.household_id == elder.pk and "刘老汉" in warning.reason


def test_a_case_opened_after_the_visit_answers_it(alice, regions):
    from registry import services as registry
    from visits import services as visits
    from visits.models import Visit

    from .conftest import open_case

    elder = registry.register_household(alice, region=VILLAGE_A1, address="东关社区9号", registration="urban",
                                        members=[{"name": "刘老汉", "relation": "head", "conditions": ["living_alone"],
                                                  "id_number": stranger_id(1, "1936-02-02")}])
    visits.recompute_plans(persons=elder.members.all())
    visit = Visit.objects.filter(person__household=elder).order_by("window_start").first()
    visits.record_visit(alice, visit, client_uuid=uuid.uuid4(), visited_at=timezone.now() - datetime.timedelta(hours=1),
                        method="in_person", outcome="danger", notes="独居，煤气未关")
    open_case(alice, elder)  # the visit's need answered by a 低保 application
    scan(today() + datetime.timedelta(days=16), Rule.VISIT_NO_CASE)
    assert warnings() == []


def test_serious_illness_with_large_medical_costs(carol, household, rich):
    _h, people = rich
    wife = household.members.get(name="张秀英")
    medical(carol, [[wife.id_number, "张秀英", VILLAGE_A1, "38650.00"],
                    [people["钱多多"].id_number, "钱多多", VILLAGE_A1, "52000.00"]])  # costs, but no illness
    scan(rule=Rule.ILLNESS_COSTS)
    warning, = warnings(Rule.ILLNESS_COSTS)
    assert warning.household_id == household.pk and warning.person_id == wife.pk
    assert "38,650.00" in warning.reason


def test_small_medical_costs_do_not_warn(carol, household):
    wife = household.members.get(name="张秀英")
    medical(carol, [[wife.id_number, "张秀英", VILLAGE_A1, "1200.00"]])
    scan(rule=Rule.ILLNESS_COSTS)
    assert warnings() == []


def test_a_recipient_listed_dead_without_a_reported_death(carol, alice, enrolled):
    from workflows.reviews import services as reviews

    husband = enrolled.household.members.get(name="孙守田")
    death_list(carol, [[husband.id_number, "孙守田", enrolled.region_code, "2026-11-20"]])
    scan(rule=Rule.NOT_FOLLOWED)
    warning, = warnings(Rule.NOT_FOLLOWED)
    assert warning.household_id == enrolled.household_id and "2026-11-20" in warning.reason
    # Once the death is reported on the case, the rule no longer finds it (the open one stays to be followed up).
    reviews.report_change(alice, enrolled.pk, kind="death", occurred_on=datetime.date(2026, 11, 20),
                          member=husband.pk, note="公安比对：已死亡")
    from workflows.monitoring.rules import Settings, not_followed

    assert list(not_followed(today(), "", Settings.load())) == []


def test_a_change_whose_review_stays_open(alice, enrolled):
    from workflows.reviews import services as reviews

    reviews.report_change(alice, enrolled.pk, kind="income", occurred_on=today(), note="儿子外出务工")
    assert scan(today() + datetime.timedelta(days=10), Rule.NOT_FOLLOWED).total_raised == 0
    scan(today() + datetime.timedelta(days=31), Rule.NOT_FOLLOWED)
    warning, = warnings(Rule.NOT_FOLLOWED)
    assert str(enrolled.pk) in warning.reason


def test_a_recipient_whose_income_now_exceeds_the_line(alice, enrolled):
    scan(rule=Rule.INCOME_OVER_LINE)
    assert warnings() == []  # 375.00 a head against 870.00
    son_wage = income(alice, enrolled.household, None, "wage", "2400.00", "2026-11-01")
    assert son_wage.pk
    scan(rule=Rule.INCOME_OVER_LINE)
    warning, = warnings(Rule.INCOME_OVER_LINE)
    assert warning.household_id == enrolled.household_id
    assert "1,575.00" in warning.reason and "870.00" in warning.reason


def test_people_at_serious_risk_who_are_not_registered_go_to_their_township(carol, regions):
    medical(carol, [[stranger_id(2), "马桂兰", "370811001", "45000.00"],     # a township's 9 digits
                    [stranger_id(3), "牛大力", VILLAGE_A1, "3000.00"]])        # small costs: no warning
    scan(rule=Rule.NOT_REGISTERED)
    warning, = warnings(Rule.NOT_REGISTERED)
    assert warning.household_id is None and warning.region_code == TOWNSHIP_A
    assert "马桂兰" in warning.reason and "45,000.00" in warning.reason
    # The township's caseworker sees it in their queue; township B's does not.
    alice_b = make_staff("b_cw", ["caseworker"], "370811002000")
    assert not EarlyWarning.objects.visible_to(alice_b).exists()
    # Imported again next month, the same person is not warned twice while the first is open.
    medical(carol, [[stranger_id(2), "马桂兰", "370811001", "47000.00"]], as_of=today())
    assert scan(rule=Rule.NOT_REGISTERED).total_raised == 0


@pytest.fixture
def near_couple(alice, standards):
    """A rural couple in 西关社区 on 1,000.00 and 900.00 of pension: 950.00 a head, above 870.00 and under
    the near-dibao line (1.5 × 870.00)."""
    from .conftest import family, person

    household, people = family(alice, [person("周守财", "1949-06-06", "head"),
                                       person("吴凤英", "1951-02-02", "spouse", female=True)],
                               village="370811001002", registration="rural")
    income(alice, household, people["周守财"], "pension", "1000.00", "2024-01-01")
    income(alice, household, people["吴凤英"], "pension", "900.00", "2024-01-01")
    return household, people


def test_near_dibao_is_a_rule_of_its_own_and_gives_way_to_eligible(alice, near_couple):
    household, people = near_couple
    scan(rule=Rule.NEAR_DIBAO)
    warning, = warnings()
    assert warning.rule == Rule.NEAR_DIBAO and warning.household_id == household.pk and "950.00" in warning.reason
    # Asked for the eligible only, the same household is not raised again as near-dibao.
    assert scan(rule=Rule.MEANS_ELIGIBLE).total_raised == 0
    # Its income falls (the wife's pension is cut to 100.00 from today): now eligible, a warning of the other rule.
    income(alice, household, people["吴凤英"], "pension", "100.00", today().isoformat())
    scan()
    assert sorted(w.rule for w in warnings()) == [Rule.MEANS_ELIGIBLE, Rule.NEAR_DIBAO]


def test_a_rule_switched_off_raises_nothing(settings, near_couple, poor_couple):
    settings.MONITORING_RULES = [r for r in Rule.values if r != Rule.NEAR_DIBAO]
    run = scan()
    assert Rule.NEAR_DIBAO not in run.raised and run.raised[Rule.MEANS_ELIGIBLE] == 1
    assert [w.household_id for w in warnings()] == [poor_couple.pk]

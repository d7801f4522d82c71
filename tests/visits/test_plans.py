"""Plans from the registry: tiers from conditions, age and disability; local rules; windows;
a changed condition changes the plan."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from visits import rules, services
from visits.models import TierRule, Visit, VisitPlan, VisitStatus

from .conftest import NOW, at, plan_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
TODAY = NOW.date()


def born(age: int) -> datetime.date:
    return TODAY.replace(year=TODAY.year - age) - datetime.timedelta(days=30)


@pytest.mark.parametrize(("age", "conditions", "disability", "tier", "period"), [
    (85, ["living_alone"], None, "high_risk", "week"),           # 80+ alone
    (72, ["living_alone"], None, "general", "quarter"),          # alone, not yet 80
    (45, ["bedridden"], None, "high_risk", "week"),              # life-threatening at any age
    (67, ["unable_self_care"], None, "high_risk", "week"),
    (30, ["serious_illness"], None, "high_risk", "week"),
    (66, [], ("physical", 3), "key", "month"),                   # 60+ disabled
    (50, [], ("physical", 1), None, None),                       # disabled, under 60, nothing else
    (10, ["orphan"], None, "key", "month"),                      # children in difficulty
    (12, ["unsupported_child"], None, "key", "month"),
    (9, ["left_behind"], None, "key", "month"),                  # left-behind child
    (40, ["left_behind"], None, "general", "quarter"),           # a left-behind adult
    (70, ["empty_nest"], None, "general", "quarter"),
    (70, [], None, None, None),                                  # old but no vulnerability
])
def test_tiers_from_conditions_age_and_disability(clock, make_resident, age, conditions, disability, tier, period):
    person = make_resident(born=born(age), conditions=conditions, disability=disability)
    services.recompute_plans()
    plan = plan_of(person)
    if tier is None:
        assert plan is None
    else:
        assert (plan.tier, plan.period) == (tier, period)
        assert plan.region_code == person.household.region_id and plan.rule_name


def test_the_shared_household_fixture(clock, household):
    """王德明 (88, empty nest) is general; 张秀英 (86, seriously ill, disabled) is high risk."""
    services.recompute_plans()
    head, spouse = household.members.order_by("pk")
    assert (plan_of(head).tier, plan_of(head).period) == ("general", "quarter")
    assert (plan_of(spouse).tier, plan_of(spouse).period) == ("high_risk", "week")


def test_dispersed_tekun_recipients_are_key(clock, make_resident, alice, monkeypatch):
    from assistance.models import Application
    from core import programs

    # The rule reads "receiving" from the program's own statuses (core.programs); until the
    # 特困 program folder exists, a stand-in declares that an approved case receives support.
    monkeypatch.setitem(programs._FLOWS, "tekun", programs.Program(
        code="tekun", label="特困", receiving_statuses=frozenset({"approved"})))

    person = make_resident(born=born(50))
    services.recompute_plans()
    assert plan_of(person) is None
    Application.objects.create(household=person.household, applicant=person, region_code=person.household.region_id,
                               program="tekun", cause="特困供养", status="approved", created_by=alice)
    services.recompute_plans()
    assert (plan_of(person).tier, plan_of(person).period) == ("key", "month")


def test_a_local_rule_replaces_the_national_one_in_its_region_only(clock, make_resident):
    from tests.conftest import VILLAGE_C1, make_staff

    carl = make_staff("carl", ["caseworker"], VILLAGE_C1[:9] + "000")
    here = make_resident(born=born(9), conditions=["left_behind"])
    there = make_resident(by=carl, born=born(9), conditions=["left_behind"], region=VILLAGE_C1)
    national = TierRule.objects.get(code="children_left_behind", scope="")
    # County 兖州区 (370812) visits its left-behind children every week.
    TierRule.objects.create(code=national.code, name="留守儿童（每周）", scope="370812",
                            effective_from=datetime.date(2026, 1, 1), tier="key", period="week", max_age=18,
                            conditions=["left_behind"])
    services.recompute_plans()
    assert plan_of(here).period == "month"
    assert plan_of(there).period == "week"


def test_a_local_version_can_switch_a_rule_off(clock, make_resident):
    person = make_resident(born=born(70), conditions=["empty_nest"])
    TierRule.objects.create(code="vulnerable_other", name="off", scope="3708", active=False,
                            effective_from=datetime.date(2026, 1, 1), tier="general", period="quarter")
    services.recompute_plans()
    assert plan_of(person) is None


def test_a_rule_version_in_force_later_is_ignored_today(clock, make_resident):
    person = make_resident(born=born(70), conditions=["empty_nest"])
    TierRule.objects.create(code="vulnerable_other", name="every month from 2027", scope="",
                            effective_from=datetime.date(2027, 1, 1), tier="general", period="month",
                            conditions=["empty_nest"])
    services.recompute_plans()
    assert plan_of(person).period == "quarter"


def test_windows_of_each_period():
    day = datetime.date(2026, 6, 10)
    assert rules.window_days("week", day) == (datetime.date(2026, 6, 8), datetime.date(2026, 6, 14))
    assert rules.window_days("month", day) == (datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))
    assert rules.window_days("quarter", day) == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    assert rules.window_days("quarter", datetime.date(2026, 12, 31)) == (datetime.date(2026, 10, 1),
                                                                           datetime.date(2026, 12, 31))
    assert rules.window_days("month", datetime.date(2026, 12, 5)) == (datetime.date(2026, 12, 1),
                                                                        datetime.date(2026, 12, 31))
    start, end = rules.bounds(datetime.date(2026, 6, 8), datetime.date(2026, 6, 14))
    assert (start, end) == (at(2026, 6, 8), at(2026, 6, 15))  # the window closes at the midnight after its last day
    assert [w[0].day for w in rules.windows_between("week", datetime.date(2026, 6, 10),
                                                     datetime.date(2026, 6, 22))] == [8, 15, 22]


# --- A changed condition changes the plan ---------------------------------------------------------

def test_a_changed_condition_changes_the_plan(clock, make_resident, alice):
    from registry import services as registry

    person = make_resident(born=born(70), conditions=["empty_nest"])
    services.recompute_plans()
    old = plan_of(person)
    assert (old.tier, old.period) == ("general", "quarter")
    quarter_visit = Visit.objects.get(plan=old)
    assert quarter_visit.window_start == at(2026, 4, 1)

    # The registry changes (no signal): the beat job picks up people edited lately.
    registry.update_person(alice, person, {"conditions": ["empty_nest", "bedridden"]}, reason="复核")
    report = services.recompute_changed()
    assert len(report.ended) == 1 and len(report.created) == 1

    new = plan_of(person)
    assert (new.tier, new.period) == ("high_risk", "week") and new.pk != old.pk
    old.refresh_from_db()
    assert old.active is False and old.ended_at is not None
    quarter_visit.refresh_from_db()
    assert quarter_visit.status == VisitStatus.CANCELLED
    from deadlines.services import deadline_for

    assert deadline_for(quarter_visit).status == "closed"
    weekly = Visit.objects.filter(plan=new, status=VisitStatus.SCHEDULED).order_by("window_start")
    assert [v.window_start for v in weekly] == [at(2026, 6, 8), at(2026, 6, 15)]


def test_a_removed_condition_ends_the_plan_and_its_visits(clock, make_resident, alice):
    from registry import services as registry

    person = make_resident(born=born(70), conditions=["empty_nest"])
    services.recompute_plans()
    registry.update_person(alice, person, {"conditions": []}, reason="子女返乡")
    services.recompute_changed()
    assert plan_of(person) is None
    assert set(Visit.objects.filter(person=person).values_list("status", flat=True)) == {VisitStatus.CANCELLED}


def test_a_tier_change_without_a_new_period_keeps_the_plan(clock, make_resident):
    person = make_resident(born=born(66), conditions=[], disability=("physical", 3))
    services.recompute_plans()
    plan = plan_of(person)
    assert (plan.tier, plan.period) == ("key", "month")
    TierRule.objects.filter(code="elderly_60_disabled_demented").update(tier="high_risk")
    report = services.recompute_plans()
    assert report.changed == [plan.pk] and not report.created
    assert plan_of(person).pk == plan.pk and plan_of(person).tier == "high_risk"
    assert set(Visit.objects.filter(plan=plan).values_list("tier", flat=True)) == {"high_risk"}


def test_recomputing_twice_changes_nothing(clock, make_resident):
    make_resident(born=born(85), conditions=["living_alone"])
    first = services.recompute_plans()
    second = services.recompute_plans()
    assert len(first.created) == 1
    assert (second.created, second.changed, second.ended, second.visits_created) == ([], [], [], 0)
    assert VisitPlan.objects.count() == 1


def test_the_management_command(clock, make_resident):
    from io import StringIO

    make_resident(born=born(85), conditions=["living_alone"])
    out = StringIO()
    call_command("recompute_visit_plans", stdout=out)
    assert "new 1" in out.getvalue() and "visits generated 2" in out.getvalue()
    out = StringIO()
    call_command("recompute_visit_plans", "--changed-minutes", "5", stdout=out)
    assert "new 0" in out.getvalue()


def test_beat_jobs_are_scheduled_and_registered(settings):
    from engine.celery import app

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"visits.generate", "visits.recompute_changed", "visits.recompute_all", "visits.remind_retries"} <= tasks
    app.loader.import_default_modules()
    assert {"visits.generate", "visits.recompute_changed", "visits.recompute_all", "visits.remind_retries"} <= set(
        app.tasks)


def test_rules_are_edited_in_the_admin_and_applied_at_once(client, root, clock, make_resident,
                                                           django_capture_on_commit_callbacks):
    from django.urls import reverse

    person = make_resident(born=born(70), conditions=["empty_nest"])
    services.recompute_plans()
    rule = TierRule.objects.get(code="vulnerable_other")
    client.force_login(root)
    page = client.get(reverse("admin:visits_tierrule_change", args=[rule.pk]))
    assert page.status_code == 200 and 'value="empty_nest"' in page.content.decode()
    response = client.post(reverse("admin:visits_tierrule_change", args=[rule.pk]), {
        "code": rule.code, "name": rule.name, "scope": "", "effective_from": "2021-01-01", "active": "on",
        "tier": "general", "period": "month", "conditions": rule.conditions, "basis": rule.basis})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert plan_of(person).period == "quarter"  # until the rules are applied
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:visits_tierrule_changelist"), {"action": "apply_now", "_selected_action": [rule.pk]})
    assert plan_of(person).period == "month"


# --- Plans from the first minute -----------------------------------------------------------------------

def test_registering_an_elder_living_alone_plans_her_visits_when_it_commits(clock, alice,
                                                                            django_capture_on_commit_callbacks):
    """Not at the next beat: the registry's commit queues the recompute of those people."""
    from tests.visits.conftest import resident

    with django_capture_on_commit_callbacks(execute=True):
        elder = resident(alice, born=born(85), conditions=["living_alone"], name="赵桂芝")
    plan = plan_of(elder)
    assert (plan.tier, plan.period) == ("high_risk", "week")
    assert Visit.objects.filter(plan=plan, status=VisitStatus.SCHEDULED).exists()


def test_an_edit_that_changes_the_tier_replans_at_once(clock, make_resident, alice,
                                                       django_capture_on_commit_callbacks):
    from registry.services import update_person

    person = make_resident(born=born(72), conditions=[])
    assert plan_of(person) is None
    with django_capture_on_commit_callbacks(execute=True):
        update_person(alice, person, {"conditions": ["living_alone", "bedridden"]})
    assert plan_of(person).tier == "high_risk"

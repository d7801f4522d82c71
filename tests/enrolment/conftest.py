"""Walking 低保 and 特困 cases through their flow as their staff would.

The households are shaped like the people these programs serve: an elderly couple on a
small rural pension and a plot, a widow with a disabled son, a man of 72 living alone.
Standards: 任城区 (370811) 1,050.00 urban / 870.00 rural from 2026 (tests/means/conftest.py).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from assistance import services
from assistance.models import Application
from core import programs
from deadlines.calendar_admin import load_year
from deadlines.models import Deadline
from tests.conftest import VILLAGE_A2, make_staff
from tests.means.conftest import family, income, person, standards  # noqa: F401 - fixtures
from workflows import engine


@pytest.fixture(autouse=True)
def _calendar(db, reference_data):
    load_year(2025)
    load_year(2026)


@pytest.fixture
def hugo(regions):
    """A second township head of township A: confirms where it is delegated (hana reviews)."""
    return make_staff("hugo", ["township_head"], "370811001000", last_name="何", first_name="勇")


@pytest.fixture
def cora(regions):
    """A second county reviewer: verifies, while carol confirms."""
    return make_staff("cora", ["county_reviewer"], "370811000000", last_name="曹", first_name="红")


def open_task(application, step: str) -> Deadline:
    return Deadline.objects.exclude(status="closed").get(application_id=application.pk, step=step,
                                                         subject_type__model="task")


def do(user, application, step: str, **fields):
    deadline = open_task(application, step)
    return engine.complete(user, deadline.subject_id, programs.step(deadline.flow, step).service, **fields)


def open_steps(application) -> list[str]:
    return sorted(Deadline.objects.exclude(status="closed").filter(application_id=application.pk,
                                                                   subject_type__model="task")
                  .values_list("step", flat=True))


CLEAR = {s: "clear" for s in ("registration", "tax", "social_insurance", "property", "vehicle", "business",
                              "deposit", "securities")}
SELF_CARING = dict.fromkeys(("eating", "dressing", "toileting", "transferring", "walking", "bathing"), True)


@pytest.fixture
def poor_couple(alice, standards):  # noqa: F811
    """A rural couple in their seventies: 300.00 pension each and 150.00 from a plot a month.
    Per capita 375.00 against 870.00: eligible, the gap is 990.00 for two."""
    household, people = family(alice, [person("孙守田", "1951-04-02", "head"),
                                       person("李桂英", "1953-09-17", "spouse", female=True)],
                               village=VILLAGE_A2, registration="rural", address="西关村3组12号")
    income(alice, household, people["孙守田"], "pension", "300.00", "2024-01-01")
    income(alice, household, people["李桂英"], "pension", "300.00", "2024-01-01")
    income(alice, household, None, "farming", "150.00", "2025-01-01")
    return household


def open_case(caseworker, household, program="dibao", **extra):
    return services.open_application(caseworker, household=household.pk, program=program,
                                     cause="年老体弱，收入不足", **extra)


def walk_to_review(case, alice, amy, cora, program="dibao"):
    do(alice, case, "intake", complete=True)
    fields = {"investigators": ["alice", "amy"], "findings": "两位老人务农，养老金微薄", "family_signed": True}
    if program == "tekun":
        fields["self_care"] = SELF_CARING
    do(amy, case, "investigate", **fields)
    do(cora, case, "verify", results=CLEAR, note="")


MONEY = Decimal
TODAY = datetime.date.today


# --- shared by the end-to-end, property and integrity tests ---------------------------------------

PROGRAMS = ("dibao", "tekun")


def reload(case) -> Application:
    """The case as stored now (status is a protected field: never refresh_from_db)."""
    return Application.objects.get(pk=case.pk)


def county_rule(program: str, **fields):
    """任城区's own enrolment rule for ``program`` from 2021: the national row's values,
    with ``fields`` changed (a county row replaces the national one whole, so a 特困 row
    must carry the unable-to-work criteria too)."""
    from workflows.enrolment.models import EnrolmentRule

    national = EnrolmentRule.objects.get(program=program, scope="")
    values = {f.name: getattr(national, f.name) for f in EnrolmentRule._meta.concrete_fields
              if f.name not in ("id", "scope", "program")}
    values.update(fields)
    return EnrolmentRule.objects.create(program=program, scope="370811", **values)


def end_notice(case):
    """The running first-review notice has ended (its seven days are over)."""
    from django.utils import timezone

    from workflows.enrolment.models import PublicNotice

    PublicNotice.objects.filter(application=case, withdrawn_at=None).update(
        ends_at=timezone.now() - datetime.timedelta(minutes=1))


def investigation(program: str, team=("alice", "amy"), **extra) -> dict:
    fields = {"investigators": list(team), "findings": "入户核查：两位老人务农，养老金微薄", "family_signed": True}
    if program == "tekun":
        fields["self_care"] = SELF_CARING
    fields.update(extra)
    return fields


def walk_to_confirmation(case, program, alice, amy, cora, hana, *, notice=True):
    """Intake, investigation, verification, a recommending review and (where kept) the
    notice run out: the case waits for its confirmation."""
    walk_to_review(case, alice, amy, cora, program)
    do(hana, case, "township_review", decision="recommend", reason="经调查核实符合条件")
    if notice:
        end_notice(case)


@pytest.fixture
def henry(regions):
    """A township-A cadre holding both roles (caseworker and township head): the person
    separation of duties is about — it is who did the work that counts, not the role."""
    return make_staff("henry", ["caseworker", "township_head"], "370811001000", last_name="韩", first_name="军")


@pytest.fixture
def cai(regions):
    """A third county reviewer: confirms a staff relative's case that carol and cora visited."""
    return make_staff("cai", ["county_reviewer"], "370811000000", last_name="蔡", first_name="明")


@pytest.fixture
def widow_with_disabled_son(alice, standards):  # noqa: F811
    """A rural widow of 74 on a retired worker's pension of 1,800.00 and her son of 50 with
    a grade-1 physical disability and no income of his own. Per capita 900.00: above the
    870.00 standard, below the near-dibao line of 1,305.00 — the son alone may be covered
    (单人保) with 870.00 − 0.00 = 870.00 a month."""
    household, people = family(alice, [
        person("王秀兰", "1952-06-11", "head", female=True),
        person("张建国", "1976-02-03", "child", female=False, disability_kind="physical", disability_grade=1),
    ], village=VILLAGE_A2, registration="rural", address="西关村5组3号")
    income(alice, household, people["王秀兰"], "pension", "1800.00", "2024-01-01")
    return household, people

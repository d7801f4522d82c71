"""A small city for the what-if, every figure worked out by hand.

Standards: the city's seeded 1,000.00 urban / 820.00 rural (assistance 0002); the
national means-test rule (no deduction, no asset limits); gradual exit 6 months (reviews
0002). All incomes from 2024, so in force on any day the what-if asks about.

任城区 (370811)                          members  counted income  per capita  enrolled (paid now)
  H1  西关社区 rural  张守田               1       300.00          300.00      dibao 520.00
  H2  西关社区 rural  李长顺 + 王秀兰       2     1,500.00          750.00      dibao 140.00
  H3  东关社区 rural  赵大年 + 孙桂花       2     1,700.00          850.00      —
  H4  南苑村 rural    周建国 + 吴凤英 + 周小明 3   2,580.00          860.00      —
  H5  南苑村 rural    郑老汉               1       950.00          950.00      —
  H6  西关社区 rural  冯有田 + 陈玉梅       2     1,660.00          830.00      dibao 200.00 (income rose since)
  H7  东关社区 urban  褚秀珍               1       700.00          700.00      —
  H9  西关社区 rural  卫守成               1       780.00          780.00      dibao 40.00
  H10 东关社区 urban  蒋文华 + 沈丽        2     2,400.00        1,200.00      —
兖州区 (370812)
  H11 鼓楼村 rural    韩老四               1       500.00          500.00      dibao 320.00
  H12 鼓楼村 rural    杨树林 + 朱桂兰       2     1,700.00          850.00      —
  H13 鼓楼村 urban    秦志强 + 许梅 + 秦乐  3     6,000.00        2,000.00      —
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from assistance.models import Application, Instalment
from registry import services as registry
from registry.synthetic import make_id_number
from staff.roles import Role
from tests.conftest import CITY, COUNTY, COUNTY_2, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, VILLAGE_C1, make_staff
from workflows.enrolment import benefits
from workflows.enrolment.models import BenefitKind

_sequence = itertools.count(300)
START = datetime.date(2024, 1, 1)


def the_day() -> datetime.date:
    """The day the hypothetical standard takes effect: the first of next month."""
    return benefits.following_month(timezone.localdate())


def household(actor, village, registration, members, incomes=(), *, address="1号"):
    """``members``: (name, born, relation); ``incomes``: (name or None, kind, amount)."""
    h = registry.register_household(actor, region=village, address=address, registration=registration, members=[
        {"name": name, "relation": relation,
         "id_number": make_id_number(village[:6], datetime.date.fromisoformat(born), next(_sequence))}
        for name, born, relation in members])
    people = {p.name: p for p in h.members.all()}
    for name, kind, amount in incomes:
        registry.record_income(actor, h, member=people[name] if name else None, kind=kind,
                               monthly_amount=Decimal(amount), start=START)
    return h


def enrol(actor, h, amount, *, program="dibao", status="approved", covered=None) -> Application:
    """An enrolled case paid ``amount`` a month from January 2025 (its schedule's start)."""
    from core import programs

    head = h.members.get(relation="head")
    case = Application.objects.create(household=h, applicant=head, region_code=h.region_id, program=program,
                                      cause="年老体弱", status=status, amount_approved=Decimal(amount),
                                      created_by=actor)
    programs.program(program).details_model().objects.create(case=case, covered_member=covered)
    benefits.record_change(case, kind=BenefitKind.START, month=datetime.date(2025, 1, 1), amount=Decimal(amount),
                           household_size=1 if covered else h.members.count(), source="approval", actor=actor)
    return case


@pytest.fixture
def ada(regions):
    """An administrator of the city: asks what-ifs."""
    return make_staff("ada", [Role.ADMIN], CITY, last_name="艾", first_name="达")


@pytest.fixture
def yan(regions):
    """An administrator of 兖州区 only: the outsider for 任城区's what-ifs."""
    return make_staff("yan", [Role.ADMIN], COUNTY_2)


@pytest.fixture
def city(root):
    """The twelve households above, by name; enrolled cases under "cases"."""
    rural, urban = "rural", "urban"
    out = {
        "H1": household(root, VILLAGE_A2, rural, [("张守田", "1945-03-01", "head")],
                        [("张守田", "pension", "300.00")]),
        "H2": household(root, VILLAGE_A2, rural, [("李长顺", "1950-05-01", "head"), ("王秀兰", "1952-06-01", "spouse")],
                        [("李长顺", "pension", "900.00"), ("王秀兰", "pension", "600.00")]),
        "H3": household(root, VILLAGE_A1, rural, [("赵大年", "1955-01-01", "head"), ("孙桂花", "1956-01-01", "spouse")],
                        [(None, "farming", "1100.00"), ("赵大年", "pension", "600.00")]),
        "H4": household(root, VILLAGE_B1, rural, [("周建国", "1958-02-02", "head"), ("吴凤英", "1960-03-03", "spouse"),
                                                  ("周小明", "2012-04-04", "child")],
                        [("周建国", "pension", "1000.00"), ("吴凤英", "pension", "980.00"),
                         (None, "farming", "600.00")]),
        "H5": household(root, VILLAGE_B1, rural, [("郑老汉", "1940-07-07", "head")], [("郑老汉", "pension", "950.00")]),
        "H6": household(root, VILLAGE_A2, rural, [("冯有田", "1951-08-08", "head"), ("陈玉梅", "1953-09-09", "spouse")],
                        [("冯有田", "pension", "1000.00"), ("陈玉梅", "pension", "660.00")]),
        "H7": household(root, VILLAGE_A1, urban, [("褚秀珍", "1944-10-10", "head")], [("褚秀珍", "pension", "700.00")]),
        "H9": household(root, VILLAGE_A2, rural, [("卫守成", "1948-11-11", "head")], [("卫守成", "pension", "780.00")]),
        "H10": household(root, VILLAGE_A1, urban, [("蒋文华", "1960-12-12", "head"), ("沈丽", "1962-01-15", "spouse")],
                         [("蒋文华", "pension", "1200.00"), ("沈丽", "pension", "1200.00")]),
        "H11": household(root, VILLAGE_C1, rural, [("韩老四", "1943-02-20", "head")], [("韩老四", "pension", "500.00")]),
        "H12": household(root, VILLAGE_C1, rural, [("杨树林", "1957-03-21", "head"), ("朱桂兰", "1958-04-22", "spouse")],
                         [("杨树林", "pension", "850.00"), ("朱桂兰", "pension", "850.00")]),
        "H13": household(root, VILLAGE_C1, urban, [("秦志强", "1980-05-23", "head"), ("许梅", "1982-06-24", "spouse"),
                                                   ("秦乐", "2010-07-25", "child")],
                         [("秦志强", "wage", "3500.00"), ("许梅", "wage", "2500.00")]),
    }
    out["cases"] = {name: enrol(root, out[name], amount)
                    for name, amount in (("H1", "520.00"), ("H2", "140.00"), ("H6", "200.00"), ("H9", "40.00"),
                                         ("H11", "320.00"))}
    return out


def temporary_case(actor, h, amount, *, cause="major_illness", level="township", days_ago=60, staff=False,
                   status="filed") -> Application:
    """A decided temporary-assistance case, as its flow would have left it."""
    from workflows.temporary.models import TemporaryDetails

    head = h.members.get(relation="head")
    decided = timezone.now() - datetime.timedelta(days=days_ago)
    case = Application.objects.create(household=h, applicant=head, region_code=h.region_id, program="temporary",
                                      cause="住院", status=status, amount_requested=Decimal(amount),
                                      amount_approved=Decimal(amount), amount_paid=Decimal(amount),
                                      decided_at=decided, decision_level=level, related_to_staff=staff,
                                      created_by=actor)
    TemporaryDetails.objects.create(case=case, kind="expense", cause_category=cause)
    return case


def urgent_payment(actor, h, amount, *, days_ago=30) -> Application:
    """An urgent case paid first, its paperwork still to complete."""
    from workflows.temporary.models import TemporaryDetails

    head = h.members.get(relation="head")
    case = Application.objects.create(household=h, applicant=head, region_code=h.region_id, program="temporary",
                                      cause="火灾", status="paperwork", amount_requested=Decimal(amount),
                                      amount_paid=Decimal(amount), created_by=actor)
    TemporaryDetails.objects.create(case=case, kind="urgent", cause_category="fire")
    Instalment.objects.create(application=case, number=0, amount=Decimal(amount), status="paid", source="reserve_fund",
                              paid_at=timezone.now() - datetime.timedelta(days=days_ago))
    return case


@pytest.fixture
def temporary_cases(root, city):
    """Decided temporary assistance in the last months (and one older).

    任城区: T1 township 2,500 (major illness, rural H1), T2 township 1,500 (school, H2),
            T3 county 2,800 (major illness, H3), T4 county 1,800 (major illness, urban H7),
            T5 county 1,200 (other, a staff relative, H5), T6 township 2,900 decided 14 months ago,
            T7 an urgent payment of 2,500 a month ago (H4).
    兖州区: T8 township 3,000 (school, H12), T9 county 9,000 (major illness, H11)."""
    return {
        "T1": temporary_case(root, city["H1"], "2500.00"),
        "T2": temporary_case(root, city["H2"], "1500.00", cause="school"),
        "T3": temporary_case(root, city["H3"], "2800.00", level="county"),
        "T4": temporary_case(root, city["H7"], "1800.00", level="county"),
        "T5": temporary_case(root, city["H5"], "1200.00", cause="other", level="county", staff=True),
        "T6": temporary_case(root, city["H6"], "2900.00", days_ago=430),
        "T7": urgent_payment(root, city["H4"], "2500.00"),
        "T8": temporary_case(root, city["H12"], "3000.00", cause="school"),
        "T9": temporary_case(root, city["H11"], "9000.00", level="county"),
    }


__all__ = ["CITY", "COUNTY", "COUNTY_2"]

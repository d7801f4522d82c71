"""Demo 低保 cases for ``seed_demo``: one in every state, in both practices (任城区 posts the
first-review opinion for 7 days, 兖州区 does not), each household shaped like the people
the minimum living guarantee serves. Made through the real services and flow
(workflows/enrolment/demo.py); idempotent."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.programs import status_label
from workflows.enrolment.demo import RENCHENG, YANZHOU, M, Shape, seed

from .models import CODE

SHAPES = [
    # 任城区: the national rule, with the 7-day notice.
    Shape(RENCHENG, "intake", (M("孙桂兰", "1947-03-12", female=True, conditions=("living_alone",)),),
          incomes=((0, "pension", "180.00", "城乡居民基础养老金"), (None, "support", "300.00", "女儿每月资助"))),
    Shape(RENCHENG, "incomplete", (M("周德明", "1955-08-02"), M("吴秀英", "1957-11-20", "spouse", female=True)),
          incomes=((0, "pension", "200.00", "城乡居民养老金"), (1, "pension", "200.00", "城乡居民养老金"),
                   (None, "support", "400.00", "儿子外出务工汇款"))),
    Shape(RENCHENG, "investigation", (M("郑建国", "1980-04-16", disability=("physical", 3)),
                                      M("郑浩", "2013-09-01", "child")),
          incomes=((0, "wage", "900.00", "灵活就业收入"), (0, "assistance", "100.00", "困难残疾人生活补贴（不计入）")),
          cause="本人肢体残疾，独自抚养孩子，收入微薄"),
    Shape(RENCHENG, "verification", (M("冯长林", "1950-01-23"), M("陈玉珍", "1952-06-30", "spouse", female=True)),
          incomes=((0, "pension", "1100.00", "企业退休金"), (1, "pension", "150.00", "城乡居民养老金")),
          assets=((0, "deposit", "6000.00", "银行存款"),)),
    Shape(RENCHENG, "township_review", (M("何凤英", "1963-02-14", female=True),
                                        M("何小宇", "2015-05-20", "other", conditions=("left_behind",))),
          incomes=((0, "pension", "160.00", "城乡居民养老金"), (None, "support", "500.00", "儿子外出务工汇款"))),
    Shape(RENCHENG, "notice", (M("马国华", "1962-10-10", conditions=("serious_illness",)),
                               M("高秀兰", "1966-12-12", "spouse", female=True)),
          incomes=((1, "wage", "1200.00", "保洁员工资"), (0, "pension", "150.00", "城乡居民养老金")),
          assets=((None, "deposit", "8000.00", "银行存款"),), cause="丈夫患尿毒症长期透析，妻子收入低"),
    Shape(RENCHENG, "reinvestigation", (M("朱保国", "1967-07-07", conditions=("living_alone",)),),
          incomes=((0, "other", "600.00", "打零工收入"),), assets=((0, "deposit", "3000.00", "银行存款"),)),
    Shape(RENCHENG, "approved", (M("胡守义", "1949-09-09"), M("林桂芝", "1951-03-03", "spouse", female=True)),
          incomes=((0, "pension", "300.00", "城乡居民养老金"), (1, "pension", "300.00", "城乡居民养老金"),
                   (None, "support", "200.00", "儿子资助")),
          assets=((None, "deposit", "12000.00", "银行存款"),)),
    Shape(RENCHENG, "rejected_at_review", (M("宋振华", "1954-04-04"), M("唐淑珍", "1956-08-08", "spouse", female=True)),
          incomes=((0, "pension", "1800.00", "企业退休金"), (1, "pension", "900.00", "企业退休金")),
          reason="经入户调查和信息核对，家庭月人均收入1,350.00元，高于当地城市低保标准1,000.00元，不符合最低生活保障条件。"),
    Shape(RENCHENG, "approved", (M("刘秀珍", "1975-06-15", female=True),
                                 M("张小军", "2001-02-02", "child", disability=("intellectual", 1),
                                   conditions=("unable_self_care",))),
          incomes=((0, "wage", "2400.00", "超市理货员工资"), (1, "assistance", "180.00", "重度残疾人护理补贴（不计入）")),
          covered=1, cause="儿子智力一级残疾，生活不能自理（单人保）"),
    Shape(RENCHENG, "notice", (M("韩玉梅", "1955-12-01", female=True, conditions=("living_alone",)),),
          incomes=((0, "pension", "200.00", "城乡居民养老金"), (None, "support", "300.00", "女儿资助")),
          related_to_staff=True, cause="村委会委员的母亲，年老独居，收入低（近亲属备案，县级调查）"),
    # 兖州区: Jining's 2020 practice, no first-review notice.
    Shape(YANZHOU, "confirmation", (M("曹洪喜", "1952-05-05"), M("彭金花", "1954-07-07", "spouse", female=True)),
          incomes=((None, "farming", "400.00", "承包地流转收入"), (0, "pension", "150.00", "城乡居民养老金"),
                   (1, "pension", "150.00", "城乡居民养老金"))),
    Shape(YANZHOU, "approved", (M("孔德胜", "1945-11-11", conditions=("living_alone",)),),
          incomes=((0, "pension", "190.00", "城乡居民养老金"), (None, "support", "250.00", "侄子资助"))),
    Shape(YANZHOU, "rejected", (M("颜建国", "1960-01-01"), M("孟秀云", "1962-02-02", "spouse", female=True)),
          incomes=((0, "pension", "300.00", "城乡居民养老金"), (1, "other", "300.00", "打零工收入")),
          reason="经信息核对，申请人配偶名下登记有个体工商户（经营餐馆），申报时未如实说明，经营收入无法核实，不予纳入。"),
]


def summary(township_code: str) -> str:
    report = seed(CODE, SHAPES)
    return _("Minimum-living-guarantee demo cases: %(n)d (任城区 with the 7-day notice: %(r)s; 兖州区 without: "
             "%(y)s).") % {"n": report.created, "r": _states(report, RENCHENG), "y": _states(report, YANZHOU)}


def _states(report, county: str) -> str:
    # Status names in the reader's language (the codes are what the tests count by).
    return "、".join(f"{status_label(CODE, status)} {n}" for status, n in sorted(report.by_county.get(county, {}).items())) or "—"

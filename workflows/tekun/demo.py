"""Demo 特困 cases for ``seed_demo``: one in every state, in both practices (任城区 posts the
first-review opinion for 7 days, 兖州区 does not). The applicants are people unable to work
— the old, the severely disabled — with little or no income and no one able to support
them. Made through the real services and flow (workflows/enrolment/demo.py); idempotent."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.programs import status_label
from workflows.enrolment.demo import RENCHENG, YANZHOU, M, Shape, seed

from .models import ACTIVITIES, CODE

CAUSE = "年老无劳动能力，无生活来源，无法定赡养义务人"
# Partly dependent: cannot bathe or get in and out of bed unaided.
PARTLY = {key: key not in ("bathing", "transferring") for key in ACTIVITIES}
# Fully dependent: does none of the six unaided but eating.
FULLY = {key: key == "eating" for key in ACTIVITIES}

SHAPES = [
    # 任城区: the national rule, with the 7-day notice.
    Shape(RENCHENG, "intake", (M("王德胜", "1942-02-11", conditions=("living_alone",)),),
          incomes=((0, "pension", "180.00", "城乡居民基础养老金"),), cause=CAUSE),
    Shape(RENCHENG, "incomplete", (M("李玉兰", "1949-05-21", female=True, conditions=("living_alone",)),),
          incomes=((0, "pension", "200.00", "城乡居民养老金"),), cause=CAUSE),
    Shape(RENCHENG, "investigation", (M("张广德", "1946-09-30", conditions=("living_alone",)),),
          incomes=((0, "pension", "180.00", "城乡居民养老金"), (None, "support", "100.00", "侄子逢年过节资助")),
          cause=CAUSE),
    Shape(RENCHENG, "verification", (M("刘承志", "1980-03-03", disability=("physical", 1),
                                       conditions=("living_alone", "unable_self_care")),),
          incomes=((0, "assistance", "160.00", "重度残疾人护理补贴（不计入）"),),
          cause="肢体一级残疾，无劳动能力，父母均已去世", self_care=FULLY),
    Shape(RENCHENG, "township_review", (M("陈桂英", "1935-12-08", female=True, conditions=("living_alone",)),),
          incomes=((0, "pension", "220.00", "城乡居民养老金"),), cause=CAUSE, self_care=PARTLY),
    Shape(RENCHENG, "notice", (M("杨福田", "1953-04-04", conditions=("living_alone",)),),
          incomes=((0, "pension", "180.00", "城乡居民养老金"),), assets=((0, "deposit", "5000.00", "银行存款"),),
          cause=CAUSE),
    Shape(RENCHENG, "reinvestigation", (M("赵秀珍", "1944-06-06", female=True, conditions=("living_alone",)),),
          incomes=((0, "pension", "200.00", "城乡居民养老金"),), cause=CAUSE),
    Shape(RENCHENG, "approved", (M("徐庆祥", "1937-10-10", conditions=("living_alone", "bedridden")),),
          incomes=((0, "pension", "190.00", "城乡居民养老金"),), cause=CAUSE, self_care=PARTLY),
    Shape(RENCHENG, "rejected_at_review", (M("郭洪喜", "1959-01-15", conditions=("living_alone",)),),
          incomes=((0, "pension", "200.00", "城乡居民养老金"), (None, "support", "1500.00", "儿子每月赡养费")),
          cause=CAUSE,
          reason="经入户调查，申请人之子在济宁市区工作，有稳定收入，具备赡养能力，且每月支付赡养费；"
                 "申请人不符合“无法定赡养义务人，或者其法定义务人无履行义务能力”的条件。"),
    # 兖州区: Jining's 2020 practice, no first-review notice.
    Shape(YANZHOU, "confirmation", (M("罗长林", "1948-08-18", conditions=("living_alone",)),),
          incomes=((0, "pension", "180.00", "城乡居民养老金"),), cause=CAUSE),
    Shape(YANZHOU, "approved", (M("梁淑珍", "1985-07-07", female=True, disability=("mental", 2),
                                  conditions=("living_alone",)),),
          incomes=((0, "assistance", "90.00", "困难残疾人生活补贴（不计入）"),),
          cause="精神二级残疾，无劳动能力，父母已故，无其他法定赡养扶养义务人", self_care=PARTLY),
    Shape(YANZHOU, "rejected", (M("田守义", "1951-11-11", conditions=("living_alone",)),),
          incomes=((0, "pension", "200.00", "城乡居民养老金"),), cause=CAUSE,
          reason="经信息核对，申请人名下登记有个体工商户（经营小卖部），有一定经营收入，申报时未如实说明，不予纳入。"),
]


def summary(township_code: str) -> str:
    report = seed(CODE, SHAPES)
    return _("Extreme-poverty demo cases: %(n)d (任城区 with the 7-day notice: %(r)s; 兖州区 without: %(y)s).") % {
        "n": report.created, "r": _states(report, RENCHENG), "y": _states(report, YANZHOU)}


def _states(report, county: str) -> str:
    # Status names in the reader's language (the codes are what the tests count by).
    return "、".join(f"{status_label(CODE, status)} {n}" for status, n in sorted(report.by_county.get(county, {}).items())) or "—"

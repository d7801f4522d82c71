"""Demo temporary-assistance cases: every state, several overdue, through the real
services and flow (so every case has its tasks, deadlines, documents and audit trail).

Run by ``manage.py seed_demo`` after the households; idempotent (skipped when the demo
caseworker already has cases).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance import services
from assistance.models import Application
from deadlines.models import Deadline, DeadlineStatus
from regions.codes import Level, within
from regions.models import Region
from registry.models import Household
from staff.models import User
from workflows import engine

FUND_ALLOCATION = "30000.00"
# (cause category, kind, amount requested, cause) — the hardships the demo households meet.
CAUSES = [
    ("major_illness", "expense", "3000.00", "老伴脑梗住院，医保报销后自付费用较大"),
    ("minor_emergency", "urgent", "800.00", "冬季取暖设备损坏，独居老人急需更换"),
    ("school", "expense", "2400.00", "孙子上高中，学杂费和住宿费无力承担"),
    ("fire", "urgent", "2000.00", "厨房失火，被褥衣物烧毁"),
    ("other", "expense", "1500.00", "慢性病长期服药，家庭支出型困难"),
    ("accident", "urgent", "2600.00", "儿子务工受伤，家庭暂无收入来源"),
]


@dataclass
class CaseReport:
    """What the demo holds (the same on a rerun): cases by status and overdue steps."""

    created: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    no_households: bool = False


def _step(user, application, step, **fields):
    from .steps import PROGRAM

    deadline = Deadline.objects.exclude(status=DeadlineStatus.CLOSED).get(application_id=application.pk, step=step)
    return engine.complete(user, deadline.subject_id, PROGRAM.steps[step].service, **fields)


def _open(caseworker, household, n, **overrides):
    category, kind, amount, cause = CAUSES[n % len(CAUSES)]
    fields = {"household": household.pk, "program": "temporary", "kind": kind, "cause": cause,
              "cause_category": category, "amount_requested": amount, **overrides}
    if category != "other":
        fields["new_cause"] = fields.get("new_cause", "")
    return services.open_application(caseworker, **fields)


def _ensure_fund(admin, finance, township_code: str):
    from funds import services as funds
    from funds.models import ReserveFund

    fund = ReserveFund.objects.filter(township_id=township_code).first()
    if fund is None:
        fund = funds.open_fund(admin, Region.objects.get(code=township_code), low_water_mark="5000.00",
                               target_balance=FUND_ALLOCATION)
        funds.allocate(finance, fund, FUND_ALLOCATION, "演示：县级财务预拨备用金")
    return fund


def summary(township_code: str) -> str:
    """Seed the demo cases and say what the demo holds, for ``seed_demo``."""
    cases = seed_cases(township_code)
    if cases.no_households:
        return _("Temporary-assistance demo cases: none, the first township has no households yet.")
    return _("Temporary-assistance demo cases: %(n)d in %(s)d states (%(o)d steps overdue).") % {
        "n": cases.created, "s": len(cases.by_status), "o": cases.overdue}


def seed_cases(township_code: str) -> CaseReport:
    caseworker = User.objects.get(username="caseworker")
    if not Application.objects.filter(created_by=caseworker).exists():
        households = list(Household.objects.filter(within("region__code", township_code, Level.TOWNSHIP))
                          .order_by("id")[:40])
        if not households:
            return CaseReport(no_households=True)
        _create_cases(township_code, caseworker, households)
    return _report(caseworker)


def _report(caseworker) -> CaseReport:
    report = CaseReport()
    cases = Application.objects.filter(created_by=caseworker)
    for status in cases.values_list("status", flat=True):
        report.by_status[status] = report.by_status.get(status, 0) + 1
    report.created = sum(report.by_status.values())
    report.overdue = Deadline.objects.overdue().filter(application_id__in=cases.values("id")).count()
    return report


def _create_cases(township_code: str, caseworker, households) -> None:
    prefix = township_code[:9]
    second = User.objects.get(username=f"cw_{prefix}")
    head = User.objects.get(username="township_head")
    reviewer = User.objects.get(username="county_reviewer")
    finance = User.objects.get(username="county_finance")
    admin = User.objects.get(username="admin")
    team = [caseworker.username, second.username]
    n = 0

    def new(**overrides):
        nonlocal n
        household = households[n % len(households)]
        application = _open(caseworker, household, n, **overrides)
        n += 1
        return application

    def investigated(**overrides):
        application = new(kind="expense", **overrides)
        _step(caseworker, application, "intake", complete=True)
        _step(caseworker, application, "investigate", investigators=team, findings="入户调查属实，家庭确有困难",
              recommended_amount=application.amount_requested)
        return application

    with transaction.atomic():
        _ensure_fund(admin, finance, township_code)
        new()                                                                   # awaiting intake
        a = new(cause_category="other")                                         # waiting for documents
        _step(caseworker, a, "intake", complete=False, missing=["医院诊断证明", "住院费用清单", "户口簿复印件"])
        a = new(kind="expense", cause_category="other")                         # under investigation
        _step(caseworker, a, "intake", complete=True)
        a = new(kind="urgent", cause_category="minor_emergency", amount_requested="800.00")  # awaiting pay-first
        _step(caseworker, a, "intake", complete=True)
        a = new(kind="urgent", cause_category="fire", amount_requested="2000.00")            # paid first
        _step(caseworker, a, "intake", complete=True)
        _step(head, a, "pay_first", amount="1000.00", note="火灾当日先行救助")
        investigated(cause_category="other")                                    # township review
        a = investigated(cause_category="other", amount_requested="6000.00")     # county review
        _step(head, a, "township_approve", decision="refer", reason="超过乡镇审批额度，报县级审批")
        a = investigated(cause_category="other", amount_requested="1500.00")     # approved, unpaid
        _step(head, a, "township_approve", decision="approve", amount_approved="1500.00", reason="符合临时救助条件")
        a = investigated(cause_category="other", amount_requested="2400.00")     # paying in instalments
        _step(head, a, "township_approve", decision="approve", amount_approved="2400.00", reason="分两次发放",
              instalments=["1200.00", "1200.00"])
        _step(caseworker, a, "disburse")
        a = investigated(cause_category="other", amount_requested="1200.00")     # paid, to be filed
        _step(head, a, "township_approve", decision="approve", amount_approved="1200.00", reason="符合条件")
        _step(caseworker, a, "disburse")
        a = investigated(cause_category="other", amount_requested="900.00")      # filed
        _step(head, a, "township_approve", decision="approve", amount_approved="900.00", reason="符合条件")
        _step(caseworker, a, "disburse")
        _step(caseworker, a, "file_with_county")
        a = investigated(cause_category="other", amount_requested="8000.00")     # county approved
        _step(head, a, "township_approve", decision="refer", reason="金额较大")
        _step(reviewer, a, "county_approve", decision="approve", amount_approved="8000.00", reason="大额救助，县级审批同意")
        a = investigated(cause_category="other")                                 # rejected
        _step(head, a, "township_approve", decision="reject", reason="家庭人均收入高于上年度当地居民人均可支配收入")
        a = new(cause_category="other")                                           # referred out
        _step(caseworker, a, "intake", complete=True, local=False)

        # Age a few open steps so the demo shows overdue work; the sweeper escalates them
        # as soon as beat runs.
        now = timezone.now()
        aged = list(Deadline.objects.filter(application_id__in=Application.objects.filter(created_by=caseworker)
                                            .values("id")).exclude(status=DeadlineStatus.CLOSED)
                    .order_by("pk").values_list("pk", flat=True)[::3])
        for i, pk in enumerate(aged):
            due = now - datetime.timedelta(days=1 + 2 * i)
            Deadline.objects.filter(pk=pk).update(started_at=due - datetime.timedelta(days=5), due_at=due,
                                                  remind_at=None, next_check_at=due)

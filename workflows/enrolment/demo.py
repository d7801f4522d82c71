"""What the 低保 and 特困 demos share: the two practices, the demo households and walking
cases through the real services and flow (workflows/dibao/demo.py, workflows/tekun/demo.py
say which households reach which state).

Two practices side by side, as the issue asks: 任城区 (370811) keeps the national rule
(the first-review opinion is posted for 7 days, objections reopen the case), 兖州区 (370812)
follows Jining's 2020 practice and posts no first-review notice (its own EnrolmentRule row
for each program), so its cases go from the township's review straight to confirmation.

Each case gets its own household, registered through the registry's services with
incomes and assets shaped like the people these programs serve: small pensions, a plot,
support from children working elsewhere, disability allowances (an exempt kind), deposits.
Idempotent: a program's cases are made once (skipped when its demo caseworkers have any).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from assistance import services as assistance
from assistance.models import Application
from audit import services as audit
from core import programs
from deadlines.models import Deadline
from registry import services as registry
from registry.models import Person
from registry.synthetic import make_id_number
from staff.models import User
from workflows import engine

from .models import EnrolmentRule, NoticeKind, PublicNotice
from .rules import enrolment_rule
from .services import SOURCES, raise_objection

RENCHENG, YANZHOU = "370811", "370812"
# Jining's 2020 practice in 兖州区: no first-review notice (the national rule of 2021 keeps it).
NO_NOTICE_FROM = datetime.date(2020, 1, 1)
INCOME_FROM = datetime.date(2024, 1, 1)
ASSETS_AS_OF = datetime.date(2025, 12, 1)
CLEAR = dict.fromkeys(SOURCES, "clear")
SELF_CARING = dict.fromkeys(("eating", "dressing", "toileting", "transferring", "walking", "bathing"), True)

# Who works the demo cases, by county: a township with two caseworkers (two investigate,
# neither decides), its head, and the county's reviewers. In 任城区 the second township
# (caseworker2's): the first is the temporary-assistance demo's, which takes its cases from
# that township's households.
STAFF = {
    RENCHENG: {"intake": "cw_370811002", "second": "caseworker2", "head": "th_370811002",
               "verify": "cr_370811", "confirm": "county_reviewer", "county_team": ["cr_370811", "sv_370811"]},
    YANZHOU: {"intake": "yz_caseworker", "second": "cw_370812001", "head": "th_370812001",
              "verify": "cr_370812", "confirm": "cr_370812", "county_team": ["cr_370812", "sv_370812"]},
}
TOWNSHIPS = {RENCHENG: "370811002000", YANZHOU: "370812001000"}


@dataclass(frozen=True)
class M:
    """A member: name, birth date, relation, and what the registry holds of them."""

    name: str
    born: str
    relation: str = "head"
    female: bool = False
    disability: tuple[str, int] | None = None
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shape:
    """A household and how far its case goes. ``incomes``: (member index or None, kind,
    monthly amount, note); ``assets``: (member index or None, kind, value, note)."""

    county: str
    state: str
    members: tuple[M, ...]
    incomes: tuple = ()
    assets: tuple = ()
    cause: str = "年老体弱，收入低于当地低保标准"
    address: str = ""
    related_to_staff: bool = False
    covered: int | None = None  # individual coverage: the member covered alone
    reason: str = ""  # a rejection's reasons
    self_care: dict = field(default_factory=lambda: SELF_CARING)


@dataclass
class Report:
    created: int = 0
    by_county: dict[str, dict[str, int]] = field(default_factory=dict)


def ensure_practices(actor) -> None:
    """兖州区's rule without the notice, for both programs (copying the national row's other
    settings, 特困's unable-to-work criteria among them); 任城区 keeps the national row."""
    for program in ("dibao", "tekun"):
        if EnrolmentRule.objects.filter(program=program, scope=YANZHOU, effective_from=NO_NOTICE_FROM).exists():
            continue
        national = enrolment_rule(program, f"{YANZHOU}000000")
        rule = EnrolmentRule.objects.create(
            program=program, scope=YANZHOU, effective_from=NO_NOTICE_FROM, keeps_notice=False,
            notice_days=national.notice_days, name_masking=national.name_masking, delegated=False,
            unable_age_from=national.unable_age_from, unable_age_under=national.unable_age_under,
            unable_grade_mental=national.unable_grade_mental, unable_grade_physical=national.unable_grade_physical,
            unable_grade_visual=national.unable_grade_visual, spot_check_share=national.spot_check_share)
        audit.record("enrolment.rule.created", actor=actor, obj=rule, region_code=f"{YANZHOU}000000",
                     reason="演示：兖州区按济宁市2020年做法，不再对初审意见进行公示",
                     after={"program": program, "scope": YANZHOU, "keeps_notice": False,
                            "effective_from": NO_NOTICE_FROM.isoformat()})


def _village(county: str, n: int):
    from registry.demo import demo_map

    township = TOWNSHIPS[county]
    villages = [v for v in demo_map().villages if v.township_code == township]
    return villages[n % len(villages)]


def _register(admin, shape: Shape, n: int, program: str):
    village = _village(shape.county, n)
    members = []
    for i, m in enumerate(shape.members):
        born = datetime.date.fromisoformat(m.born)
        # Sequences from 900 up, one block per program: far from the few the synthetic households use.
        sequence = 900 + (0 if program == "dibao" else 50) + n * 2 + i
        members.append({"name": m.name, "relation": m.relation,
                        "id_number": make_id_number(shape.county, born, sequence, female=m.female),
                        "disability_kind": m.disability[0] if m.disability else None,
                        "disability_grade": m.disability[1] if m.disability else None,
                        "conditions": list(m.conditions)})
    first = Person.objects.filter(id_number=members[0]["id_number"]).select_related("household").first()
    if first is not None:  # registered by an earlier, interrupted run
        household = first.household
    else:
        address = shape.address or f"{village.name}{n + 1}号楼{n % 3 + 1}单元{n % 5 + 1}01"
        household = registry.register_household(admin, region=village.code, address=address,
                                                registration="urban", members=members)
        people = {p.id_number: p for p in household.members.all()}
        who = [people[m["id_number"]] for m in members]
        for index, kind, amount, note in shape.incomes:
            registry.record_income(admin, household, member=who[index] if index is not None else None, kind=kind,
                                   monthly_amount=Decimal(amount), start=INCOME_FROM, note=note)
        for index, kind, value, note in shape.assets:
            registry.record_asset(admin, household, member=who[index] if index is not None else None, kind=kind,
                                  value=Decimal(value), as_of=ASSETS_AS_OF, note=note)
    return household, [Person.objects.get(id_number=m["id_number"]) for m in members]


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _step(user, case, step: str, **fields):
    deadline = Deadline.objects.exclude(status="closed").get(application_id=case.pk, step=step,
                                                             subject_type__model="task")
    return engine.complete(_user(user) if isinstance(user, str) else user, deadline.subject_id,
                           programs.step(case.program, step).service, **fields)


def _end_notice(case) -> None:
    """The demo is made in a minute, not in a week: the notice of a case that goes on to
    confirmation is moved back so that it ended yesterday (the posted dates say so)."""
    now = timezone.now()
    PublicNotice.objects.filter(application=case, kind=NoticeKind.FIRST_REVIEW).update(
        starts_at=now - datetime.timedelta(days=8), ends_at=now - datetime.timedelta(days=1))


# The order of the states a case passes through; a shape's state says where its case stops.
ORDER = ("intake", "incomplete", "investigation", "verification", "township_review", "notice",
         "reinvestigation", "confirmation", "approved", "rejected_at_review", "rejected")


def _walk(program: str, shape: Shape, n: int, admin) -> Application:
    staff = STAFF[shape.county]
    household, people = _register(admin, shape, n, program)
    fields = {}
    if shape.covered is not None:
        fields["covered_member"] = people[shape.covered].pk
    case = assistance.open_application(_user(staff["intake"]), household=household.pk, program=program,
                                       cause=shape.cause, related_to_staff=shape.related_to_staff, **fields)
    state = shape.state
    if state == "intake":
        return case
    if state == "incomplete":
        _step(staff["intake"], case, "intake", complete=False,
              missing=["户口簿复印件", "家庭成员收入证明", "近六个月银行流水"])
        return case
    _step(staff["intake"], case, "intake", complete=True)
    if state == "investigation":
        return case
    own = {"self_care": shape.self_care} if program == "tekun" else {}
    findings = "入户调查：家中陈设简陋，主要收入为养老金和亲属资助，无大额财产，与申报情况一致。"
    if shape.related_to_staff:
        team = staff["county_team"]
        _step(team[0], case, "county_investigate", investigators=team, findings=findings, family_signed=True, **own)
    else:
        _step(staff["second"], case, "investigate", investigators=[staff["intake"], staff["second"]],
              findings=findings, family_signed=True, **own)
    if state == "verification":
        return case
    results = dict(CLEAR)
    if state == "rejected":
        results["business"] = "found"
    _step(staff["verify"], case, "verify", results=results,
          note="核对发现申请人配偶名下有个体工商户登记" if state == "rejected" else "各项核对无异常")
    if state == "township_review":
        return case
    if state == "rejected_at_review":
        _step(staff["head"], case, "township_review", decision="reject", reason=shape.reason)
        return case
    _step(staff["head"], case, "township_review", decision="recommend", reason="经审核，符合条件，同意上报")
    if state in ("notice", "confirmation"):
        return case
    if state == "reinvestigation":
        raise_objection(_user(staff["intake"]), case.pk, text="村民反映其子女在外务工，收入较高，有赡养能力",
                        raised_by="村民（实名）")
        return case
    if Application.objects.get(pk=case.pk).status == "notice":
        _end_notice(case)
    if state == "rejected":
        _step(staff["confirm"], case, "county_confirm", decision="reject", reason=shape.reason)
    else:
        _step(staff["confirm"], case, "county_confirm", decision="approve", reason="经审核确认，符合条件")
    return case


def seed(program: str, shapes: list[Shape]) -> Report:
    """Make ``program``'s demo cases once; say what the demo holds."""
    intake_users = [s["intake"] for s in STAFF.values()]
    admin = User.objects.get(username="admin")
    with transaction.atomic():
        ensure_practices(admin)
        if not Application.objects.filter(program=program, created_by__username__in=intake_users).exists():
            for n, shape in enumerate(shapes):
                _walk(program, shape, n, admin)
        # Where the approved cases are paid, so that their monthly rosters reach the bank.
        from workflows.rosters.demo import seed_accounts

        seed_accounts(program, admin)
    return report(program, intake_users)


def report(program: str, intake_users: list[str]) -> Report:
    out = Report()
    for region_code, status in Application.objects.filter(
            program=program, created_by__username__in=intake_users).values_list("region_code", "status"):
        county = out.by_county.setdefault(region_code[:6], {})
        county[status] = county.get(status, 0) + 1
        out.created += 1
    return out

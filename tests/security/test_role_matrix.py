"""The role matrix (issue 14, "Must have" 3): every step of every flow, tried by every role
and by a person holding two (caseworker and township head), all of them staff of the
case's own region, through the step's completion endpoints — the API's
``POST /api/v1/tasks/{id}/complete/`` and the task page's POST (a replenishment is decided
on its fund's page, a duplicate registration, a visit and its follow-up on their own).

Who may complete a step comes from the step tables (``core.programs``): the roles whose
permissions (``staff.roles.role_permissions``) hold the step's permission. Everyone else
must be answered 403 or 404 with nothing changed — the case's status, the task's status
and owner, its deadline, the case's audit trail. Then one of those allowed completes the
step through the API (200), so the refusals are not those of an endpoint that refuses
everybody. The walks below take cases along every path of every flow; a step of the
tables that no walk reaches fails the test by name, so a new step is covered by adding a
walk, not forgotten.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.utils import timezone

from assistance.models import Application
from audit.models import AuditEvent
from core import programs
from deadlines.models import Deadline
from staff.roles import role_permissions

from .world import PLACES, ROLE_SETS, _household, _staff

pytestmark = pytest.mark.django_db

CLEAR = dict.fromkeys(("registration", "tax", "social_insurance", "property", "vehicle", "business", "deposit",
                       "securities"), "clear")
SELF_CARING = dict.fromkeys(("eating", "dressing", "toileting", "transferring", "walking", "bathing"), True)


@dataclass
class Matrix:
    """Who tried what, and what went wrong."""

    staff: dict
    helpers: dict
    clients: dict = field(default_factory=dict)
    tried: set = field(default_factory=set)
    attempts: int = 0
    refusals: int = 0
    completions: int = 0
    failures: list = field(default_factory=list)

    def client(self, user) -> Client:
        if user.pk not in self.clients:
            self.clients[user.pk] = Client()
            self.clients[user.pk].force_login(user)
        return self.clients[user.pk]

    def user(self, name):
        return self.staff.get(name) or self.helpers[name]


def allowed_roles(step) -> set[str]:
    """The role sets whose roles' permissions hold ``step``'s permission."""
    perms = role_permissions()
    return {name for name, groups in ROLE_SETS.items() if any(step.permission in perms.get(g, ()) for g in groups)}


def _open_deadline(case_id, step_name) -> Deadline:
    return Deadline.objects.exclude(status="closed").get(application_id=case_id, step=step_name,
                                                         subject_type__model="task")


def _state(case_id, deadline: Deadline):
    from viewflow.workflow.models import Task

    task = Task.objects.filter(pk=deadline.subject_id).values_list("status", "owner_id").first()
    case = Application.objects.filter(pk=case_id).values_list("status", flat=True).first() if case_id else None
    trail = AuditEvent.objects.filter(object_type="assistance.application", object_id=str(case_id)).count()
    return case, task, Deadline.objects.filter(pk=deadline.pk).values_list("status", "assignee_id").get(), trail


def _form(fields: dict) -> dict:
    """The step's fields as a page's POST would carry them (lists as repeated values)."""
    out = {}
    for key, value in fields.items():
        if isinstance(value, dict):
            out.update({f"{key}_{k}": v for k, v in value.items()})
        elif isinstance(value, bool):
            out[key] = "yes" if value else "no"
        else:
            out[key] = value
    return out


def attempt(m: Matrix, flow_code: str, step_name: str, *, deadline: Deadline, case_id, doer: str, fields: dict,
            web_url: str | None = None, api_url: str | None = None, web_fields: dict | None = None,
            api_ok=(200,), web_ok=(302,)):
    """Every role that may not do the step tries it (API and page) and is refused, nothing
    changing; then ``doer`` does it."""
    step = programs.step(flow_code, step_name)
    allowed = allowed_roles(step)
    where = f"{flow_code}.{step_name}"
    if step.role not in allowed:
        m.failures.append(f"{where}: the step's own role {step.role} does not hold {step.permission}")
    task_id = deadline.subject_id
    api_url = api_url or f"/api/v1/tasks/{task_id}/complete/"
    web_url = web_url or f"/tasks/{task_id}/"
    m.tried.add((flow_code, step_name))
    for name, user in m.staff.items():
        if name in allowed:
            continue
        before = _state(case_id, deadline)
        client = m.client(user)
        answers = {
            "api": client.post(api_url, json.dumps(fields), content_type="application/json"),
            "page": client.post(web_url, _form(web_fields if web_fields is not None else fields)),
        }
        m.attempts += 2
        for channel, response in answers.items():
            if response.status_code in (403, 404):
                m.refusals += 1
            else:
                m.failures.append(f"{where} by {name} ({channel}): {response.status_code}, not refused")
        if _state(case_id, deadline) != before:
            m.failures.append(f"{where} by {name}: refused, but the case or its task changed "
                              f"({before} → {_state(case_id, deadline)})")
    if doer not in allowed and doer in m.staff:
        m.failures.append(f"{where}: the walk's doer {doer} is not among those allowed {sorted(allowed)}")
    client = m.client(m.user(doer))
    if api_url.startswith("/api/"):
        response = client.post(api_url, json.dumps(fields), content_type="application/json")
        ok = response.status_code in api_ok
    else:
        response = client.post(web_url, _form(web_fields if web_fields is not None else fields))
        ok = response.status_code in web_ok
    m.attempts += 1
    if ok:
        m.completions += 1
    else:
        body = response.content[:300].decode("utf-8", "replace")
        m.failures.append(f"{where} by {doer} (allowed): {response.status_code} {body}")


def do(m: Matrix, case, step_name: str, doer: str, **fields):
    deadline = _open_deadline(case.pk, step_name)
    attempt(m, deadline.flow, step_name, deadline=deadline, case_id=case.pk, doer=doer, fields=fields)


# --- the walks ---------------------------------------------------------------------------------------

def _people(m, place, n, members, **kwargs):
    from registry import services as registry

    household = _household(m.staff["caseworker"], place, n, members, **kwargs)
    for member in household.members.all():
        registry.record_income(m.staff["caseworker"], household, member=member, kind="pension",
                               monthly_amount="200.00", start=datetime.date(2024, 1, 1))
    return household


def _open(m, household, program, opener="caseworker", **fields):
    from assistance import services

    base = {"household": household.pk, "program": program, "cause": "收入低，生活困难"}
    if program == "temporary":
        base.update(kind="expense", cause_category="other", amount_requested="800.00")
    base.update(fields)
    return services.open_application(m.user(opener), **base)


def walk_temporary(m, place, team):
    from funds import services as funds
    from funds.models import ReserveFund
    from regions.models import Region
    from staff.models import User

    root = User.objects.get(username="root")
    fund = funds.open_fund(root, Region.objects.get(code=place.township), low_water_mark="0.00",
                           target_balance="0.00")
    funds.allocate(root, fund, "20000.00", "matrix")
    investigation = {"investigators": team, "findings": "入户调查属实", "recommended_amount": "800.00"}

    # Documents missing, then the ordinary path to the filing; the person with two roles takes it in.
    case = _open(m, _people(m, place, 20, [("甲", "1950-01-01", "head", False)]), "temporary",
                 opener="caseworker+township_head")
    do(m, case, "intake", "caseworker+township_head", complete=False, missing=["户口簿复印件"])
    do(m, case, "receive_documents", "caseworker+township_head")
    do(m, case, "intake", "caseworker+township_head", complete=True)
    do(m, case, "investigate", "caseworker2", **investigation)
    do(m, case, "township_approve", "township_head", decision="approve", amount_approved="800.00", reason="符合条件")
    do(m, case, "disburse", "caseworker")
    do(m, case, "file_with_county", "caseworker")
    # Above the township's limit: the county decides.
    case = _open(m, _people(m, place, 21, [("乙", "1950-01-01", "head", False)]), "temporary",
                 amount_requested="6000.00")
    do(m, case, "intake", "caseworker", complete=True)
    do(m, case, "investigate", "caseworker2", **{**investigation, "recommended_amount": "6000.00"})
    do(m, case, "township_approve", "township_head", decision="refer", reason="超过乡镇审批额度")
    do(m, case, "county_approve", "county_reviewer", decision="approve", amount_approved="6000.00", reason="同意")
    # Urgent: paid first, the paperwork after.
    case = _open(m, _people(m, place, 22, [("丙", "1950-01-01", "head", False)]), "temporary", kind="urgent",
                 cause_category="fire")
    do(m, case, "intake", "caseworker", complete=True)
    do(m, case, "pay_first", "township_head", amount="500.00", note="先行救助")
    do(m, case, "complete_paperwork", "caseworker", investigators=team, findings="补齐手续")
    assert ReserveFund.objects.get(pk=fund.pk).balance < 20000


def walk_enrolment(m, place, team, program, n):
    """Intake, investigation, verification, review, an objection and its re-investigation,
    a second review and the county's confirmation; then a staff relative's case, investigated
    by the county. Returns the approved case."""
    from workflows.enrolment.services import raise_objection

    own = {"self_care": SELF_CARING} if program == "tekun" else {}
    elder = [("丁", "1945-01-01", "head", False)]
    case = _open(m, _people(m, place, n, elder, conditions=["living_alone"]), program)
    do(m, case, "intake", "caseworker", complete=False, missing=["户口簿复印件"])
    do(m, case, "receive_documents", "caseworker")
    do(m, case, "intake", "caseworker", complete=True)
    do(m, case, "investigate", "caseworker2", investigators=team, findings="入户调查", family_signed=True, **own)
    do(m, case, "verify", "county_reviewer", results=CLEAR, note="")
    do(m, case, "township_review", "township_head", decision="recommend", reason="符合条件")
    raise_objection(m.user("caseworker"), case.pk, text="村民反映", raised_by="村民")
    do(m, case, "reinvestigate", "caseworker", findings="复查属实", outcome="dismissed")
    do(m, case, "township_review", "township_head", decision="recommend", reason="复查后符合条件")
    _end_notice(case)
    do(m, case, "county_confirm", "reviewer2", decision="approve", amount_approved=_amount(case), reason="经审核符合条件")
    approved = case

    relative = _open(m, _people(m, place, n + 1, [("戊", "1944-01-01", "head", False)],
                                conditions=["living_alone"]), program, related_to_staff=True)
    do(m, relative, "intake", "caseworker", complete=True)
    do(m, relative, "county_investigate", "county_reviewer",
       investigators=[m.user("county_reviewer").username, m.user("reviewer2").username], findings="县级入户调查",
       family_signed=True, **own)
    return approved


def walk_delegated(m, place, team, program, n):
    """Where the county delegates the decision, the township confirms."""
    own = {"self_care": SELF_CARING} if program == "tekun" else {}
    case = _open(m, _people(m, place, n, [("己", "1946-01-01", "head", False)], conditions=["living_alone"]),
                 program)
    do(m, case, "intake", "caseworker", complete=True)
    do(m, case, "investigate", "caseworker2", investigators=team, findings="入户调查", family_signed=True, **own)
    do(m, case, "verify", "county_reviewer", results=CLEAR, note="")
    do(m, case, "township_review", "township_head", decision="recommend", reason="符合条件")
    _end_notice(case)
    do(m, case, "township_confirm", "head2", decision="approve", amount_approved=_amount(case), reason="乡镇审批同意")


def walk_review(m, case, team):
    from workflows.reviews import services as reviews

    reviews.report_change(m.user("caseworker"), case.pk, kind="income", occurred_on=timezone.localdate(),
                          note="子女务工")
    do(m, case, "review_investigate", "caseworker", investigators=team, findings="入户复核")
    do(m, case, "review_decide", "township_head", decision="continue", reasons="")


def walk_replenishment(m, place):
    from funds import services as funds
    from funds.models import ReplenishmentRequest, ReserveFund

    fund = ReserveFund.objects.get(township_id=place.township)
    request = funds.request_replenishment(m.user("township_head"), fund, amount="3000.00", reason="备用金不足")
    deadline = Deadline.objects.exclude(status="closed").get(flow="reserve_fund", step="replenish",
                                                             region_code__startswith=place.township[:9])
    attempt(m, "reserve_fund", "replenish", deadline=deadline, case_id=None, doer="county_finance",
            fields={"decision": "approve", "amount": "3000.00", "reference": "拨付凭证001"},
            web_url=f"/funds/replenishments/{request.pk}/")
    assert ReplenishmentRequest.objects.get(pk=request.pk).status != "open"


def walk_duplicate(m, place):
    from registry import services as registry
    from registry.models import Person

    person = Person.objects.filter(household__region__code__startswith=place.township[:9]).order_by("pk").first()
    report, = registry.report_duplicates(m.user("caseworker"), [(person.pk, person.name)], village_code=place.village)
    deadline = Deadline.objects.exclude(status="closed").get(flow="registry", step="resolve_duplicate",
                                                             subject_id=report.pk)
    url = f"/households/duplicates/{report.pk}/resolve/"
    fields = {"resolution": "corrected", "note": "核实后更正"}
    attempt(m, "registry", "resolve_duplicate", deadline=deadline, case_id=None, doer="county_reviewer",
            fields=fields, web_fields={f"d{report.pk}-{k}": v for k, v in fields.items()}, web_url=url, api_url=url)


def walk_visits(m, place):
    import uuid

    from visits import services as visits
    from visits.models import FollowUp, Visit

    elder = _household(m.staff["caseworker"], place, 40, [("庚", "1936-01-01", "head", False)],
                       conditions=["living_alone"])
    visits.recompute_plans(persons=elder.members.all())
    visit = Visit.objects.filter(person__household=elder).order_by("window_start").first()
    deadline = Deadline.objects.exclude(status="closed").get(flow="home_visit", step="visit", subject_id=visit.pk)
    visited = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    attempt(m, "home_visit", "visit", deadline=deadline, case_id=None, doer="caseworker",
            fields={"client_uuid": str(uuid.uuid4()), "visited_at": visited, "method": "in_person",
                    "outcome": "needs_help", "notes": "需要帮助", "findings": {}},
            api_url=f"/api/v1/visits/{visit.pk}/record/", web_url=f"/visits/{visit.pk}/record/", api_ok=(201,))
    follow_up = FollowUp.objects.get(visit=visit)
    deadline = Deadline.objects.exclude(status="closed").get(flow="home_visit", step="follow_up",
                                                             subject_id=follow_up.pk)
    url = f"/visits/follow-ups/{follow_up.pk}/"
    attempt(m, "home_visit", "follow_up", deadline=deadline, case_id=None, doer="caseworker",
            fields={"resolution": "已联系家属照料"}, web_url=url, api_url=url)


def walk_warning(m, place):
    from registry.synthetic import make_id_number
    from workflows.monitoring import lists
    from workflows.monitoring import services as monitoring
    from workflows.monitoring.models import EarlyWarning

    stranger = make_id_number(place.area, datetime.date(1947, 7, 7), 777)
    lists.import_list(m.user("county_reviewer"), "medical", (
        "身份证号,姓名,区划代码,自付金额\n" f"{stranger},{place.surnames[0]}未登记,{place.village},52000.00\n").encode())
    warning = monitoring.scan(region_prefix=place.township[:9], rules=["not_registered"]).warnings.get()
    deadline = Deadline.objects.exclude(status="closed").get(flow="warning", step="follow_up", subject_id=warning.pk)
    url = f"/warnings/{warning.pk}/"
    attempt(m, "warning", "follow_up", deadline=deadline, case_id=None, doer="caseworker",
            fields={"outcome": "no_action", "note": "已入户核实，已在外地登记"}, web_url=url,
            api_url=f"/api/v1/warnings/{warning.pk}/follow-up/")
    assert EarlyWarning.objects.get(pk=warning.pk).status == "done"


def walk_sample(m, place):
    if programs.program("sample") is None:
        return
    case = _open(m, _people(m, place, 45, [("辛", "1950-01-01", "head", False)]), "sample")
    do(m, case, "register", "caseworker", complete=True)
    do(m, case, "assess", "caseworker", findings="情况属实", amount="300.00")
    do(m, case, "decide", "township_head", grant=True, reason="同意")


def walk(m: Matrix, function, *args):
    """Run a walk; one that stops half-way says where (the steps after it are then untried)."""
    from django.db import transaction

    try:
        with transaction.atomic():
            return function(*args)
    except Exception as exc:  # noqa: BLE001 - reported with the failures, not raised
        m.failures.append(f"{function.__name__}{args[2:]} stopped: {type(exc).__name__}: {exc}")
        return None


def _amount(case) -> str:
    """The monthly amount the means test gives the case: what its decision approves."""
    from workflows.enrolment.services import assessment

    return f"{assessment(Application.objects.get(pk=case.pk))[1]:.2f}"


def _end_notice(case):
    from workflows.enrolment.models import PublicNotice

    PublicNotice.objects.filter(application=case, withdrawn_at=None).update(
        ends_at=timezone.now() - datetime.timedelta(minutes=1))


def _delegate(county: str):
    """The county's own rule for both programs: the national row, with the decision delegated."""
    from workflows.enrolment.models import EnrolmentRule

    for program in ("dibao", "tekun"):
        national = EnrolmentRule.objects.get(program=program, scope="")
        values = {f.name: getattr(national, f.name) for f in EnrolmentRule._meta.concrete_fields
                  if f.name not in ("id", "scope", "program")}
        EnrolmentRule.objects.create(program=program, scope=county[:6], **{**values, "delegated": True})


def test_only_the_roles_a_step_names_complete_it(root, django_capture_on_commit_callbacks, record_property):
    from deadlines.calendar_admin import load_year
    from tests.conftest import make_staff

    load_year(2025)
    load_year(2026)
    place, delegated = PLACES["A"], PLACES["C"]
    staff, helpers = _staff(place)
    helpers["head2"] = make_staff("a_head2", ["township_head"], place.township)
    m = Matrix(staff, helpers)
    team = [staff["caseworker"].username, helpers["caseworker2"].username]

    with django_capture_on_commit_callbacks(execute=True):
        walk(m, walk_temporary, m, place, team)
        approved = walk(m, walk_enrolment, m, place, team, "dibao", 30)
        walk(m, walk_enrolment, m, place, team, "tekun", 32)
        walk(m, walk_review, m, approved, team)
        walk(m, walk_replenishment, m, place)
        walk(m, walk_duplicate, m, place)
        walk(m, walk_visits, m, place)
        walk(m, walk_warning, m, place)
        walk(m, walk_sample, m, place)

    # The delegated decision, in the other county (its own rule), with its own staff.
    _delegate(delegated.county)
    staff_c, helpers_c = _staff(delegated)
    helpers_c["head2"] = make_staff("c_head2", ["township_head"], delegated.township)
    m_c = Matrix(staff_c, helpers_c)
    team_c = [staff_c["caseworker"].username, helpers_c["caseworker2"].username]
    with django_capture_on_commit_callbacks(execute=True):
        walk(m_c, walk_delegated, m_c, delegated, team_c, "dibao", 50)
        walk(m_c, walk_delegated, m_c, delegated, team_c, "tekun", 52)

    tried = m.tried | m_c.tried
    untried = sorted(f"{spec.code}.{step.name}" for spec, step in programs.steps() if (spec.code, step.name) not in tried)
    failures = m.failures + m_c.failures
    failures += [f"a step no walk reaches (add one to tests/security/test_role_matrix.py): {s}" for s in untried]
    record_property("security_totals", {"role_matrix": {
        "steps": len(tried), "flows": len({f for f, _ in tried}), "roles": len(ROLE_SETS),
        "refused_attempts": m.refusals + m_c.refusals, "completions": m.completions + m_c.completions,
        "requests": m.attempts + m_c.attempts}})
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)

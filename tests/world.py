"""A small demo city with something on every page, for the tests that visit every page
(the language check, the phone layout in Chromium, each role's day in the browser).

It is the real demo (``seed_demo``, what ``scripts/run`` serves) with a few households,
plus, through the services, what the demo leaves empty: a replenishment request, a major
event and a follow-up, a payment roster, a periodic review, a duplicate registration, a
paused clock, a finished export and a 特困 spot check. ``Page`` rows name every page the
web interface serves with a GET, with the demo login that works on it.
"""

from __future__ import annotations

import datetime
import io
import uuid
from dataclasses import dataclass, field

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

DEMO_HOUSEHOLDS = 30
PASSWORD = "demo-2026"  # registry.demo.DEMO_PASSWORD: the demo's published password

# The demo's logins (registry.demo): one per role, and the second township's people who
# hold that township's 低保/特困 cases.
CASEWORKER = "caseworker"  # 济阳街道: temporary assistance
CASEWORKER_2 = "caseworker2"  # 南苑街道: 低保 and 特困
TOWNSHIP_HEAD = "township_head"  # 济阳街道
TOWNSHIP_HEAD_2 = "th_370811002"  # 南苑街道
COUNTY_REVIEWER = "county_reviewer"  # 任城区
COUNTY_FINANCE = "county_finance"  # 任城区
SUPERVISOR = "supervisor"  # 任城区
CITY_SUPERVISOR = "city_supervisor"  # 济宁市
ADMIN = "admin"
WITH_SECOND_FACTOR = "cw_370811003"  # a caseworker of the third township, asked for a code after the password
ROLES = [CASEWORKER, TOWNSHIP_HEAD, COUNTY_REVIEWER, COUNTY_FINANCE, SUPERVISOR, CITY_SUPERVISOR]
COUNTY = "370811000000"
TOWNSHIP_1 = "370811001000"


@dataclass
class World:
    ids: dict[str, object] = field(default_factory=dict)

    def __getitem__(self, name):
        return self.ids[name]


def user(username: str):
    from staff.models import User

    return User.objects.get(username=username)


def _task(flow: str, step: str, *, region: str = ""):
    """The oldest open task of ``flow``'s ``step`` (flow as viewflow names it, e.g. "temporary/flows.")."""
    from viewflow.workflow.models import Task

    tasks = Task.objects.filter(flow_task__contains=f"{flow}.{step}", status__in=["NEW", "ASSIGNED"])
    if region:
        from assistance.models import Application

        ids = Application.objects.filter(region_code__startswith=region[:9]).values("pk")
        tasks = tasks.filter(process__artifact_object_id__in=ids)
    task = tasks.order_by("pk").first()
    assert task is not None, f"the demo has no open task {flow}.{step}"
    return task.pk


def build(households: int = DEMO_HOUSEHOLDS) -> World:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from assistance.models import Application
    from deadlines import services as deadlines
    from deadlines.calendar_admin import YearNotAvailable, load_year
    from deadlines.models import Deadline, DeadlineStatus
    from exports import services as exports
    from funds import services as funds
    from funds.models import ReserveFund
    from registry import services as registry
    from registry.models import DuplicateRegistration, Household, Person
    from visits import services as visits
    from visits.models import FollowUp, MajorEvent, Visit, VisitStatus
    from workflows.enrolment import proactive
    from workflows.enrolment.models import PublicNotice
    from workflows.reviews import services as reviews
    from workflows.rosters import services as rosters
    from workflows.tekun import services as tekun
    from workflows.whatif import services as whatif

    today = timezone.localdate()
    for year in range(today.year - 1, today.year + 2):
        try:
            load_year(year)
        except YearNotAvailable:
            pass  # next year's holidays are published in November: weekends only until then
    call_command("seed_demo", households=households, stdout=io.StringIO())
    world = World()
    ids = world.ids

    caseworker, head = user(CASEWORKER), user(TOWNSHIP_HEAD)
    # The temporary-assistance demo: its cases and every step's task.
    temporary = Application.objects.filter(program="temporary", region_code__startswith=TOWNSHIP_1[:9])
    for status in ("urgent_payment", "township_review", "paid", "filed", "rejected", "paying"):
        ids[f"temporary_{status}"] = temporary.filter(status=status).order_by("pk").first().pk
    for step in ("intake", "receive_documents", "investigate", "pay_first", "township_approve", "county_approve",
                 "disburse", "file_with_county", "complete_paperwork"):
        ids[f"task_temporary_{step}"] = _task("TemporaryAssistanceFlow", step)
    # 低保 and 特困 in 南苑街道.
    for program in ("dibao", "tekun"):
        cases = Application.objects.filter(program=program, region_code__startswith="370811002")
        ids[f"{program}_notice"] = cases.filter(status="notice").order_by("pk").first().pk
        ids[f"{program}_approved"] = cases.filter(status="approved").order_by("pk").first().pk
        flow = "DibaoFlow" if program == "dibao" else "TekunFlow"
        for step in ("intake", "investigate", "verify", "township_review", "county_confirm", "reinvestigate"):
            ids[f"task_{program}_{step}"] = _task(flow, step, region="370811002000")
    ids["public_notice"] = PublicNotice.objects.order_by("pk").first().pk

    household = Household.objects.filter(region__code__startswith=TOWNSHIP_1[:9]).order_by("pk").first()
    ids["household"] = household.pk
    ids["person"] = household.members.order_by("pk").first().pk
    dibao_case = Application.objects.get(pk=ids["dibao_approved"])
    ids["dibao_household"] = dibao_case.household_id

    # Reserve fund: a replenishment request waiting for county finance.
    fund = ReserveFund.objects.get(township_id=TOWNSHIP_1)
    ids["fund"] = fund.pk
    ids["replenishment"] = funds.request_replenishment(head, fund, amount="2000.00", reason="汛期备用").pk
    ids["month"] = f"{today:%Y-%m}"

    # Home visits: two visits whose window has begun: one to open (and, in a walk, to record), one recorded
    # here as finding someone in need of help.
    visit, done = (Visit.objects.filter(region_code__startswith=TOWNSHIP_1[:9], status=VisitStatus.SCHEDULED,
                                        window_start__lte=timezone.now()).order_by("window_end", "pk")[:2])
    ids["visit"] = ids["visit_due"] = visit.pk
    ids["visit_household"] = visit.household_id
    record, _created = visits.record_visit(caseworker, done, client_uuid=uuid.uuid4(), visited_at=timezone.now(),
                                           method="in_person", outcome="needs_help", notes="腿脚不便，需要助行器",
                                           findings={"health": {"status": "concern", "note": "行走困难"}})
    ids["visit_record"] = record.pk
    ids["follow_up"] = FollowUp.objects.order_by("pk").first().pk
    # A major event (a heat wave), declared by the township head.
    visits.declare_major_event(head, region_code=TOWNSHIP_1, kind="heat_wave", title="高温橙色预警")
    ids["event"] = MajorEvent.objects.order_by("pk").first().pk

    # County finance's roster of next month's 低保 payments, generated.
    next_month = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    roster, _created = rosters.request_roster(user(COUNTY_FINANCE), county=COUNTY, program="dibao", month=next_month)
    rosters.generate(roster.pk)
    ids["roster"] = roster.pk
    ids["bank_account"] = dibao_case.bank_account.pk

    # A periodic review of an approved 低保 case (the township's changes page).
    reviews.open_review(dibao_case, kind="periodic", reason="年度复核")

    # A registration refused because the person is registered already: the county resolves it.
    registered = Person.objects.get(pk=ids["person"])
    registry.report_duplicates(caseworker, [(registered.pk, registered.name)], village_code=household.region_id)
    ids["duplicate"] = DuplicateRegistration.objects.order_by("pk").first().pk

    # A clock paused while the applicant gathers papers; an open one to pause.
    open_clocks = Deadline.objects.filter(status=DeadlineStatus.OPEN, region_code__startswith="370811")
    deadlines.pause_deadline(user(SUPERVISOR), open_clocks.order_by("pk").first(), reason="等待申请人补交住院证明")
    ids["deadline"] = open_clocks.order_by("pk").first().pk

    # An export that has been written, on the caseworker's "My exports".
    job = exports.request_export(caseworker, "households", {"q": "", "region": ""})
    exports.run(job.pk)
    ids["export"] = job.pk

    # The county's 特困 spot checks for this month.
    tekun.draw_spot_checks(user(COUNTY_REVIEWER), COUNTY, f"{today:%Y-%m}")

    # Letters telling households that qualify for 低保 without a case that they may apply.
    for result in list(proactive.eligible_without_case(COUNTY[:6], "dibao"))[:3]:
        household = Household.objects.select_related("region").get(pk=result.household_id)
        proactive.issue_proactive_notice(None, household, "dibao", result=result)

    # A policy what-if, answered: the county's rural standard raised by 80 yuan.
    run = whatif.request_run(user(ADMIN), kind="standard", region=COUNTY, program="dibao", on=today.isoformat(),
                             rural="900.00")
    whatif.run(run.pk)
    ids["whatif"] = run.pk

    # Early warning: the demo's scan raised warnings in the first township; its medical-insurance list.
    from workflows.monitoring.models import EarlyWarning, ListImport

    ids["warning"] = EarlyWarning.objects.filter(region_code__startswith=TOWNSHIP_1[:9], status="open")\
        .order_by("pk").first().pk
    ids["department_list"] = ListImport.objects.order_by("pk").first().pk

    # A person who signs in with a code from an app (the second factor).
    TOTPDevice.objects.create(user=user(WITH_SECOND_FACTOR), name="手机", confirmed=True)
    return world


@dataclass(frozen=True)
class Page:
    """A page of the web interface: its URL name, the demo login that works on it, and
    the URL's arguments from the world."""

    name: str
    login: str
    args: tuple = ()
    query: str = ""
    label: str = ""  # tells apart two visits of one URL name
    # Session state the page needs: the code page is asked for between the password and the code.
    session: tuple = ()

    def url(self, world: World) -> str:
        return reverse(self.name, args=[world[a] if isinstance(a, str) and a in world.ids else a
                                        for a in self.args]) + self.query

    @property
    def key(self) -> str:
        return self.label or self.name


def pages() -> list[Page]:
    """Every page served with a GET that a person reads (not a download), each with a
    login that may see it; the inbox of each role first."""
    cw, cw2, th, th2 = CASEWORKER, CASEWORKER_2, TOWNSHIP_HEAD, TOWNSHIP_HEAD_2
    cr, cf, sv, city = COUNTY_REVIEWER, COUNTY_FINANCE, SUPERVISOR, CITY_SUPERVISOR
    rows = [Page("home", login, label=f"home:{login}") for login in (*ROLES, cw2)]
    rows += [
        Page("login", ""),
        Page("task_inbox", cw), Page("task_inbox", cw, query="?tab=queue", label="task_inbox:queue"),
        Page("task_inbox", cr, label="task_inbox:county"), Page("approval_queue", th),
        Page("approval_queue", cr, label="approval_queue:county"), Page("application_list", cw),
        Page("application_create", cw, label="application_pick"),
        Page("household_list", cw), Page("household_create", cw), Page("household_detail", cw, ("household",)),
        Page("household_detail", cw2, ("dibao_household",), label="household_detail:dibao"),
        Page("household_timeline", cw, ("household",)),
        Page("household_timeline", cw2, ("dibao_household",), label="household_timeline:dibao"),
        Page("household_timeline", cw, ("visit_household",), query="?program=temporary",
             label="household_timeline:filtered"),
        Page("household_add_member", cw, ("household",)), Page("household_add_income", cw, ("household",)),
        Page("household_add_asset", cw, ("household",)), Page("person_edit", cw, ("person",)),
        Page("person_reveal", cw, ("person",)), Page("duplicate_list", cr), Page("audit_list", sv),
        Page("sla_dashboard", sv), Page("sla_dashboard", city, label="sla_dashboard:city"),
        Page("sla_dashboard", city, query=f"?region={COUNTY}", label="sla_dashboard:county"),
        Page("sla_breaches", sv), Page("sla_paused", sv), Page("deadline_pause", sv, ("deadline",)),
        Page("notice_list", cw2), Page("spot_check_list", cr), Page("township_changes", cw2),
        Page("fund_list", cf), Page("fund_detail", th, ("fund",)),
        Page("fund_detail", cf, ("fund",), label="fund_detail:county"),
        Page("fund_statement", th, ("fund", "month")), Page("fund_replenishment", cf, ("replenishment",)),
        Page("roster_list", cf), Page("roster_detail", cf, ("roster",)), Page("roster_lock", cf, ("roster",)),
        Page("visit_list", cw), Page("visit_detail", cw, ("visit",)), Page("visit_record", cw, ("visit",)),
        Page("household_visits", cw, ("visit_household",)), Page("visit_event_list", th),
        Page("visit_event_create", th), Page("visit_event_detail", th, ("event",)),
        Page("visit_follow_up_list", th), Page("visit_follow_up", th, ("follow_up",)),
        Page("visit_coverage", sv), Page("visit_coverage", city, label="visit_coverage:city"),
        Page("visit_not_visited", sv), Page("export_list", cw), Page("export_job", cw, ("export",)),
        Page("proactive_list", sv), Page("statistics", sv), Page("statistics", city, label="statistics:city"),
        Page("warning_list", cw), Page("warning_detail", cw, ("warning",)), Page("warning_figures", sv),
        Page("warning_figures", city, label="warning_figures:city"), Page("department_lists", cr),
        Page("department_list_detail", cr, ("department_list",)),
        Page("whatif_list", ADMIN), Page("whatif_detail", ADMIN, ("whatif",)), Page("two_factor", cf),
        Page("two_factor_verify", WITH_SECOND_FACTOR, session=(("staff_second_factor", "needs_code"),)),
    ]
    # The admin, as an administrator reads it: its index and the lists of the rules kept there.
    # (Its technical tables, the raw audit rows, deadline policies by step code and users by
    # login, show the codes they are keyed by; visit-tier rules are named by administrators.)
    rows += [Page("admin:index", ADMIN)] + [
        Page(f"admin:{model}_changelist", ADMIN, label=f"admin:{model}")
        for model in ("regions_region", "temporary_assistancerule", "temporary_amountband", "enrolment_enrolmentrule",
                      "reviews_reviewrule", "means_meansrule", "funds_reservefund",
                      "rosters_pricesubsidyrule", "assistance_dibaostandard", "visits_majorevent")]
    for status in ("urgent_payment", "township_review", "paid", "filed", "rejected"):
        rows.append(Page("application_detail", cw, (f"temporary_{status}",), label=f"case:temporary:{status}"))
    for program in ("dibao", "tekun"):
        for state in ("notice", "approved"):
            rows.append(Page("application_detail", cw2, (f"{program}_{state}",), label=f"case:{program}:{state}"))
    step_logins = {"intake": cw, "receive_documents": cw, "investigate": cw, "pay_first": th,
                   "township_approve": th, "county_approve": cr, "disburse": cw, "file_with_county": cw,
                   "complete_paperwork": cw}
    rows += [Page("task_detail", login, (f"task_temporary_{step}",), label=f"task:temporary:{step}")
             for step, login in step_logins.items()]
    step_logins = {"intake": cw2, "investigate": cw2, "verify": cr, "township_review": th2, "county_confirm": cr,
                   "reinvestigate": cw2}
    rows += [Page("task_detail", login, (f"task_{program}_{step}",), label=f"task:{program}:{step}")
             for program in ("dibao", "tekun") for step, login in step_logins.items()]
    return rows


# URL names served with a GET that are not pages to read, and why the page checks leave them out.
NOT_PAGES = {
    "healthz": "JSON for the load balancer",
    "javascript-catalog": "a script",
    "set_language": "POST only",
    "logout": "POST only",
    "document_download": "a PDF",
    "benefit_notice_pdf": "a PDF",
    "notice_pdf": "a PDF",
    "visit_record_pdf": "a PDF",
    "visit_record_photo": "an image",
    "fund_statement_pdf": "a PDF",
    "fund_statement_xlsx": "a workbook",
    "roster_pdf": "a PDF",
    "roster_bank_file": "a CSV file",
    "roster_bank_xlsx": "a workbook",
    "roster_lines_export": "a workbook",
    "export_job_status": "JSON for the progress bar",
    "export_job_download": "a workbook",
    "township_changes_export": "a workbook",
    "proactive_pdf": "a PDF",
    "statistics_report": "a PDF",
    "whatif_status": "JSON for the progress bar",
    "whatif_export": "a workbook",
    "department_list_template": "a workbook",
}
EXPORTS = "export.xlsx"  # every list's Excel export ends so: downloads, not pages

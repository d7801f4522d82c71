"""Two regions full of records, for the region-isolation crawler and the role matrix.

Region "A" is township 济阳街道 (370811001) of 任城区 (370811), region "C" township 鼓楼街道
(370812001) of 兖州区 (370812): two townships in two counties, so an outsider at township
level and one at county level both stand in the other region. Each region gets the same
records, made through the engine's own services and flows (documents rendered, rosters
generated, exports written — the after-commit work runs): households and people with
incomes and assets, temporary-assistance cases (one open, one paid), 低保 cases (one on
its public notice, one approved, in payment, reviewed and stopped), a 特困 case, a
reserve fund with its ledger and a replenishment request, home-visit plans, visits, a
record with a photo and its follow-up, a major event and a pairing, a payment roster
and its lines, a bank account, an export job, a duplicate registration, deadlines and
the audit trail.

Every person, address and cause of a region carries names only that region uses, so a
page that shows another region's records is caught by what it prints
(``World.identifiers``).
"""

from __future__ import annotations

import datetime
import io
import os
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import COUNTY, COUNTY_2, TOWNSHIP_A, TOWNSHIP_C, VILLAGE_A1, VILLAGE_C1, make_staff

# The roles a crawler and the role matrix try, each a list of groups: every role of
# staff.roles.Role (the administrator role too: not a superuser) and one person holding
# two, as a township cadre often does.
ROLE_SETS: dict[str, tuple[str, ...]] = {
    "caseworker": ("caseworker",),
    "township_head": ("township_head",),
    "county_reviewer": ("county_reviewer",),
    "county_finance": ("county_finance",),
    "supervisor": ("supervisor",),
    "admin": ("admin",),
    "caseworker+township_head": ("caseworker", "township_head"),
}
COUNTY_LEVEL = {"county_reviewer", "county_finance", "supervisor", "admin"}


@dataclass(frozen=True)
class Place:
    key: str
    county: str
    township: str
    village: str
    area: str  # the ID numbers' area code
    surnames: tuple[str, str, str, str, str, str]
    street: str


PLACES = {
    "A": Place("A", COUNTY, TOWNSHIP_A, VILLAGE_A1, "370811", ("郑", "冯", "韩", "蒋", "沈", "钟"), "东关仁和巷"),
    "C": Place("C", COUNTY_2, TOWNSHIP_C, VILLAGE_C1, "370812", ("曹", "彭", "孔", "颜", "孟", "卞"), "鼓楼永安巷"),
}


@dataclass
class Region:
    """One region's staff (by role name) and its records' keys (by what the routes call
    them: ``household``, ``application_enrolled``, ``roster_line``, …)."""

    place: Place
    staff: dict = field(default_factory=dict)
    helpers: dict = field(default_factory=dict)  # the second caseworker, second reviewer: doers, not tried
    keys: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


@dataclass
class World:
    regions: dict[str, Region]

    def other(self, key: str) -> Region:
        return next(r for k, r in self.regions.items() if k != key)

    def identifiers(self, key: str) -> set[str]:
        """What no page or answer may show to anyone outside region ``key``: its people's
        names, full and masked ID numbers, addresses, the causes of its cases, its
        places' names and codes, and its staff's usernames."""
        from assistance.models import Application
        from regions.models import Region as Place_
        from registry.idnumber import mask
        from registry.models import Household, Person
        from staff.models import User

        place = self.regions[key].place
        prefix = place.county[:6]
        out: set[str] = set()
        for name, number in Person.objects.filter(household__region__code__startswith=prefix).values_list(
                "name", "id_number"):
            out |= {name, number, mask(number)}
        out |= set(Household.objects.filter(region__code__startswith=prefix).values_list("address", flat=True))
        out |= set(Application.objects.filter(region_code__startswith=prefix).values_list("cause", flat=True))
        for code, name in Place_.objects.filter(code__startswith=prefix).values_list("code", "name"):
            out |= {code, name}
        out |= set(User.objects.filter(region__code__startswith=prefix).values_list("username", flat=True))
        return {value for value in out if value and len(value) >= 2}


# --- building ----------------------------------------------------------------------------------------

def _step(user, case_or_id, step: str, **fields):
    from core import programs
    from deadlines.models import Deadline
    from workflows import engine

    application_id = getattr(case_or_id, "pk", case_or_id)
    deadline = Deadline.objects.exclude(status="closed").get(application_id=application_id, step=step,
                                                             subject_type__model="task")
    return engine.complete(user, deadline.subject_id, programs.step(deadline.flow, step).service, **fields)


def _png() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", (4, 4), os.urandom(48)).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def _staff(place: Place) -> tuple[dict, dict]:
    tag = place.key.lower()
    staff = {}
    for role, groups in ROLE_SETS.items():
        home = place.county if role in COUNTY_LEVEL else place.township
        # The region first: no username is then part of another region's (caseworker_c in caseworker_cc…).
        username = f"{tag}_{role.replace('+', '_and_')}"
        staff[role] = make_staff(username, list(groups), home)
    helpers = {
        "caseworker2": make_staff(f"{tag}_caseworker2", ["caseworker"], place.township),
        "reviewer2": make_staff(f"{tag}_reviewer2", ["county_reviewer"], place.county),
        "finance2": make_staff(f"{tag}_finance2", ["county_finance"], place.county),
    }
    return staff, helpers


def _household(actor, place: Place, n: int, members: list[tuple[str, str, str, bool]], *, conditions=()):
    """``members``: (given name, birth date, relation, female); surname by household number."""
    from registry import services
    from registry.synthetic import make_id_number

    surname = place.surnames[n % len(place.surnames)]
    rows = []
    for i, (given, born, relation, female) in enumerate(members):
        rows.append({"name": surname + given, "relation": relation,
                     "id_number": make_id_number(place.area, datetime.date.fromisoformat(born), 300 + n * 10 + i,
                                                 female=female),
                     "conditions": list(conditions) if i == 0 else []})
    return services.register_household(actor, region=place.village, address=f"{place.street}{n + 1}号",
                                       registration="rural", members=rows)


def _build_region(place: Place, root) -> Region:
    from assistance import services as assistance
    from exports import services as exports
    from funds import services as funds
    from regions.models import Region as RegionRow
    from registry import services as registry
    from visits import services as visits
    from visits.models import FollowUp, Visit
    from workflows.enrolment.services import raise_objection
    from workflows.reviews import services as reviews
    from workflows.rosters import services as rosters

    staff, helpers = _staff(place)
    region = Region(place, staff, helpers)
    cw, cw2, head = staff["caseworker"], helpers["caseworker2"], staff["township_head"]
    reviewer, finance = staff["county_reviewer"], staff["county_finance"]
    team = [cw.username, cw2.username]
    today = timezone.localdate()

    # Households: a couple on small pensions (the registry's incomes and assets), four more for the cases.
    couple = _household(cw, place, 0, [("守田", "1951-04-02", "head", False), ("桂英", "1953-09-17", "spouse", True)])
    people = list(couple.members.order_by("pk"))
    registry.record_income(cw, couple, member=people[0], kind="pension", monthly_amount=Decimal("300.00"),
                           start=datetime.date(2024, 1, 1), note="城乡居民养老金")
    registry.record_asset(cw, couple, member=None, kind="deposit", value=Decimal("3000.00"),
                          as_of=datetime.date(2025, 12, 1))
    notice_home = _household(cw, place, 1, [("德明", "1948-02-11", "head", False),
                                            ("秀珍", "1950-05-05", "spouse", True)])
    enrolled_home = _household(cw, place, 2, [("广德", "1947-03-12", "head", False),
                                              ("玉兰", "1949-08-08", "spouse", True)])
    for household in (notice_home, enrolled_home):
        for member in household.members.all():
            registry.record_income(cw, household, member=member, kind="pension", monthly_amount=Decimal("250.00"),
                                   start=datetime.date(2024, 1, 1))
    elder_home = _household(cw, place, 3, [("福田", "1938-03-01", "head", False)], conditions=["living_alone"])
    temp_home = _household(cw, place, 4, [("建国", "1975-06-15", "head", False),
                                          ("小军", "2012-02-02", "child", False)])
    region.keys.update(household=couple.pk, household_spare=couple.pk, household_other=temp_home.pk,
                       household_elder=elder_home.pk,
                       person=people[1].pk, village_code=place.village)

    # The reserve fund: an allocation, then a temporary-assistance case paid from it.
    fund = funds.open_fund(root, RegionRow.objects.get(code=place.township), low_water_mark="1000.00",
                           target_balance="20000.00")
    funds.allocate(finance, fund, "10000.00", f"{place.street}备用金拨付")
    region.keys["fund"] = fund.pk
    open_case = assistance.open_application(cw, household=temp_home.pk, program="temporary", kind="expense",
                                            cause=f"{place.street}住户医疗费用", cause_category="other",
                                            amount_requested="1500.00")
    paid = assistance.open_application(cw, household=couple.pk, program="temporary", kind="expense",
                                       cause=f"{place.street}老人住院自付费用", cause_category="other",
                                       amount_requested="1200.00")
    _step(cw, paid, "intake", complete=True)
    _step(cw2, paid, "investigate", investigators=team, findings=f"{place.street}入户调查属实",
          recommended_amount="1200.00")
    _step(head, paid, "township_approve", decision="approve", amount_approved="1200.00", reason="符合条件")
    _step(cw, paid, "disburse")
    region.keys["application"] = open_case.pk
    from funds.models import LedgerEntry

    region.keys["ledger_entry"] = LedgerEntry.objects.filter(fund=fund, kind="disbursement").get().pk
    replenishment = funds.request_replenishment(head, fund, amount="5000.00", reason=f"{place.street}备用金不足")
    region.keys["replenishment"] = replenishment.pk

    # 低保: one case on its public notice (with an objection), one approved and in payment.
    from tests.enrolment.conftest import CLEAR

    def to_review(case):
        _step(cw, case, "intake", complete=True)
        _step(cw2, case, "investigate", investigators=team, findings=f"{place.street}入户调查", family_signed=True)
        _step(reviewer, case, "verify", results=CLEAR, note="")
        _step(head, case, "township_review", decision="recommend", reason="符合条件")

    on_notice = assistance.open_application(cw, household=notice_home.pk, program="dibao",
                                            cause=f"{place.street}老两口收入低")
    to_review(on_notice)
    raise_objection(cw, on_notice.pk, text=f"{place.street}村民反映情况", raised_by="村民")
    enrolled = assistance.open_application(cw, household=enrolled_home.pk, program="dibao",
                                           cause=f"{place.street}年老体弱无收入")
    to_review(enrolled)
    from tests.enrolment.conftest import end_notice

    end_notice(enrolled)
    _step(helpers["reviewer2"], enrolled, "county_confirm", decision="approve", reason="经审核符合条件")
    tekun = assistance.open_application(cw, household=elder_home.pk, program="tekun",
                                        cause=f"{place.street}独居老人无人赡养")
    _step(cw, tekun, "intake", complete=True)
    region.keys.update(application_on_notice=on_notice.pk, application_enrolled=enrolled.pk)
    from workflows.enrolment.models import PublicNotice

    region.keys["notice"] = PublicNotice.objects.filter(application=on_notice).order_by("pk").first().pk

    # In payment: a bank account and next month's roster; then a change, a refusal of work,
    # and a review that stops the benefit with a written notice.
    rosters.set_account(cw, enrolled, holder=enrolled.applicant.name, bank_name="济宁农商银行",
                        account_number=f"6223091500{enrolled.pk:06d}")
    month = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    roster, _created = rosters.request_roster(finance, county=place.county, program="dibao", month=month)
    region.keys["roster"] = roster.pk
    rosters.generate(roster.pk)  # now, while the case is in payment (its review stops it below)
    region.extra["roster_month"] = month
    reviews.record_work_refusal(cw, enrolled.pk, member=enrolled.applicant.pk, offered="社区保洁岗位", on=today)
    reviews.report_change(cw, enrolled.pk, kind="income", occurred_on=today, note=f"{place.street}子女务工收入")
    _step(cw, enrolled, "review_investigate", investigators=team, findings="入户复核")
    _step(head, enrolled, "review_decide", decision="stop", reasons="家庭收入超过标准")

    # Home visits: the elder living alone is visited weekly; one visit found a need (a follow-up).
    visits.recompute_plans(persons=elder_home.members.all())
    visit = Visit.objects.filter(person__household=elder_home).order_by("window_start").first()
    record, _ = visits.record_visit(cw, visit, client_uuid=uuid.uuid4(),
                                    visited_at=timezone.now() - datetime.timedelta(hours=1), method="in_person",
                                    outcome="needs_help", notes=f"{place.street}老人需要帮助", photo=_png(),
                                    findings={"health": {"status": "concern", "note": "行动不便"}})
    event = visits.declare_major_event(head, region_code=place.township, kind="cold_wave",
                                       title=f"{place.street}寒潮")
    visits.pair_household(head, elder_home, cw)
    region.keys.update(visit=visit.pk, visit_record=record.pk, major_event=event.pk,
                       follow_up=FollowUp.objects.get(visit=visit).pk)

    # What a higher rural standard would do in the county (the administrator's what-if), answered.
    from workflows.enrolment.benefits import following_month
    from workflows.whatif import services as whatif

    region.keys["what_if"] = whatif.request_run(staff["admin"], kind="standard", region=place.county,
                                                on=following_month(today).isoformat(), rural="900.00").pk

    # The letter telling the couple they may apply for 低保 (救助主动告知).
    from workflows.enrolment.proactive import issue_proactive_notice

    region.keys["proactive_notice"] = issue_proactive_notice(cw, couple, "dibao").pk

    # A duplicate registration: the couple's head registered again in the same village.
    duplicate, = registry.report_duplicates(cw, [(people[0].pk, people[0].name)], village_code=place.village)
    region.keys["duplicate"] = duplicate.pk

    # Early warning: the county's medical-insurance list names a person of the township who is not
    # registered and has large costs; the nightly rules raise a warning for the township.
    from registry.synthetic import make_id_number
    from workflows.monitoring import lists
    from workflows.monitoring import services as monitoring

    stranger = make_id_number(place.area, datetime.date(1949, 9, 9), 700 + len(place.street))
    listed = lists.import_list(reviewer, "medical", (
        "身份证号,姓名,区划代码,自付金额\n" f"{stranger},{place.surnames[0]}未登记,{place.village},45000.00\n").encode())
    run = monitoring.scan(region_prefix=place.township[:9], rules=["not_registered"])
    region.keys.update(department_list=listed.pk, warning=run.warnings.get().pk)

    # An export job of the caseworker's own households, written.
    job = exports.request_export(cw, "households", {})
    region.keys["export_job"] = str(job.pk)
    region.keys["month"] = today.strftime("%Y-%m")
    return region


def build_world(root, capture, only: tuple[str, ...] = ()) -> World:
    """Both regions (or those named in ``only``); ``capture`` is pytest-django's
    ``django_capture_on_commit_callbacks``: what the services queue after commit
    (documents, rosters, exports) runs as it would."""
    from deadlines.calendar_admin import load_year

    load_year(2025)
    load_year(2026)
    regions = {}
    for key, place in PLACES.items():
        if only and key not in only:
            continue
        with capture(execute=True):
            regions[key] = _build_region(place, root)
    world = World(regions)
    _collect(world)
    return world


def _collect(world: World) -> None:
    """Keys of records the flows made themselves: an open task and its deadline, documents,
    a notice of a payment change, a roster line."""
    from deadlines.models import Deadline
    from documents.models import Document
    from workflows.reviews.models import BenefitNotice
    from workflows.rosters.models import RosterLine

    for region in world.regions.values():
        case = region.keys["application"]
        deadline = Deadline.objects.exclude(status="closed").get(application_id=case, subject_type__model="task")
        region.keys.update(task=deadline.subject_id, deadline=deadline.pk)
        region.keys["document"] = Document.objects.filter(
            application__region_code__startswith=region.place.township[:9]).order_by("pk").first().pk
        region.keys["benefit_notice"] = BenefitNotice.objects.get(application_id=region.keys["application_enrolled"]).pk
        region.keys["roster_line"] = RosterLine.objects.filter(roster_id=region.keys["roster"]).order_by("pk").first().pk

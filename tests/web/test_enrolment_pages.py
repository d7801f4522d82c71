"""The 低保/特困 pages: applying from the household page, the case page's block (who
confirms, verification, the means test's arithmetic, notices, objections, the limit),
the objection and extension forms, the public-notice list with its PDFs and export, the
county's 特困 spot checks, and the step pages. Outsiders: bob (caseworker of township B)
and otto (supervisor of county 2) see nothing of township A's cases (404), a role
without the permission is refused (403)."""

from __future__ import annotations

import datetime
import hashlib
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from assistance.models import Application
from audit.models import AuditEvent
from tests.conftest import VILLAGE_A2
from tests.enrolment import conftest as enrolment_fixtures
from tests.enrolment.conftest import CLEAR, SELF_CARING, do, open_case, open_task, walk_to_review
from tests.means import conftest as means_fixtures
from tests.means.conftest import family, income, person
from tests.web.conftest import error_messages
from workflows.enrolment.models import Objection, PublicNotice, SpotCheck

pytestmark = pytest.mark.django_db

# The enrolment tests' households, staff and working calendar (autouse there, so here too).
_calendar = enrolment_fixtures._calendar
cora, hugo, poor_couple = enrolment_fixtures.cora, enrolment_fixtures.hugo, enrolment_fixtures.poor_couple
standards = means_fixtures.standards


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _end_notice(case):
    PublicNotice.objects.filter(application=case).update(ends_at=timezone.now() - datetime.timedelta(minutes=1))


@pytest.fixture
def in_notice(alice, amy, hana, cora, poor_couple):
    """A 低保 case whose first-review opinion (990.00 yuan for two) is posted and running."""
    case = open_case(alice, poor_couple)
    walk_to_review(case, alice, amy, cora)
    do(hana, case, "township_review", decision="recommend", reason="两位老人收入低于标准")
    return Application.objects.get(pk=case.pk)


@pytest.fixture
def lone_man(alice, standards):
    """A man of 72 living alone on a 200.00 pension: unable to work by age."""
    household, _people = family(alice, [person("王老汉", "1953-05-06", "head")], village=VILLAGE_A2,
                                registration="rural", address="西关村5组3号")
    income(alice, household, None, "pension", "200.00", "2024-01-01")
    return household


def _approved_tekun(alice, amy, hana, cora, carol, household):
    case = open_case(alice, household, program="tekun")
    walk_to_review(case, alice, amy, cora, program="tekun")
    do(hana, case, "township_review", decision="recommend")
    _end_notice(case)
    do(carol, case, "county_confirm", decision="approve")
    return Application.objects.get(pk=case.pk)


# --- Applying ---------------------------------------------------------------------------------------

def test_household_page_offers_dibao_and_tekun(as_user, alice, poor_couple):
    html = as_user(alice).get(f"/households/{poor_couple.pk}/").content.decode()
    assert f'href="/households/{poor_couple.pk}/apply/?program=dibao"' in html
    assert f'href="/households/{poor_couple.pk}/apply/?program=tekun"' in html
    assert "申请最低生活保障" in html


def test_opening_a_dibao_case_on_the_web(as_user, alice, poor_couple):
    client = as_user(alice)
    form = client.get(f"/households/{poor_couple.pk}/apply/?program=dibao")
    assert form.status_code == 200
    html = form.content.decode()
    assert 'name="covered_member"' in html and 'name="related_to_staff"' in html
    assert 'name="amount_requested"' not in html  # the means test gives the amount
    head = poor_couple.head
    response = client.post(f"/households/{poor_couple.pk}/apply/", {
        "program": "dibao", "cause": "年老体弱，收入不足", "applicant": head.pk, "covered_member": ""})
    assert response.status_code == 302
    case = Application.objects.get(household=poor_couple)
    assert case.program == "dibao" and case.status == "intake"
    assert case.dibao.covered_member_id is None


def test_partial_coverage_is_refused_on_its_field(as_user, alice, poor_couple):
    """The couple qualifies as a whole: covering one of them alone is refused, on the field."""
    spouse = poor_couple.members.exclude(relation="head").get()
    response = as_user(alice).post(f"/households/{poor_couple.pk}/apply/", {
        "program": "dibao", "cause": "只为配偶申请", "applicant": poor_couple.head.pk, "covered_member": spouse.pk})
    assert response.status_code == 400
    assert any("整户" in message for message in error_messages(response.content.decode()))
    assert 'field-covered_member' in response.content.decode()
    assert not Application.objects.filter(household=poor_couple).exists()


# --- The case page --------------------------------------------------------------------------------

def test_case_page_shows_the_means_arithmetic_and_the_notice(as_user, alice, carol, in_notice):
    response = as_user(carol).get(f"/applications/{in_notice.pk}/")
    assert response.status_code == 200
    text = _text(response)
    html = response.content.decode()
    assert 'id="case-means"' in html
    # The means test's lines, in Chinese: two members, their counted income, per capita, the gap.
    assert "375.00" in text and "870.00" in text and "990.00" in text
    assert "县级" in text  # who confirms: the county
    assert 'id="verification"' in html and html.count('class="clear"') == 8
    assert "两位老人收入低于标准" in text  # the first-review opinion
    assert 'class="notice-state state-running"' in html
    assert f'href="/notices/{PublicNotice.objects.get(application=in_notice).pk}/pdf/"' in html
    assert 'id="case-limit"' in html  # 低保's whole-case clock


def test_case_page_marks_found_sources(as_user, alice, amy, hana, cora, carol, poor_couple):
    case = open_case(alice, poor_couple)
    do(alice, case, "intake", complete=True)
    do(amy, case, "investigate", investigators=["alice", "amy"], findings="入户核实", family_signed=True)
    do(cora, case, "verify", results={**CLEAR, "vehicle": "found"}, note="名下有一辆农用三轮车")
    html = as_user(carol).get(f"/applications/{case.pk}/").content.decode()
    assert re.search(r'<li class="found" data-source="vehicle">', html)
    assert "名下有一辆农用三轮车" in html
    assert "尚未决定" in _text(as_user(carol).get(f"/applications/{case.pk}/"))  # today's test, before a decision


@pytest.mark.parametrize("outsider", ["bob", "otto"])
def test_outsiders_do_not_see_the_case(as_user, request, in_notice, outsider):
    user = request.getfixturevalue(outsider)
    assert as_user(user).get(f"/applications/{in_notice.pk}/").status_code == 404


def test_tekun_case_page_shows_self_care(as_user, alice, amy, hana, cora, carol, lone_man):
    case = open_case(alice, lone_man, program="tekun")
    do(alice, case, "intake", complete=True)
    care = {**SELF_CARING, "bathing": False, "walking": False}
    do(amy, case, "investigate", investigators=["alice", "amy"], findings="独居", family_signed=True,
       self_care=care)
    html = as_user(carol).get(f"/applications/{case.pk}/").content.decode()
    assert 'id="self-care"' in html
    assert html.count('class="not-done"') == 2 and html.count('class="done"') == 4
    assert "部分" in _text(as_user(carol).get(f"/applications/{case.pk}/"))  # partly dependent
    assert re.search(r'id="unable-to-work".*?\d+岁（60岁及以上）', html, re.S)


# --- Objections ------------------------------------------------------------------------------------

def test_township_staff_record_an_objection(as_user, alice, in_notice):
    client = as_user(alice)
    html = client.get(f"/applications/{in_notice.pk}/").content.decode()
    assert f'action="/applications/{in_notice.pk}/objections/"' in html
    response = client.post(f"/applications/{in_notice.pk}/objections/",
                           {"text": "邻居反映其子女收入较高", "raised_by": "村民"})
    assert response.status_code == 302
    case = Application.objects.get(pk=in_notice.pk)
    assert case.status == "reinvestigation"
    objection = Objection.objects.get(application=case)
    assert objection.recorded_by == alice and objection.raised_by == "村民"
    assert PublicNotice.objects.get(application=case).withdrawn_at is not None
    assert AuditEvent.objects.filter(event="assistance.application.objected", object_id=str(case.pk)).exists()
    page = _text(client.get(f"/applications/{case.pk}/"))
    assert "邻居反映其子女收入较高" in page


def test_an_empty_objection_is_refused_on_its_field(as_user, alice, in_notice):
    response = as_user(alice).post(f"/applications/{in_notice.pk}/objections/", {"text": " "})
    assert response.status_code == 400
    assert error_messages(response.content.decode())
    assert Application.objects.get(pk=in_notice.pk).status == "notice"


def test_no_objection_once_the_notice_ended(as_user, alice, in_notice):
    _end_notice(in_notice)
    client = as_user(alice)
    assert f"/applications/{in_notice.pk}/objections/" not in client.get(f"/applications/{in_notice.pk}/").content.decode()
    response = client.post(f"/applications/{in_notice.pk}/objections/", {"text": "太迟了"})
    assert response.status_code == 409
    assert not Objection.objects.exists()


def test_objections_refused_for_wrong_roles_and_outsiders(as_user, carol, bob, otto, in_notice):
    url = f"/applications/{in_notice.pk}/objections/"
    assert as_user(carol).post(url, {"text": "县级不记录异议"}).status_code == 403
    assert as_user(bob).post(url, {"text": "邻乡"}).status_code == 404
    assert as_user(otto).post(url, {"text": "外县"}).status_code == 403
    assert as_user(bob).get(url).status_code == 405  # POST only
    assert not Objection.objects.exists()


# --- Extending the whole-case limit ----------------------------------------------------------------

def _clock(case):
    from workflows.enrolment.models import EnrolmentCase
    from workflows.enrolment.services import case_clock

    return case_clock(EnrolmentCase.objects.get(pk=case.pk))


def test_county_reviewer_extends_the_limit(as_user, alice, carol, in_notice):

    before = _clock(in_notice).due_at
    client = as_user(carol)
    assert f'action="/applications/{in_notice.pk}/extend/"' in client.get(f"/applications/{in_notice.pk}/").content.decode()
    response = client.post(f"/applications/{in_notice.pk}/extend/", {"reason": "需补充调取外地房产信息"})
    assert response.status_code == 302
    case = Application.objects.get(pk=in_notice.pk)
    assert case.dibao.extension_reason == "需补充调取外地房产信息" and case.dibao.extended_by == carol
    assert _clock(case).due_at > before
    assert AuditEvent.objects.filter(event="assistance.application.extended", object_id=str(case.pk)).exists()
    html = client.get(f"/applications/{case.pk}/").content.decode()
    assert 'id="extension"' in html and "需补充调取外地房产信息" in html
    assert f"/applications/{case.pk}/extend/" not in html  # once only
    again = client.post(f"/applications/{case.pk}/extend/", {"reason": "再次延长"})
    assert again.status_code == 409


def test_extension_needs_a_reason(as_user, carol, in_notice):
    response = as_user(carol).post(f"/applications/{in_notice.pk}/extend/", {"reason": ""})
    assert response.status_code == 400
    assert error_messages(response.content.decode())
    assert Application.objects.get(pk=in_notice.pk).dibao.extended_at is None


def test_extension_refused_for_wrong_roles_and_outsiders(as_user, alice, hana, otto, in_notice, regions):
    from tests.conftest import COUNTY_2, make_staff

    url = f"/applications/{in_notice.pk}/extend/"
    assert as_user(alice).post(url, {"reason": "乡镇不能延长"}).status_code == 403
    assert as_user(hana).post(url, {"reason": "乡镇不能延长"}).status_code == 403
    assert as_user(otto).post(url, {"reason": "外县"}).status_code == 403
    reviewer_2 = make_staff("rita", ["county_reviewer"], COUNTY_2)
    assert as_user(reviewer_2).post(url, {"reason": "外县"}).status_code == 404
    assert Application.objects.get(pk=in_notice.pk).dibao.extended_at is None


# --- Public notices ---------------------------------------------------------------------------------

def test_notice_list_for_the_region(as_user, alice, carol, bob, otto, in_notice):
    notice = PublicNotice.objects.get(application=in_notice)
    for user in (alice, carol):
        response = as_user(user).get("/notices/")
        assert response.status_code == 200
        html = response.content.decode()
        assert f'id="notice-{notice.pk}"' in html and "孙*田" in html and "990.00" in html
        assert "孙守田" not in html  # the list shows the name as posted
    for outsider in (bob, otto):
        html = as_user(outsider).get("/notices/").content.decode()
        assert f'id="notice-{notice.pk}"' not in html
        assert as_user(outsider).get(f"/notices/{notice.pk}/pdf/").status_code == 404


def test_notice_list_filters(as_user, alice, in_notice):
    client = as_user(alice)
    notice = PublicNotice.objects.get(application=in_notice)
    assert f"notice-{notice.pk}" in client.get("/notices/?running=on&program=dibao").content.decode()
    assert f"notice-{notice.pk}" not in client.get("/notices/?program=tekun").content.decode()
    assert f"notice-{notice.pk}" not in client.get("/notices/?kind=approved").content.decode()
    _end_notice(in_notice)
    assert f"notice-{notice.pk}" not in client.get("/notices/?running=on").content.decode()
    assert client.get("/notices/?kind=nonsense").status_code == 200


def test_the_menu_offers_notices_and_spot_checks_by_role(as_user, alice, carol):
    html = as_user(alice).get("/").content.decode()
    assert 'href="/notices/"' in html and 'href="/spot-checks/"' not in html
    html = as_user(carol).get("/").content.decode()
    assert 'href="/notices/"' in html and 'href="/spot-checks/"' in html
    assert as_user(alice).get("/spot-checks/").status_code == 403


def test_stored_notice_pdf_downloads_and_is_audited(as_user, alice, in_notice):
    """A notice whose PDF the worker has stored: the stored bytes, audited per download."""
    notice = PublicNotice.objects.get(application=in_notice)
    content = b"%PDF-1.7 stored list"
    PublicNotice.objects.filter(pk=notice.pk).update(content=content, sha256=hashlib.sha256(content).hexdigest())
    response = as_user(alice).get(f"/notices/{notice.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content == content
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(event="enrolment.notice.downloaded", object_id=str(notice.pk),
                                     actor=alice).count() == 1


def test_unrendered_notice_pdf_is_rendered_on_demand(as_user, alice, in_notice):
    notice = PublicNotice.objects.get(application=in_notice)
    assert notice.sha256 == ""
    response = as_user(alice).get(f"/notices/{notice.pk}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    stored = PublicNotice.objects.get(pk=notice.pk)
    assert stored.sha256 == hashlib.sha256(response.content).hexdigest()
    assert AuditEvent.objects.filter(event="enrolment.notice.rendered", object_id=str(notice.pk)).exists()


def test_notice_export(as_user, alice, in_notice):
    response = as_user(alice).get("/notices/export.xlsx?program=dibao")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert "孙*田" in rows[1] and "990.00" in rows[1]
    assert not any(poor_couple_id in str(rows) for poor_couple_id in
                   [p.id_number for p in in_notice.household.members.all()])
    assert AuditEvent.objects.filter(event="enrolment.notices.exported", actor=alice).exists()


# --- 特困's spot checks ------------------------------------------------------------------------------

def test_county_reviewer_draws_spot_checks(as_user, alice, amy, hana, cora, carol, lone_man):
    case = _approved_tekun(alice, amy, hana, cora, carol, lone_man)
    assert case.status == "approved"
    period = timezone.localdate().strftime("%Y-%m")
    client = as_user(carol)
    page = client.get("/spot-checks/")
    assert page.status_code == 200 and 'name="period"' in page.content.decode()
    response = client.post("/spot-checks/", {"period": period, "county": "370811000000"})
    assert response.status_code == 302
    assert SpotCheck.objects.filter(application=case, period=period).exists()
    html = client.get(f"/spot-checks/?period={period}").content.decode()
    assert f'id="spot-check-{case.pk}"' in html and "王老汉" in html
    assert 'id="spot-check"' in client.get(f"/applications/{case.pk}/").content.decode()
    export = client.get(f"/spot-checks/export.xlsx?period={period}")
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and case.pk in rows[1]


def test_spot_checks_refused_and_scoped(as_user, alice, amy, hana, cora, carol, otto, sam, lone_man):
    case = _approved_tekun(alice, amy, hana, cora, carol, lone_man)
    period = timezone.localdate().strftime("%Y-%m")
    as_user(carol).post("/spot-checks/", {"period": period, "county": "370811000000"})
    assert as_user(alice).post("/spot-checks/", {"period": period, "county": "370811000000"}).status_code == 403
    # A supervisor views the list but does not draw.
    assert as_user(sam).post("/spot-checks/", {"period": period, "county": "370811000000"}).status_code == 403
    assert f"spot-check-{case.pk}" in as_user(sam).get("/spot-checks/").content.decode()
    # Another county's supervisor sees none of it, not even in the export.
    assert f"spot-check-{case.pk}" not in as_user(otto).get("/spot-checks/").content.decode()
    rows = list(load_workbook(io.BytesIO(as_user(otto).get("/spot-checks/export.xlsx").content)).active
                .iter_rows(values_only=True))
    assert len(rows) == 1
    bad = as_user(carol).post("/spot-checks/", {"period": "2026-13", "county": "370811000000"})
    assert bad.status_code == 400 and error_messages(bad.content.decode())


# --- Step pages ----------------------------------------------------------------------------------------

def test_step_pages_render_their_forms(as_user, alice, amy, hana, cora, carol, poor_couple, lone_man):
    case = open_case(alice, poor_couple)
    do(alice, case, "intake", complete=True)
    do(amy, case, "investigate", investigators=["alice", "amy"], findings="入户核实", family_signed=True)
    verify = open_task(case, "verify")
    html = as_user(cora).get(f"/tasks/{verify.subject_id}/").content.decode()
    assert html.count('type="radio"') == 16  # eight sources, two results each
    assert len(re.findall(r'class="field field-result_\w+"', html)) == 8
    do(cora, case, "verify", results=CLEAR)
    review = open_task(case, "township_review")
    html = as_user(hana).get(f"/tasks/{review.subject_id}/").content.decode()
    assert "990.00" in html and 'id="case-means"' in html
    # 特困's investigation: six tick boxes for the daily activities.
    tekun = open_case(alice, lone_man, program="tekun")
    do(alice, tekun, "intake", complete=True)
    investigate = open_task(tekun, "investigate")
    html = as_user(amy).get(f"/tasks/{investigate.subject_id}/").content.decode()
    assert len(re.findall(r'name="care_\w+"', html)) == 6
    # Not the township head's task at the county, nor an outsider's.
    assert as_user(carol).get(f"/tasks/{review.subject_id}/").status_code in (403, 404)


def test_applications_export_fills_the_enrolment_columns(as_user, alice, in_notice):
    """低保 and 特困 share their own columns in the applications workbook: one column each."""
    response = as_user(alice).get("/applications/export.xlsx")
    assert response.status_code == 200
    header, row = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert header.count("委托乡镇审核确认") == 1 and header.count("保障人数") == 1
    assert row[header.index("委托乡镇审核确认")] == "否"
    assert row[header.index("保障人数")] == "2"
    assert row[header.index("救助项目")] == "最低生活保障"

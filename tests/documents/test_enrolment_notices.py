"""The written documents of 低保 and 特困 enrolment, read back out of their PDFs: the posted
lists (公示 and 公布) hold the masked name, the people covered and the monthly amount and
never an ID number (not even masked), an address or a full name; the decision notice shows
the means test's arithmetic and the month payment starts; the rejection notice gives its
reasons and the appeal routes."""

from __future__ import annotations

import datetime
import re
import subprocess

import pytest
from django.utils import timezone

from assistance.models import Application
from documents import services as documents
from registry.models import Person
from tests.enrolment.conftest import _calendar, cora, do, open_case, poor_couple, walk_to_review  # noqa: F401
from tests.means.conftest import family, income, person, standards  # noqa: F401
from workflows.enrolment import notices
from workflows.enrolment.models import EnrolmentRule, NoticeKind, PublicNotice

from .conftest import pdf_text

pytestmark = pytest.mark.django_db

# An ID number in any form a list could leak it: 15 or 18 characters, or masked with stars.
ID_LIKE = re.compile(r"\d{15}|\d{17}[\dXx]|\d{3,6}\*{4,}|\*{4,}\d{2,4}")


def assert_no_personal_data(text: str, household):
    assert not ID_LIKE.search(text), ID_LIKE.search(text).group(0)
    for member in Person.objects.filter(household=household):
        assert member.id_number not in text
        assert member.masked_id not in text
        assert member.name not in text  # only the masked name
    assert household.address not in text
    assert "3组12号" not in text  # not even a part of it
    assert "身份证" not in text and "银行" not in text and "住址" not in text


def rows(content: bytes) -> list[list[str]]:
    """The PDF's lines as poppler lays them out, each split into its cells."""
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=bytes(content),
                         capture_output=True, check=True, timeout=30).stdout.decode("utf-8")
    return [line.split() for line in out.splitlines() if line.strip()]


def _end_notice(case):
    PublicNotice.objects.filter(application=case, kind=NoticeKind.FIRST_REVIEW).update(
        ends_at=timezone.now() - datetime.timedelta(minutes=1))


def _posted(case, kind) -> str:
    return pdf_text(_pdf(case, kind))


def _pdf(case, kind) -> bytes:
    notice = PublicNotice.objects.filter(application=case, kind=kind).order_by("-round").first()
    return bytes(notices.render(notice.pk).content)


@pytest.fixture
def recommended(alice, amy, hana, cora, poor_couple):  # noqa: F811
    case = open_case(alice, poor_couple)
    walk_to_review(case, alice, amy, cora)
    do(hana, case, "township_review", decision="recommend", reason="两位老人年老体弱，收入低于标准")
    return Application.objects.get(pk=case.pk)


@pytest.fixture
def approved(recommended, carol):
    _end_notice(recommended)
    do(carol, recommended, "county_confirm", decision="approve", reason="经审核确认，符合条件")
    return Application.objects.get(pk=recommended.pk)


def test_first_review_notice_holds_masked_name_size_and_amount_only(recommended, poor_couple):  # noqa: F811
    text = _posted(recommended, NoticeKind.FIRST_REVIEW)

    assert "最低生活保障审核确认公示" in text
    assert "孙*田" in text
    assert "保障人数" in text and "月保障金额（元）" in text
    assert ["1", "孙*田", "2", "990.00"] in rows(_pdf(recommended, NoticeKind.FIRST_REVIEW))  # one row
    today = timezone.localdate()
    end = today + datetime.timedelta(days=7)
    assert f"公示期：{today.year}年{today.month}月{today.day}日至{end.year}年{end.month}月{end.day}日" in text
    assert "西关社区" in text  # where it is posted
    assert "济阳街道办事处" in text and "任城区民政局" in text  # to whom objections go
    assert "异议" in text
    assert_no_personal_data(text, poor_couple)


def test_notice_pdf_is_archived_once_with_its_hash(recommended):
    notice = PublicNotice.objects.get(application=recommended, kind=NoticeKind.FIRST_REVIEW)
    first = notices.render(notice.pk)
    again = notices.render(notice.pk)
    import hashlib

    assert first.sha256 == again.sha256 == hashlib.sha256(bytes(first.content)).hexdigest()
    assert bytes(first.content).startswith(b"%PDF")


def test_a_county_masking_surnames_posts_the_surname_only(alice, amy, hana, cora, poor_couple):  # noqa: F811
    EnrolmentRule.objects.create(program="dibao", scope="370811", effective_from=datetime.date(2021, 1, 1),
                                 name_masking="surname")
    case = open_case(alice, poor_couple)
    walk_to_review(case, alice, amy, cora)
    do(hana, case, "township_review", decision="recommend")

    text = _posted(case, NoticeKind.FIRST_REVIEW)

    assert "孙**" in text and "孙*田" not in text
    assert_no_personal_data(text, poor_couple)


def test_a_second_notice_after_an_objection_says_it_is_the_second(recommended, alice, amy, hana, poor_couple):  # noqa: F811
    from workflows.enrolment.services import raise_objection

    raise_objection(alice, recommended.pk, text="反映其子女有赡养能力", raised_by="村民")
    do(amy, recommended, "reinvestigate", findings="子女均无固定收入，异议不成立", outcome="dismissed")
    do(hana, recommended, "township_review", decision="recommend")

    text = _posted(recommended, NoticeKind.FIRST_REVIEW)

    assert "第2次公示" in text
    assert "孙*田" in text
    assert_no_personal_data(text, poor_couple)


def test_approved_list_is_published_with_masked_name_size_and_amount(approved, poor_couple):  # noqa: F811
    text = _posted(approved, NoticeKind.APPROVED)

    assert "最低生活保障审核确认结果公布" in text
    assert ["1", "孙*田", "2", "990.00"] in rows(_pdf(approved, NoticeKind.APPROVED))
    paid_from = approved.dibao.paid_from
    assert f"自{paid_from.year}年{paid_from.month}月起按月发放" in text
    assert "任城区民政局" in text  # confirmed, and so published, by the county
    assert "公示期" not in text
    assert_no_personal_data(text, poor_couple)


def test_decision_notice_shows_the_means_test_and_when_payment_starts(approved):
    text = pdf_text(documents.generate(approved.pk, "decision_notice").content)

    assert "最低生活保障决定通知书" in text
    assert "给予最低生活保障" in text
    assert "保障人数2人" in text
    assert "¥990.00" in text and "玖佰玖拾元整" in text
    paid_from = approved.dibao.paid_from
    assert f"自{paid_from.year}年{paid_from.month}月起按月发放" in text
    # The arithmetic, line by line: the standard, each income, per capita, the amount.
    assert "家庭经济状况核算如下" in text
    assert "¥870.00" in text  # 任城区's rural standard
    assert "¥300.00" in text and "¥150.00" in text  # the pensions and the plot
    assert "¥750.00" in text  # counted income
    assert "¥375.00" in text  # per capita
    assert "家庭人均收入" in text
    assert "行政复议" in text and "行政诉讼" in text
    assert "任城区民政局" in text
    # The applicant's own notice names them, with the ID masked only.
    applicant = approved.applicant
    assert applicant.name in text and applicant.masked_id in text and applicant.id_number not in text
    assert "事由类别" not in text  # temporary assistance's field, not enrolment's


def test_rejection_notice_gives_reasons_and_appeal_routes(alice, amy, hana, cora, poor_couple):  # noqa: F811
    case = open_case(alice, poor_couple)
    walk_to_review(case, alice, amy, cora)
    reason = "经核对，申请人子女有稳定工资收入，具有赡养能力，家庭人均收入高于当地最低生活保障标准。"
    do(hana, case, "township_review", decision="reject", reason=reason)

    text = pdf_text(documents.generate(case.pk, "rejection_notice").content)

    assert "不予纳入最低生活保障通知书" in text
    assert "作出决定：不予纳入最低生活保障" in text
    assert "不予纳入最低生活保障的理由如下" in text
    assert reason in text
    assert "行政复议" in text and "行政诉讼" in text
    assert "60日内" in text and "6个月内" in text
    assert "任城区人民政府" in text and "人民法院" in text
    assert "《最低生活保障审核确认办法》" in text
    assert "济阳街道办事处" in text  # refused by the township at its review
    assert "不予救助" not in text  # temporary assistance's wording


def test_tekun_rejection_notice_names_its_program(alice, amy, hana, cora, regions, standards):  # noqa: F811
    household, _people = family(alice, [person("王德胜", "1948-02-11", "head")], village="370811001002",
                                registration="rural", address="西关村5组3号")
    income(alice, household, None, "pension", "200.00", "2024-01-01")
    case = open_case(alice, household, program="tekun")
    walk_to_review(case, alice, amy, cora, program="tekun")
    do(hana, case, "township_review", decision="reject", reason="有法定赡养义务人且具备赡养能力。")

    text = pdf_text(documents.generate(case.pk, "rejection_notice").content)

    assert "不予纳入特困人员救助供养通知书" in text
    assert "有法定赡养义务人且具备赡养能力。" in text
    assert "《特困人员认定办法》" in text
    assert "行政复议" in text and "行政诉讼" in text

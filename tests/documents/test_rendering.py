"""Each kind renders to a PDF whose text says what the law requires it to say."""

from __future__ import annotations

import time

import pytest

from documents import rendering, services
from documents.models import DocumentKind
from workflows.temporary.models import Status

from .conftest import REJECTION_REASON, pdf_pages, pdf_text


def _generate(application, kind, instalment=None):
    return services.generate(application.pk, kind, instalment_id=instalment.pk if instalment else None)


def assert_identifies_applicant(text: str, application):
    applicant = application.applicant
    assert applicant.name in text
    assert applicant.masked_id in text
    assert "*" * 8 in applicant.masked_id
    # The full number never leaves the registry on paper either.
    assert applicant.id_number not in text
    assert "济阳街道" in text  # the issuing township


def assert_amount_1200(text: str):
    assert "¥1,200.00" in text
    assert "壹仟贰佰元整" in text


def test_rejection_notice(rejected):
    text = pdf_text(_generate(rejected, DocumentKind.REJECTION_NOTICE).content)
    assert "不予救助通知书" in text
    assert_identifies_applicant(text, rejected)
    assert "东关社区3号楼2单元101" in text
    assert_amount_1200(text)  # the amount applied for
    assert REJECTION_REASON in text
    assert "2026年11月28日" in text  # the decision date
    assert "行政复议" in text and "行政诉讼" in text
    assert "60日内" in text and "6个月内" in text
    assert "任城区人民政府" in text and "人民法院" in text
    assert "《社会救助暂行办法》" in text
    assert "济阳街道办事处" in text  # decided by the township


def test_rejection_by_the_county_is_issued_by_the_county_bureau(make_application):
    application = make_application(Status.REJECTED, decision_level="county", amount_requested="5000.00")
    text = pdf_text(_generate(application, DocumentKind.REJECTION_NOTICE).content)
    assert "任城区民政局" in text
    assert "济宁市民政局" in text  # the higher civil-affairs department, for review
    assert "¥5,000.00" in text and "伍仟元整" in text


def test_decision_notice(approved):
    text = pdf_text(_generate(approved, DocumentKind.DECISION_NOTICE).content)
    assert "临时救助决定通知书" in text
    assert_identifies_applicant(text, approved)
    assert_amount_1200(text)
    assert "2026年11月28日" in text
    assert "行政复议" in text and "行政诉讼" in text


def test_approval_form(approved, alice, amy, hana):
    text = pdf_text(_generate(approved, DocumentKind.APPROVAL_FORM).content)
    assert "临时救助审批表" in text
    assert_identifies_applicant(text, approved)
    assert_amount_1200(text)
    assert "本月住院自付医疗费用八千余元" in text  # findings
    assert alice.display_name in text and amy.display_name in text  # investigators
    assert hana.display_name in text  # approver
    assert "乡镇（街道）直接审批" in text
    assert "张秀英" in text  # the household's members, masked
    assert "调查人签字" in text and "负责人签字" in text


def test_missing_documents_notice(make_application):
    missing = ["户口簿复印件", "医疗费用票据原件", "家庭收入情况声明"]
    application = make_application(Status.INCOMPLETE, missing_documents=missing)
    text = pdf_text(_generate(application, DocumentKind.MISSING_DOCUMENTS_NOTICE).content)
    assert "补正材料告知书" in text
    assert_identifies_applicant(text, application)
    assert_amount_1200(text)
    for item in missing:
        assert item in text
    assert "一次性告知" in text
    assert "共3项" in text


def test_disbursement_voucher(paid_instalment):
    application = paid_instalment.application
    text = pdf_text(_generate(application, DocumentKind.DISBURSEMENT_VOUCHER, paid_instalment).content)
    assert "临时救助金发放凭证" in text
    assert_identifies_applicant(text, application)
    assert_amount_1200(text)
    assert "第1次" in text
    assert "2026年11月30日" in text  # paid on
    assert "乡镇（街道）临时救助备用金" in text  # source
    assert "领款人" in text and "经办人" in text and "审核人" in text


def test_referral_letter(make_application):
    application = make_application(Status.REFERRED_OUT, local_registration=False,
                                   decision_reason="申请人无本地户籍，亦未持有本地居住证。")
    text = pdf_text(_generate(application, DocumentKind.REFERRAL_LETTER).content)
    assert "转介函" in text
    assert_identifies_applicant(text, application)
    assert "济宁市救助管理站" in text
    assert "申请人无本地户籍，亦未持有本地居住证。" in text


def test_the_pdf_is_chinese_whatever_the_requesting_language(approved):
    from django.utils import translation

    with translation.override("en"):
        text = pdf_text(_generate(approved, DocumentKind.DECISION_NOTICE).content)
    assert "临时救助" in text and "Temporary" not in text


def test_render_is_fast_because_harfbuzz_subsets_the_font(approved):
    """Without libharfbuzz-subset WeasyPrint falls back to fontTools and a page takes ~9 s."""
    assert rendering.harfbuzz_subset_available()
    context = rendering.build_context(DocumentKind.APPROVAL_FORM, approved)
    rendering.render_pdf(DocumentKind.APPROVAL_FORM, context)  # warm: fonts loaded once per process
    started = time.perf_counter()
    content = rendering.render_pdf(DocumentKind.APPROVAL_FORM, context)
    per_page = (time.perf_counter() - started) / pdf_pages(content)
    assert per_page < 2.0, f"{per_page:.2f} s per page"
    assert len(content) < 1_000_000  # subset, not the whole 20 MB font


@pytest.mark.parametrize("kind", [DocumentKind.DECISION_NOTICE, DocumentKind.REJECTION_NOTICE])
def test_the_notices_fit_on_paper(kind, make_application):
    status = Status.APPROVED if kind == DocumentKind.DECISION_NOTICE else Status.REJECTED
    content = _generate(make_application(status), kind).content
    assert pdf_pages(content) <= 2

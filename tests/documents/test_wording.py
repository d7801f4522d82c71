"""The printed forms read as written Chinese: no "。。" after free text that ends in its own
full stop, a place named once in an address, and the urgent payment called 先行救助 rather
than "第0次"."""

from __future__ import annotations

import datetime
from decimal import Decimal

from assistance.models import Instalment, InstalmentStatus
from documents import numerals, rendering, services
from documents.models import DocumentKind
from workflows.temporary.models import Status

from .conftest import PAID_AT, pdf_text


def test_free_text_ending_in_a_full_stop_gets_one_full_stop(make_application):
    application = make_application(Status.APPROVED, cause="老伴突发脑梗住院，自付医疗费用较高。")
    for kind in (DocumentKind.DECISION_NOTICE, DocumentKind.APPROVAL_FORM):
        html = rendering.render_html(kind, rendering.build_context(kind, application))
        assert "。。" not in html, kind
    html = rendering.render_html(DocumentKind.DECISION_NOTICE,
                                 rendering.build_context(DocumentKind.DECISION_NOTICE, application))
    assert "事由：老伴突发脑梗住院，自付医疗费用较高。经调查核实" in html
    rejected = make_application(Status.REJECTED, cause="孩子学费无力负担!")
    html = rendering.render_html(DocumentKind.REJECTION_NOTICE,
                                 rendering.build_context(DocumentKind.REJECTION_NOTICE, rejected))
    assert "。。" not in html and "事由：孩子学费无力负担。经调查核实" in html
    assert numerals.sentence("无力负担。") == "无力负担" and numerals.sentence(" 无力负担；") == "无力负担"


def test_the_address_names_the_community_once(approved):
    # The household's address was typed as "东关社区3号楼2单元101", in the village 东关社区.
    text = pdf_text(services.generate(approved.pk, DocumentKind.DECISION_NOTICE).content)
    assert "济宁市任城区济阳街道东关社区3号楼2单元101" in text
    assert "东关社区东关社区" not in text
    places = rendering.Places.of(approved)
    assert places.full_address("8号楼") == "济宁市任城区济阳街道东关社区8号楼"
    assert places.full_address("济阳街道东关社区8号楼") == "济宁市任城区济阳街道东关社区8号楼"
    assert places.full_address("济阳街道8号楼") == "济宁市任城区济阳街道8号楼"


def test_the_urgent_payment_is_called_by_its_name(make_application, alice):
    application = make_application(Status.PAID, amount_paid=Decimal("1200.00"))
    urgent = Instalment.objects.create(application=application, number=0, amount=Decimal("500.00"),
                                       due_on=PAID_AT.date(), status=InstalmentStatus.PAID, source="reserve_fund",
                                       paid_at=PAID_AT, paid_by=alice)
    Instalment.objects.create(application=application, number=1, amount=Decimal("700.00"),
                              due_on=datetime.date(2026, 12, 1), status=InstalmentStatus.PLANNED)
    voucher = services.generate(application.pk, DocumentKind.DISBURSEMENT_VOUCHER, instalment_id=urgent.pk)
    text = pdf_text(voucher.content)
    assert "先行救助" in text and "第0次" not in text
    assert voucher.display_filename.endswith("-先行救助.pdf")
    notice = pdf_text(services.generate(application.pk, DocumentKind.DECISION_NOTICE).content)
    assert "第0次" not in notice and "先行救助" in notice and "第1次" in notice

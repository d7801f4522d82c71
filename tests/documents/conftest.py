"""Cases in every state a document can be issued in, made directly (not through the flow):
these tests are about the documents, not about how a case reaches its state."""

from __future__ import annotations

import datetime
import re
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from assistance.models import Application, Instalment, InstalmentStatus
from workflows.temporary.models import Status, TemporaryDetails

SHANGHAI = ZoneInfo("Asia/Shanghai")
DECIDED_AT = datetime.datetime(2026, 11, 28, 10, 30, tzinfo=SHANGHAI)
PAID_AT = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)
REJECTION_REASON = "经入户调查和信息核对，申请人家庭人均收入高于当地上年度人均可支配收入，且未发生重大支出。"


@pytest.fixture
def make_application(household, alice, amy, hana):
    def make(status: str, **fields) -> Application:
        head = household.members.get(relation="head")
        values = {
            "household": household, "applicant": head, "region_code": household.region_id,
            "program": "temporary",
            "cause": "老伴住院治疗，自付医疗费用较高", "amount_requested": Decimal("1200.00"),
            "created_by": alice, "intake_by": alice, "status": status,
        }
        if status in (Status.APPROVED, Status.PAYING, Status.PAID, Status.FILED, Status.REJECTED):
            values.update(findings="入户调查：夫妻二人均为退休人员，本月住院自付医疗费用八千余元。",
                          recommended_amount=Decimal("1200.00"), decided_by=hana, decided_at=DECIDED_AT,
                          decision_level="township")
        if status in (Status.APPROVED, Status.PAYING, Status.PAID, Status.FILED):
            values.update(amount_approved=Decimal("1200.00"), decision_reason="符合支出型临时救助条件，同意救助。")
        if status == Status.REJECTED:
            values.update(decision_reason=REJECTION_REASON)
        own = {name: fields.pop(name) for name in ("kind", "cause_category", "local_registration", "new_cause")
               if name in fields}
        values.update(fields)
        application = Application.objects.create(**values)
        TemporaryDetails.objects.create(case=application, **{"kind": "expense", "cause_category": "major_illness",
                                                              **own})
        if application.findings:
            application.investigators.set([alice, amy])
        return application

    return make


@pytest.fixture
def approved(make_application):
    return make_application(Status.APPROVED)


@pytest.fixture
def rejected(make_application):
    return make_application(Status.REJECTED)


@pytest.fixture
def paid_instalment(make_application, alice):
    application = make_application(Status.PAID, amount_paid=Decimal("1200.00"))
    return Instalment.objects.create(application=application, number=1, amount=Decimal("1200.00"),
                                     due_on=PAID_AT.date(), status=InstalmentStatus.PAID, source="reserve_fund",
                                     paid_at=PAID_AT, paid_by=alice)


def pdf_text(content: bytes) -> str:
    """The PDF's text as poppler reads it, with line breaks and spaces taken out so that a
    phrase wrapped across lines still matches."""
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=bytes(content), capture_output=True,
                            check=True, timeout=30)
    return re.sub(r"\s+", "", result.stdout.decode("utf-8"))


def pdf_pages(content: bytes) -> int:
    result = subprocess.run(["pdfinfo", "-"], input=bytes(content), capture_output=True, check=True, timeout=30)
    return int(re.search(r"^Pages:\s+(\d+)", result.stdout.decode(), re.MULTILINE).group(1))

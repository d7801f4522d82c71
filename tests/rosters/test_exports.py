"""The rosters' files: the lines and the rosters list as Excel (directly, or as a job above
the inline limit), the bank file as Excel, the summary PDF, and the CPI command."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase
from pypdf import PdfReader

from audit.models import AuditEvent
from exports.models import ExportJob, JobStatus
from tests.conftest import make_staff
from tests.exports.helpers import sheet_rows
from web.roster_rows import roster_pdf
from workflows.rosters import services
from workflows.rosters.models import BankAccount, CpiReading, PriceSubsidyRule, Roster

from .conftest import COUNTY, MONTH

pytestmark = pytest.mark.django_db

TOTAL = sum(Decimal(600 + 50 * i) for i in range(10))  # 8,250.00


def make(user, month=MONTH, program="dibao"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        roster, _created = services.request_roster(user, county=COUNTY, program=program, month=month)
    return Roster.objects.get(pk=roster.pk)


@pytest.fixture
def draft(fiona, in_payment):
    return make(fiona)


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


class TestLinesToExcel:
    def test_the_lines_as_filtered_with_masked_accounts(self, as_user, fiona, draft, settings):
        settings.EXPORT_INLINE_MAX_ROWS = 5000
        response = as_user(fiona).get(f"/rosters/{draft.pk}/lines.xlsx")
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        rows = sheet_rows(response.content)
        assert len(rows) == 11
        header = rows[0]
        amount, account, applicant = 10, 13, 5
        assert len(header) == 19
        assert {row[0] for row in rows[1:]} == set(draft.lines.values_list("pk", flat=True))
        assert sum(Decimal(str(row[amount])) for row in rows[1:]) == TOTAL
        numbers = set(BankAccount.objects.values_list("account_number", flat=True))
        assert all(row[account].startswith("************") for row in rows[1:])
        assert not numbers & {row[account] for row in rows[1:]}
        assert {row[applicant] for row in rows[1:]} == {f"赵{i:03d}" for i in range(10)}
        assert {row[6] for row in rows[1:]} == {"济阳街道"}
        filtered = sheet_rows(as_user(fiona).get(f"/rosters/{draft.pk}/lines.xlsx", {"q": "赵003"}).content)
        assert [row[applicant] for row in filtered[1:]] == ["赵003"]
        assert AuditEvent.objects.filter(event="rosters.lines.exported").count() == 2

    def test_above_the_limit_a_job_writes_the_same_rows(self, as_user, fiona, draft, settings,
                                                        django_capture_on_commit_callbacks):
        client = as_user(fiona)
        inline = sheet_rows(client.get(f"/rosters/{draft.pk}/lines.xlsx", {"status": "pending"}).content)
        settings.EXPORT_INLINE_MAX_ROWS = 1
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(f"/rosters/{draft.pk}/lines.xlsx", {"status": "pending"})
        job = ExportJob.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
        job.refresh_from_db()
        assert job.status == JobStatus.DONE, job.error
        assert job.kind == "roster_lines" and job.params["roster"] == draft.pk
        download = client.get(f"/exports/{job.pk}/download/")
        assert download.status_code == 200
        assert sheet_rows(download.getvalue()) == inline

    def test_an_outsider_gets_404(self, as_user, draft, regions):
        outsider = make_staff("finance_c", ["county_finance"], "370812000000")
        assert as_user(outsider).get(f"/rosters/{draft.pk}/lines.xlsx").status_code == 404


class TestRostersToExcel:
    def test_the_rosters_list(self, as_user, fiona, draft):
        services.lock(fiona, draft)
        make(fiona, program="tekun")  # no 特困 case: an empty roster
        rows = sheet_rows(as_user(fiona).get("/rosters/export.xlsx").content)
        assert len(rows) == 3
        by_id = {row[0]: row for row in rows[1:]}
        locked = by_id[draft.pk]
        assert locked[1] == "任城区" and locked[4] == "2026-11" and locked[6] == 10
        assert Decimal(str(locked[7])) == TOTAL and locked[8] == 10  # ten lines to pay
        only_tekun = sheet_rows(as_user(fiona).get("/rosters/export.xlsx", {"program": "tekun"}).content)
        assert len(only_tekun) == 2 and only_tekun[1][6] == 0


class TestBankFileExcel:
    def test_the_bank_file_as_a_workbook_has_the_csv_rows(self, as_user, fiona, draft):
        services.lock(fiona, draft)
        response = as_user(fiona).get(f"/rosters/{draft.pk}/bank-file.xlsx")
        assert response.status_code == 200
        rows = sheet_rows(response.content)
        assert rows[0] == list(services.BANK_FILE_HEADER)
        expected = list(services.bank_rows(Roster.objects.get(pk=draft.pk)))
        assert [[str(v) for v in row] for row in rows[1:]] == [[str(v) for v in row] for row in expected]
        assert AuditEvent.objects.filter(event="rosters.bank_file.downloaded").exists()


class TestPdf:
    def test_the_summary_names_the_county_the_total_and_its_capitals(self, as_user, fiona, draft):
        response = as_user(fiona).get(f"/rosters/{draft.pk}/roster.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        assert "任城区" in text and "济阳街道" in text
        assert "8,250.00" in text and "捌仟贰佰伍拾元整" in text
        assert "赵003" in text  # ten lines: listed
        assert "************" in text
        assert not any(number in text for number in BankAccount.objects.values_list("account_number", flat=True))

    def test_a_big_roster_refers_to_the_bank_file(self, fiona, draft, monkeypatch):
        from web import roster_rows

        monkeypatch.setattr(roster_rows, "PDF_MAX_LINES", 5)
        text = pdf_text(roster_pdf(draft))
        assert "赵003" not in text and "捌仟贰佰伍拾元整" in text


class TestRecordCpi:
    def test_a_reading_at_the_trigger_requests_the_price_subsidy_rosters(self, fiona, in_payment, root):
        import datetime

        PriceSubsidyRule.objects.create(scope="3708", effective_from=datetime.date(2026, 1, 1),
                                        per_person=Decimal("30.00"))
        out = io.StringIO()
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("record_cpi", "--scope", "3708", "--month", "2026-11", "--cpi", "3.6", stdout=out)
        reading = CpiReading.objects.get()
        assert reading.triggered and reading.cpi_yoy == Decimal("3.60")
        subsidy = Roster.objects.get(program="price_subsidy", county_code=COUNTY)
        assert subsidy.status == "draft" and subsidy.line_count == 10
        assert subsidy.total == Decimal("600.00")  # ten couples, 30.00 a person
        assert "triggered" in out.getvalue()
        with pytest.raises(CommandError):
            call_command("record_cpi", "--scope", "3708", "--month", "2026-11", "--cpi", "3.6")
        with pytest.raises(CommandError):
            call_command("record_cpi", "--scope", "3708", "--month", "2026-13", "--cpi", "3.6")
        with pytest.raises(CommandError):
            call_command("record_cpi", "--scope", "3708", "--month", "2026-10", "--cpi", "abc")

    def test_below_the_trigger_no_roster(self, root, regions):
        import datetime

        PriceSubsidyRule.objects.create(scope="3708", effective_from=datetime.date(2026, 1, 1),
                                        per_person=Decimal("30.00"))
        call_command("record_cpi", "--scope", "3708", "--month", "2026-10", "--cpi", "2.1", "--food", "4.0",
                     stdout=io.StringIO())
        assert not CpiReading.objects.get().triggered and not Roster.objects.exists()


class TestAdmin:
    def test_a_reading_recorded_in_the_admin_goes_through_the_service(self, client, root, in_payment):
        import datetime

        PriceSubsidyRule.objects.create(scope="3708", effective_from=datetime.date(2026, 1, 1),
                                        per_person=Decimal("30.00"))
        client.force_login(root)
        assert client.get("/admin/rosters/cpireading/add/").status_code == 200
        assert client.get("/admin/rosters/pricesubsidyrule/").status_code == 200
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post("/admin/rosters/cpireading/add/", {"scope": "3708", "month": "2026-11-01",
                                                                       "cpi_yoy": "3.6", "food_yoy": ""})
        assert response.status_code == 302
        assert CpiReading.objects.get().triggered
        assert Roster.objects.filter(program="price_subsidy").count() == 2  # 任城区 and 兖州区
        assert AuditEvent.objects.filter(event="rosters.cpi.recorded").exists()


class TestDemo:
    def test_approved_cases_get_an_account_and_the_city_a_subsidy_rule(self, alice, households):
        from workflows.rosters.demo import seed_accounts

        from .conftest import enrolled

        cases = [enrolled(h, "700.00", by=alice, account=False) for h in households[:3]]
        assert seed_accounts("dibao") == 3
        assert seed_accounts("dibao") == 0  # safe to run again
        accounts = BankAccount.objects.filter(application__in=cases)
        assert accounts.count() == 3 and all(len(a.account_number) == 16 for a in accounts)
        rule = PriceSubsidyRule.objects.get()
        assert (rule.scope, rule.per_person) == ("3708", Decimal("30.00"))

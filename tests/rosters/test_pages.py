"""The roster pages: county finance's inbox, a roster, the lock's confirmation, the bank
file, the bank's results with the report of rejected rows, a failed payment issued again,
and the bank account on the case page."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from tests.conftest import make_staff
from workflows.rosters import services
from workflows.rosters.models import BankAccount, BankResultImport, LineStatus, Roster, RosterStatus

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


@pytest.fixture
def locked(fiona, draft):
    return services.lock(fiona, draft)


@pytest.fixture
def neighbour(regions):
    return make_staff("finance_c", ["county_finance"], "370812000000")


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


class TestInbox:
    def test_the_form_makes_a_roster_and_the_page_follows_its_generation(self, as_user, fiona, in_payment):
        client = as_user(fiona)
        html = page(client, "/rosters/")
        assert "发放花名册" in html and 'name="month"' in html and COUNTY in html
        response = client.post("/rosters/new/", {"county": COUNTY, "program": "dibao", "month": "2026-11"})
        roster = Roster.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/rosters/{roster.pk}/"
        # Generating (the worker has not run): the pages show progress and reload themselves.
        assert roster.status == RosterStatus.GENERATING
        html = page(client, "/rosters/")
        assert 'http-equiv="refresh"' in html and "<progress" in html
        assert 'http-equiv="refresh"' in page(client, f"/rosters/{roster.pk}/")
        services.generate(roster.pk)
        html = page(client, "/rosters/")
        assert 'http-equiv="refresh"' not in html
        assert "待锁定" in html and "8,250.00" in html
        # The same county, program and month again: the same roster.
        client.post("/rosters/new/", {"county": COUNTY, "program": "dibao", "month": "2026-11"})
        assert Roster.objects.count() == 1

    def test_bad_input_is_400_with_the_form(self, as_user, fiona, neighbour):
        client = as_user(fiona)
        response = client.post("/rosters/new/", {"county": COUNTY, "program": "dibao", "month": "2026-13"})
        assert response.status_code == 400 and not Roster.objects.exists()
        response = client.post("/rosters/new/", {"county": COUNTY, "program": "dibao", "month": "2031-01"})
        assert response.status_code == 400 and not Roster.objects.exists()
        response = as_user(neighbour).post("/rosters/new/", {"county": COUNTY, "program": "dibao",
                                                             "month": "2026-11"})
        assert response.status_code == 400 and not Roster.objects.exists()

    def test_locked_rosters_with_pending_lines_and_failed_lines_are_listed(self, as_user, fiona, locked):
        line = locked.lines.order_by("pk").first()
        services.import_results(fiona, locked, f"line,status,reason\n{line.pk},failed,户名不符\n".encode())
        html = page(as_user(fiona), "/rosters/")
        assert "待对账" in html and "户名不符" in html and f"/rosters/lines/{line.pk}/reissue/" in html

    def test_roles_and_regions(self, client, as_user, alice, otto, sam, draft):
        assert as_user(alice).get("/rosters/").status_code == 403
        assert page(as_user(sam), "/rosters/").count(f"/rosters/{draft.pk}/") >= 1
        assert 'id="make-roster"' not in page(as_user(sam), "/rosters/")  # a supervisor reads, never makes
        client.logout()
        html = page(as_user(otto), "/rosters/")
        assert f"/rosters/{draft.pk}/" not in html
        assert as_user(otto).get(f"/rosters/{draft.pk}/").status_code == 404

    def test_county_finance_home_counts_the_rosters_to_lock(self, as_user, fiona, sam, draft):
        def work(user):
            return {line.label: line for line in as_user(user).get("/").context["work"]}

        line = work(fiona)["待审核锁定的发放花名册"]
        assert line.count == 1 and line.url == "/rosters/"
        services.lock(fiona, draft)
        assert work(fiona)["待审核锁定的发放花名册"].count == 0
        assert "待审核锁定的发放花名册" not in work(sam)  # a supervisor reads rosters, never locks them

    def test_the_nav_has_the_entry_for_those_who_see_rosters(self, as_user, fiona, alice):
        assert 'href="/rosters/"' in page(as_user(fiona), "/")
        assert 'href="/rosters/"' not in page(as_user(alice), "/")


class TestRosterPage:
    def test_summary_by_township_lines_and_masked_accounts(self, as_user, fiona, draft):
        html = page(as_user(fiona), f"/rosters/{draft.pk}/")
        assert "济阳街道" in html and "8,250.00" in html and "捌仟贰佰伍拾元整" in html
        account = BankAccount.objects.first().account_number
        assert account not in html and "*" * 12 + account[-4:] in html
        assert f"/rosters/{draft.pk}/lock/" in html and f"/rosters/{draft.pk}/regenerate/" in html
        assert "bank-file.csv" not in html  # a draft is not sent to the bank

    def test_filters(self, as_user, fiona, draft):
        client = as_user(fiona)
        assert page(client, f"/rosters/{draft.pk}/?status=pending").count('class="line-pending"') == 10
        html = page(client, f"/rosters/{draft.pk}/?q=赵003")
        assert "赵003" in html and "赵004" not in html
        html = page(client, f"/rosters/{draft.pk}/?status=paid")
        assert "赵003" not in html
        page(client, f"/rosters/{draft.pk}/?status=nonsense&township=x")  # ignored, never a 500

    def test_regenerate(self, as_user, fiona, draft):
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = as_user(fiona).post(f"/rosters/{draft.pk}/regenerate/")
        assert response.status_code == 302
        assert Roster.objects.get(pk=draft.pk).status == RosterStatus.DRAFT

    def test_an_outsider_gets_404_everywhere(self, as_user, neighbour, draft):
        client = as_user(neighbour)
        for url in ("/", "lock/", "roster.pdf", "lines.xlsx", "bank-file.csv", "bank-file.xlsx"):
            assert client.get(f"/rosters/{draft.pk}/{url}".replace("//", "/")).status_code == 404, url
        for url in ("lock/", "regenerate/", "results/"):
            assert client.post(f"/rosters/{draft.pk}/{url}").status_code == 404, url
        assert Roster.objects.get(pk=draft.pk).status == RosterStatus.DRAFT

    def test_wrong_roles_are_403(self, as_user, sam, draft):
        client = as_user(sam)
        assert client.get(f"/rosters/{draft.pk}/").status_code == 200
        assert client.get(f"/rosters/{draft.pk}/lock/").status_code == 403
        assert client.post(f"/rosters/{draft.pk}/lock/").status_code == 403
        assert client.post(f"/rosters/{draft.pk}/regenerate/").status_code == 403
        assert client.get(f"/rosters/{draft.pk}/bank-file.csv").status_code == 403


class TestLock:
    def test_the_confirmation_shows_count_and_total_in_figures_and_capitals(self, as_user, fiona, draft):
        client = as_user(fiona)
        html = page(client, f"/rosters/{draft.pk}/lock/")
        assert 'id="lock-lines">10<' in html and "8,250.00" in html and "捌仟贰佰伍拾元整" in html
        # Not confirmed: nothing locked.
        response = client.post(f"/rosters/{draft.pk}/lock/", {"lines": 10, "total": "8250.00"})
        assert response.status_code == 400
        assert Roster.objects.get(pk=draft.pk).status == RosterStatus.DRAFT
        # Confirmed figures that are not the roster's any more: refused.
        response = client.post(f"/rosters/{draft.pk}/lock/", {"lines": 9, "total": "8250.00", "confirm": "on"})
        assert response.status_code == 409
        assert Roster.objects.get(pk=draft.pk).status == RosterStatus.DRAFT
        response = client.post(f"/rosters/{draft.pk}/lock/", {"lines": 10, "total": "8250.00", "confirm": "on"})
        assert response.status_code == 302
        roster = Roster.objects.get(pk=draft.pk)
        assert roster.status == RosterStatus.LOCKED and roster.locked_by == fiona
        # Locked: the confirmation sends back to the roster.
        assert client.get(f"/rosters/{draft.pk}/lock/").status_code == 302
        html = page(client, f"/rosters/{draft.pk}/")
        assert "bank-file.csv" in html and "bank-file.xlsx" in html and 'name="file"' in html


class TestBankFileAndResults:
    def test_the_bank_file_csv(self, as_user, fiona, draft):
        client = as_user(fiona)
        assert client.get(f"/rosters/{draft.pk}/bank-file.csv").status_code == 302  # a draft: not yet
        services.lock(fiona, draft)
        response = client.get(f"/rosters/{draft.pk}/bank-file.csv")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        assert rows[0] == list(services.BANK_FILE_HEADER) and len(rows) == 11

    def test_a_rejected_file_is_reported_row_by_row_and_nothing_applied(self, as_user, fiona, locked):
        lines = list(locked.lines.order_by("pk"))
        content = (f"line,status,bank_reference,reason\n{lines[0].pk},paid,B1,\n999999,paid,B2,\n"
                   f"{lines[1].pk},failed,,\n").encode()
        response = as_user(fiona).post(f"/rosters/{locked.pk}/results/",
                                       {"file": SimpleUploadedFile("回单.csv", content)})
        assert response.status_code == 400
        html = response.content.decode()
        assert 'id="rejected-report"' in html
        errors = BankResultImport.objects.get().errors
        assert [e["row"] for e in errors] == [3, 4]
        for error in errors:
            assert f'class="num">{error["row"]}</td>' in html
        assert set(locked.lines.values_list("status", flat=True)) == {LineStatus.PENDING}
        # The history keeps the rejected upload.
        assert "回单.csv" in page(as_user(fiona), f"/rosters/{locked.pk}/")

    def test_results_applied_then_a_failed_line_issued_again(self, as_user, alice, fiona, locked):
        lines = list(locked.lines.order_by("pk"))
        content = "line,status,bank_reference,reason\n" + "".join(
            f"{line.pk},paid,B{line.pk},\n" for line in lines[1:]) + f"{lines[0].pk},failed,,账号不存在\n"
        client = as_user(fiona)
        response = client.post(f"/rosters/{locked.pk}/results/", {"file": SimpleUploadedFile("r.csv", content.encode())})
        assert response.status_code == 302
        assert locked.lines.filter(status=LineStatus.PAID).count() == 9
        # Not corrected yet: refused with a message, the line stays failed.
        assert client.post(f"/rosters/lines/{lines[0].pk}/reissue/").status_code == 302
        assert locked.lines.get(pk=lines[0].pk).status == LineStatus.FAILED
        as_user(alice).post(f"/rosters/accounts/{lines[0].application_id}/",
                            {"holder": "赵000", "bank_name": "中国农业银行", "account_number": "6228480012345678"})
        client = as_user(fiona)
        assert client.post(f"/rosters/lines/{lines[0].pk}/reissue/").status_code == 302
        line = locked.lines.get(pk=lines[0].pk)
        assert (line.status, line.attempt, line.account_number) == (LineStatus.PENDING, 2, "6228480012345678")

    def test_no_file_is_400(self, as_user, fiona, locked):
        assert as_user(fiona).post(f"/rosters/{locked.pk}/results/", {}).status_code == 400


class TestCasePage:
    def test_the_case_page_shows_the_masked_account_and_the_payments(self, as_user, alice, fiona, locked,
                                                                       in_payment):
        case = in_payment[0]
        html = page(as_user(alice), f"/applications/{case.pk}/")
        account = BankAccount.objects.get(application=case).account_number
        assert 'id="bank-account"' in html and account not in html and account[-4:] in html
        assert 'id="roster-payments"' in html and "2026-11" in html
        assert f"/rosters/accounts/{case.pk}/" in html

    def test_recording_the_account(self, as_user, alice, bob, otto, in_payment):
        case = in_payment[0]
        response = as_user(alice).post(f"/rosters/accounts/{case.pk}/",
                                       {"holder": "赵000", "bank_name": "中国银行", "account_number": "12ab"})
        assert response.status_code == 400
        response = as_user(alice).post(f"/rosters/accounts/{case.pk}/",
                                       {"holder": "赵000", "bank_name": "中国银行",
                                        "account_number": "6217 0000 1111 2222"})
        assert response.status_code == 302
        assert BankAccount.objects.get(application=case).account_number == "6217000011112222"
        assert as_user(bob).post(f"/rosters/accounts/{case.pk}/", {"holder": "x", "bank_name": "y",
                                                                     "account_number": "12345678"}).status_code == 404
        assert as_user(otto).post(f"/rosters/accounts/{case.pk}/", {"holder": "x", "bank_name": "y",
                                                                      "account_number": "12345678"}).status_code == 403

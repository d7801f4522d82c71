"""The rosters' JSON API (API.md, "Version 1 additions"): status codes, fields, scope."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.conftest import make_staff
from workflows.rosters import services
from workflows.rosters.models import BankAccount, BankResultImport, LineStatus, Roster, RosterLine

from .conftest import COUNTY, MONTH

pytestmark = pytest.mark.django_db

BODY = {"county": COUNTY, "program": "dibao", "month": "2026-11"}


def client_for(user, language="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def post_roster(user, body=None):
    """POST the roster; its generation (queued on commit) runs, as a worker would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client_for(user).post("/api/v1/rosters/", body or BODY, format="json")


@pytest.fixture
def neighbour(regions):
    """County finance of 兖州区: an outsider to 任城区's rosters."""
    return make_staff("finance_c", ["county_finance"], "370812000000")


@pytest.fixture
def draft(fiona, in_payment):
    return Roster.objects.get(pk=post_roster(fiona).json()["id"])


@pytest.fixture
def locked(fiona, draft):
    return services.lock(fiona, draft)


def results_file(rows, name="results.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["line", "status", "bank_reference", "reason"])
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


class TestCreate:
    def test_a_new_roster_is_201_and_the_same_one_again_is_200(self, fiona, in_payment):
        first = post_roster(fiona)
        assert first.status_code == 201, first.content
        body = first.json()
        assert {"id", "county", "program", "month", "status", "lines", "total", "progress"} <= set(body)
        assert (body["county"], body["program"], body["month"]) == (COUNTY, "dibao", "2026-11")
        # Answered as the request commits: the worker has not run yet.
        assert body["status"] == "generating"
        again = post_roster(fiona)
        assert again.status_code == 200
        assert again.json()["id"] == body["id"]
        shown = client_for(fiona).get(f"/api/v1/rosters/{body['id']}/").json()
        assert shown["status"] == "draft"
        assert shown["lines"] == 10
        assert shown["total"] == f"{sum(Decimal(600 + 50 * i) for i in range(10)):.2f}"
        assert shown["progress"] == {"done": 10, "total": 10}
        assert Roster.objects.count() == 1

    @pytest.mark.parametrize("month", ["2026-13", "2026/11", "11-2026", "", "2026-1", "abc"])
    def test_a_bad_month_is_400_naming_it(self, fiona, month):
        response = client_for(fiona).post("/api/v1/rosters/", {**BODY, "month": month}, format="json")
        assert response.status_code == 400
        assert "month" in response.json()
        assert not Roster.objects.exists()

    def test_bad_program_and_county_are_400(self, fiona, neighbour):
        response = client_for(fiona).post("/api/v1/rosters/", {**BODY, "program": "wubao"}, format="json")
        assert response.status_code == 400 and "program" in response.json()
        response = client_for(neighbour).post("/api/v1/rosters/", BODY, format="json")
        assert response.status_code == 400 and "county" in response.json()
        assert not Roster.objects.exists()

    def test_price_subsidy_is_a_program_too(self, fiona, in_payment):
        response = post_roster(fiona, {**BODY, "program": "price_subsidy"})
        assert response.status_code == 201 and response.json()["program"] == "price_subsidy"

    def test_wrong_role_is_403(self, alice, otto):
        for user in (alice, otto):
            assert client_for(user).post("/api/v1/rosters/", BODY, format="json").status_code == 403
        assert not Roster.objects.exists()


class TestRead:
    def test_list_is_paginated_and_scoped(self, fiona, draft, neighbour, otto, sam):
        body = client_for(fiona).get("/api/v1/rosters/").json()
        assert body["count"] == 1 and body["results"][0]["id"] == draft.pk
        assert {"count", "next", "previous", "results"} <= set(body)
        assert client_for(sam).get("/api/v1/rosters/").json()["count"] == 1  # a supervisor of the county reads
        assert client_for(neighbour).get("/api/v1/rosters/").json()["count"] == 0
        assert client_for(otto).get("/api/v1/rosters/").json()["count"] == 0
        assert client_for(fiona).get("/api/v1/rosters/?month=2026-10").json()["count"] == 0
        assert client_for(fiona).get("/api/v1/rosters/?month=bad").status_code == 400

    def test_an_outsider_gets_404_for_every_route(self, draft, neighbour, otto):
        for user in (neighbour,):
            client = client_for(user)
            assert client.get(f"/api/v1/rosters/{draft.pk}/").status_code == 404
            assert client.get(f"/api/v1/rosters/{draft.pk}/lines/").status_code == 404
            assert client.post(f"/api/v1/rosters/{draft.pk}/lock/").status_code == 404
            assert client.get(f"/api/v1/rosters/{draft.pk}/bank-file/").status_code == 404
            line = draft.lines.first()
            assert client.post(f"/api/v1/roster-lines/{line.pk}/reissue/").status_code == 404
        assert client_for(otto).get(f"/api/v1/rosters/{draft.pk}/").status_code == 404
        assert Roster.objects.get(pk=draft.pk).status == "draft"

    def test_lines_are_paginated_with_masked_accounts(self, fiona, draft):
        client = client_for(fiona)
        body = client.get(f"/api/v1/rosters/{draft.pk}/lines/?page_size=4").json()
        assert body["count"] == 10 and len(body["results"]) == 4 and body["next"]
        line = body["results"][0]
        assert {"id", "application", "household", "amount", "status", "bank_reference", "attempt",
                "account"} <= set(line)
        stored = RosterLine.objects.get(pk=line["id"])
        assert line["account"] == "*" * 12 + stored.account_number[-4:]
        assert stored.account_number not in str(body)
        assert line["status"] == "pending" and line["amount"] == f"{stored.amount:.2f}"
        assert client.get(f"/api/v1/rosters/{draft.pk}/lines/?status=paid").json()["count"] == 0
        assert client.get(f"/api/v1/rosters/{draft.pk}/lines/?status=nonsense").status_code == 400

    def test_non_numeric_ids_are_404(self, fiona):
        assert client_for(fiona).get("/api/v1/rosters/abc/").status_code == 404


class TestLockAndBankFile:
    def test_lock_is_200_then_409(self, fiona, draft):
        client = client_for(fiona)
        response = client.post(f"/api/v1/rosters/{draft.pk}/lock/")
        assert response.status_code == 200 and response.json()["status"] == "locked"
        assert response.json()["locked_by"] == "fiona"
        again = client.post(f"/api/v1/rosters/{draft.pk}/lock/")
        assert again.status_code == 409 and again.json()["detail"]

    def test_only_county_finance_locks(self, sam, draft):
        assert client_for(sam).post(f"/api/v1/rosters/{draft.pk}/lock/").status_code == 403

    def test_the_bank_file_is_csv_with_a_header_once_locked(self, fiona, draft):
        client = client_for(fiona)
        assert client.get(f"/api/v1/rosters/{draft.pk}/bank-file/").status_code == 409
        services.lock(fiona, draft)
        response = client.get(f"/api/v1/rosters/{draft.pk}/bank-file/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == list(services.BANK_FILE_HEADER)
        assert len(rows) == 11
        assert {int(r[0]) for r in rows[1:]} == set(draft.lines.values_list("pk", flat=True))
        assert sum(Decimal(r[5]) for r in rows[1:]) == Roster.objects.get(pk=draft.pk).total

    def test_a_supervisor_does_not_download_account_numbers(self, sam, locked):
        assert client_for(sam).get(f"/api/v1/rosters/{locked.pk}/bank-file/").status_code == 403


class TestBankResults:
    def test_results_are_applied(self, fiona, locked):
        lines = list(locked.lines.order_by("pk"))
        rows = [[line.pk, "paid", f"B{line.pk}", ""] for line in lines[:8]]
        rows += [[lines[8].pk, "failed", "", "账户已销户"]]
        response = client_for(fiona).post(f"/api/v1/rosters/{locked.pk}/bank-results/",
                                          {"file": results_file(rows)}, format="multipart")
        assert response.status_code == 200, response.content
        assert (response.json()["paid"], response.json()["failed"], response.json()["unchanged"]) == (8, 1, 0)
        statuses = dict(locked.lines.values_list("pk", "status"))
        assert list(statuses.values()).count("paid") == 8
        assert statuses[lines[8].pk] == "failed" and statuses[lines[9].pk] == "pending"

    def test_one_bad_row_is_400_with_rows_and_nothing_applied(self, fiona, locked):
        lines = list(locked.lines.order_by("pk"))
        rows = [[lines[0].pk, "paid", "B1", ""], [999999, "paid", "B2", ""], [lines[1].pk, "maybe", "", ""],
                [lines[2].pk, "failed", "", ""]]
        response = client_for(fiona).post(f"/api/v1/rosters/{locked.pk}/bank-results/",
                                          {"file": results_file(rows)}, format="multipart")
        assert response.status_code == 400
        body = response.json()
        assert [r["row"] for r in body["rows"]] == [3, 4, 5]
        assert all(r["error"] for r in body["rows"])
        assert set(locked.lines.values_list("status", flat=True)) == {LineStatus.PENDING}
        assert BankResultImport.objects.get().status == "rejected"

    def test_a_draft_is_409_and_a_missing_file_400(self, fiona, draft):
        client = client_for(fiona)
        response = client.post(f"/api/v1/rosters/{draft.pk}/bank-results/",
                               {"file": results_file([[1, "paid", "B", ""]])}, format="multipart")
        assert response.status_code == 409
        services.lock(fiona, draft)
        assert client.post(f"/api/v1/rosters/{draft.pk}/bank-results/", {}, format="multipart").status_code == 400

    def test_a_binary_file_is_400_never_500(self, fiona, locked):
        upload = SimpleUploadedFile("x.csv", b"\x00\xff\xfe" * 100)
        response = client_for(fiona).post(f"/api/v1/rosters/{locked.pk}/bank-results/", {"file": upload},
                                          format="multipart")
        assert response.status_code == 400 and response.json()["rows"]

    def test_wrong_role_is_403(self, sam, alice, locked):
        for user in (sam, alice):
            response = client_for(user).post(f"/api/v1/rosters/{locked.pk}/bank-results/",
                                             {"file": results_file([])}, format="multipart")
            assert response.status_code == 403


class TestReissue:
    def test_a_failed_line_is_issued_again_once_its_account_is_corrected(self, fiona, alice, locked):
        line = locked.lines.order_by("pk").first()
        client = client_for(fiona)
        assert client.post(f"/api/v1/roster-lines/{line.pk}/reissue/").status_code == 409  # pending
        services.import_results(fiona, locked, f"line,status,reason\n{line.pk},failed,户名不符\n".encode())
        assert client.post(f"/api/v1/roster-lines/{line.pk}/reissue/").status_code == 409  # account unchanged
        put = client_for(alice).put(f"/api/v1/applications/{line.application_id}/bank-account/",
                                    {"holder": "赵000", "bank_name": "中国农业银行",
                                     "account_number": "6228 4800 1234 5678"}, format="json")
        assert put.status_code == 200, put.content
        response = client.post(f"/api/v1/roster-lines/{line.pk}/reissue/")
        assert response.status_code == 200
        body = response.json()
        assert (body["status"], body["attempt"], body["account"]) == ("pending", 2, "************5678")

    def test_wrong_role_is_403(self, alice, locked):
        line = locked.lines.first()
        assert client_for(alice).post(f"/api/v1/roster-lines/{line.pk}/reissue/").status_code == 403


class TestBankAccount:
    def test_read_masked_and_corrected(self, alice, fiona, in_payment):
        case = in_payment[0]
        url = f"/api/v1/applications/{case.pk}/bank-account/"
        body = client_for(fiona).get(url).json()
        number = BankAccount.objects.get(application=case).account_number
        assert body["account_number"] == "*" * (len(number) - 4) + number[-4:] and body["masked"] is True
        assert body["holder"] and body["bank_name"] == "济宁农商银行"
        response = client_for(fiona).put(url, {"holder": "赵000", "bank_name": "中国银行",
                                               "account_number": "62170000111122223333"}, format="json")
        assert response.status_code == 200
        assert response.json()["account_number"].endswith("3333") and "62170000" not in response.json()[
            "account_number"]
        assert BankAccount.objects.get(application=case).bank_name == "中国银行"

    def test_bad_input_is_400_and_reveal_needs_the_right(self, alice, fiona, in_payment):
        url = f"/api/v1/applications/{in_payment[0].pk}/bank-account/"
        response = client_for(alice).put(url, {"holder": "", "bank_name": "x", "account_number": "12ab"},
                                         format="json")
        assert response.status_code == 400 and "holder" in response.json()
        response = client_for(alice).put(url, {"holder": "赵", "bank_name": "x", "account_number": "12ab"},
                                         format="json")
        assert response.status_code == 400 and "account_number" in response.json()
        assert client_for(fiona).get(url + "?reveal=account").status_code == 403

    def test_outsiders_get_404_and_other_roles_403(self, bob, otto, in_payment, regions):
        url = f"/api/v1/applications/{in_payment[0].pk}/bank-account/"
        assert client_for(bob).get(url).status_code == 404  # a caseworker of the next township
        assert client_for(otto).get(url).status_code == 403  # a supervisor does not see accounts
        assert client_for(bob).put(url, {"holder": "a", "bank_name": "b", "account_number": "12345678"},
                                   format="json").status_code == 404


class TestPaymentsOfTheApplication:
    def test_roster_lines_are_payments_of_the_case_in_constant_queries(self, fiona, locked, in_payment):
        case = in_payment[0]
        line = RosterLine.objects.get(application=case)
        services.import_results(fiona, locked, f"line,status,bank_reference\n{line.pk},paid,B77\n".encode())
        client = client_for(fiona)
        payments = client.get(f"/api/v1/applications/{case.pk}/").json()["payments"]
        assert payments == [{"id": line.pk, "amount": f"{line.amount:.2f}", "source": "roster", "status": "paid",
                             "paid_at": payments[0]["paid_at"], "month": "2026-11", "roster": locked.pk,
                             "program": "dibao", "attempt": 1}]
        assert payments[0]["paid_at"]
        with CaptureQueriesContext(connection) as one:
            client.get(f"/api/v1/applications/{case.pk}/")
        # Two more months on rosters: the same number of queries.
        for month in ("2026-09", "2026-10"):
            roster = Roster.objects.get(pk=post_roster(fiona, {**BODY, "month": month}).json()["id"])
            assert roster.status == "draft"
        with CaptureQueriesContext(connection) as three:
            payments = client.get(f"/api/v1/applications/{case.pk}/").json()["payments"]
        assert [p["month"] for p in payments] == ["2026-09", "2026-10", "2026-11"]
        assert len(three.captured_queries) == len(one.captured_queries)


def test_the_schema_names_the_roster_routes(fiona):
    schema = client_for(fiona).get("/api/v1/schema/?format=json").json()
    for path in ("/api/v1/rosters/", "/api/v1/rosters/{id}/lines/", "/api/v1/rosters/{id}/bank-file/",
                 "/api/v1/rosters/{id}/bank-results/", "/api/v1/roster-lines/{id}/reissue/",
                 "/api/v1/applications/{id}/bank-account/"):
        assert path in schema["paths"], path


def test_month_constant_matches(fiona):
    assert MONTH.strftime("%Y-%m") == BODY["month"]

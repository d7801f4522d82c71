"""The application list's export: the writer (web.case_export.write_applications) read back
with openpyxl, its queries, which depend on the chunks and not on the rows, and the view,
which answers the file up to EXPORT_INLINE_MAX_ROWS and makes a job above it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from assistance.models import Application
from audit.models import AuditEvent
from deadlines.calendar_admin import load_year
from exports import kinds, services
from exports.models import ExportJob, JobStatus
from registry import services as registry
from registry.models import Person
from registry.synthetic import make_id_number
from tests.assistance.conftest import new_case
from tests.conftest import TOWNSHIP_A, VILLAGE_B1
from tests.deadlines.conftest import at
from tests.exports.helpers import back_link_filters, export_as_job, sheet_rows
from web.case_export import write_applications

pytestmark = pytest.mark.django_db

HEADER = ["Application no.", "Applicant", "ID number (masked)", "Village / community", "Program", "Status", "Kind",
          "Cause category", "Confirmation delegated", "People covered", "Paid from (month)", "Self-care",
          "Amount requested (yuan)", "Amount approved (yuan)", "Amount paid (yuan)", "Received at"]
OUTSIDE = "370812001000"


@pytest.fixture(autouse=True)
def _calendar_and_clock(db, time_machine):
    load_year(2026)
    time_machine.move_to(at(2026, 3, 16, 9), tick=False)


def cases(user, household, n) -> list[Application]:
    return [new_case(user, household, cause=f"第{i}次") for i in range(n)]


def _write(applications, path, **kwargs):
    with open(path, "wb") as out, translation.override("en"):
        rows = write_applications(applications, out, **kwargs)
    return rows, load_workbook(path).active


# --- The writer ---------------------------------------------------------------------------------------

def test_the_sheet_columns_masked_numbers_and_amounts(alice, household, tmp_path):
    first, second = cases(alice, household, 2)
    Application.objects.filter(pk=first.pk).update(amount_approved="1000.00", amount_paid="500.00")
    rows, sheet = _write(Application.objects.visible_to(alice), tmp_path / "applications.xlsx")
    assert rows == 2
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADER
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width == 22
    assert all(cell.font.bold for cell in sheet[1])
    # Newest first, as the list shows them.
    assert [row[0] for row in values[1:]] == [second.pk, first.pk]
    assert values[2][1:8] == ["王德明", "370811********0318", "东关社区", "Temporary assistance",
                              "Awaiting intake check", "Expense (unavoidable spending)", "Other"]
    assert [str(amount) for amount in values[2][12:15]] == ["1200", "1000", "500"]
    assert values[2][15] == "2026-03-16 09:00"
    assert sheet["M2"].number_format == "#,##0.00"
    assert values[1][13] is None  # nothing approved yet
    assert household.head.id_number not in "".join(str(value) for row in values for value in row)


@pytest.mark.parametrize("name", ["=1+1", "#N/A"])
def test_a_formula_looking_name_stays_text(alice, household, tmp_path, name):
    Person.objects.filter(pk=household.head.pk).update(name=name)
    cases(alice, household, 1)
    _rows, sheet = _write(Application.objects.all(), tmp_path / "applications.xlsx")
    assert sheet["B2"].value == name
    assert sheet["B2"].data_type == "s"


def test_keyset_chunks_write_every_application_once_with_progress(alice, bob, household, tmp_path):
    mine = cases(alice, household, 5)
    other = registry.register_household(bob, region=VILLAGE_B1, address="南苑村1号", registration="rural", members=[
        {"name": "孙", "relation": "head", "id_number": make_id_number("370811", at(1950, 1, 1).date(), 41)}])
    cases(bob, other, 2)
    calls = []
    rows, sheet = _write(Application.objects.visible_to(alice), tmp_path / "applications.xlsx", chunk=2,
                         progress=lambda done, total: calls.append((done, total)))
    assert rows == 5
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [a.pk for a in reversed(mine)]
    assert calls == [(2, 5), (4, 5), (5, 5)]


@pytest.mark.parametrize(("n", "chunk"), [(4, 2), (5, 2)])
def test_one_query_per_chunk_whatever_its_size(alice, household, tmp_path, n, chunk):
    cases(alice, household, n)
    with CaptureQueriesContext(connection) as queries:
        _write(Application.objects.all(), tmp_path / "applications.xlsx", chunk=chunk, total=n)
    # A full last chunk needs one more (empty) read to know it was the last.
    assert len(queries) == -(-n // chunk) + (1 if n % chunk == 0 else 0)
    assert "OFFSET" not in " ".join(q["sql"] for q in queries.captured_queries).upper()


def test_rows_are_not_model_instances(alice, household, tmp_path, monkeypatch):
    cases(alice, household, 2)

    def no_instances(*args, **kwargs):
        raise AssertionError("a model instance was built")

    for model in (Application, Person):
        monkeypatch.setattr(model, "from_db", classmethod(no_instances))
    assert _write(Application.objects.all(), tmp_path / "applications.xlsx")[0] == 2


def test_a_failed_write_leaves_no_temporary_file(alice, household, tmp_path):
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    cases(alice, household, 3)
    before = list(ALL_TEMP_FILES)

    def stop(done, total):
        raise RuntimeError("stop")

    with open(tmp_path / "applications.xlsx", "wb") as out, pytest.raises(RuntimeError):
        write_applications(Application.objects.all(), out, chunk=2, progress=stop)
    assert ALL_TEMP_FILES == before


# --- The view: the file, or a job -------------------------------------------------------------------

def test_up_to_the_limit_the_file_is_answered_and_audited(as_user, alice, household, settings):
    cases(alice, household, 2)
    settings.EXPORT_INLINE_MAX_ROWS = 2
    response = as_user(alice).get(reverse("application_export"), {"status": "open"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="applications-20260316-0900')
    assert "no-store" in response["Cache-Control"]
    assert len(sheet_rows(response.content)) == 3
    assert not ExportJob.objects.exists()
    event = AuditEvent.objects.get(event="assistance.applications.exported")
    assert event.extra == {"rows": 2, "status": "open", "region": "", "q": ""}


def test_above_the_limit_a_job_writes_the_same_rows(as_user, alice, bob, household, settings,
                                                    django_capture_on_commit_callbacks):
    cases(alice, household, 3)
    params = {"status": "open", "region": TOWNSHIP_A, "q": "王"}
    client = as_user(alice)
    inline = sheet_rows(client.get(reverse("application_export"), params).content)
    assert len(inline) == 4
    job, content = export_as_job(client, "application_export", params, settings, django_capture_on_commit_callbacks)
    assert sheet_rows(content) == inline
    assert job.kind == "applications" and job.params == params
    assert (job.rows_total, job.rows_done) == (3, 3)
    event = AuditEvent.objects.get(event="assistance.applications.exported", object_id=str(job.pk))
    assert event.extra == {"rows": 3, **params, "job": str(job.pk)}
    # The job's page leads back to the list with the same filters.
    assert back_link_filters(client, job, "application_list") == params


def test_an_outsider_gets_none_of_the_rows_and_not_the_job(as_user, alice, otto, household, settings,
                                                           django_capture_on_commit_callbacks):
    cases(alice, household, 2)
    job, _content = export_as_job(as_user(alice), "application_export", {}, settings,
                                  django_capture_on_commit_callbacks)
    client = as_user(otto)
    for name in ("export_job", "export_job_status", "export_job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    settings.EXPORT_INLINE_MAX_ROWS = 5000
    assert len(sheet_rows(client.get(reverse("application_export")).content)) == 1  # the header alone


def test_a_filter_outside_the_scope_is_refused(as_user, alice, household, settings):
    cases(alice, household, 2)
    settings.EXPORT_INLINE_MAX_ROWS = 1
    response = as_user(alice).get(reverse("application_export"), {"region": OUTSIDE})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("application_list"))
    assert not ExportJob.objects.exists()
    with pytest.raises(kinds.ExportRefused):
        services.request_export(alice, "applications", {"status": "", "region": OUTSIDE, "q": ""})
    assert not ExportJob.objects.exists()


def test_a_job_whose_filter_left_the_scope_fails_clearly(alice, household):
    cases(alice, household, 2)
    with translation.override("en"):
        job = services.request_export(alice, "applications", {"status": "", "region": TOWNSHIP_A, "q": ""})
    # As if the region had been given away since: the worker refuses rather than export all of hers.
    ExportJob.objects.filter(pk=job.pk).update(params={"status": "", "region": OUTSIDE, "q": ""})
    assert services.run(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.error.startswith("The filters of this export are not valid in your region: ")
    assert job.rows_done == 0 and not job.file_name


# Session, user, permissions (2), home region, the filter's region choices, count, rows,
# the audit row: the same at 3 rows and at 30.
EXPORT_QUERIES = 9


@pytest.mark.parametrize("n", [3, 30])
def test_the_export_costs_the_same_queries_at_any_size(as_user, alice, household, n, django_assert_max_num_queries):
    cases(alice, household, n)
    client = as_user(alice)
    with django_assert_max_num_queries(EXPORT_QUERIES):
        response = client.get(reverse("application_export"), {"status": "open"})
    assert len(sheet_rows(response.content)) == n + 1


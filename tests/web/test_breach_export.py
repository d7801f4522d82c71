"""The breach list's export: the writer (web.supervision_export.write_breaches) read back
with openpyxl, its queries, which depend on the chunks and not on the rows, and the view,
which answers the file up to EXPORT_INLINE_MAX_ROWS and makes a job above it; the job
writes the list as it stood when it was asked for.

Clocks are opened on households with an explicit due time, as in test_supervision; the
time is pinned at NOW.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from audit.models import AuditEvent
from deadlines import reports
from deadlines.models import Deadline
from deadlines.sweep import sweep
from exports import kinds, services
from exports.models import ExportJob, JobStatus
from staff.models import User
from tests.conftest import COUNTY, VILLAGE_A1, VILLAGE_B1, VILLAGE_C1
from tests.deadlines.conftest import at
from tests.exports.helpers import back_link_filters, export_as_job, sheet_rows
from web.supervision_export import write_breaches

from .test_supervision import NOW, calendar, make, spread  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

HEADER = ["Township", "Village / community", "Region code", "Flow", "Step", "Due", "Overdue (hours)", "Overdue by",
          "Escalation level", "Escalated to", "Provisional", "Assignee", "Case"]
OUTSIDE = "370812001000"


def _write(deadlines, path, **kwargs):
    with open(path, "wb") as out, translation.override("en"):
        rows = write_breaches(deadlines, out, now=NOW, **kwargs)
    return rows, load_workbook(path).active


def _same_due(n, due=None, **kwargs) -> list[Deadline]:
    return [make(VILLAGE_A1 if i % 2 else VILLAGE_B1, due or at(2026, 3, 6), **kwargs) for i in range(n)]


# --- The writer ---------------------------------------------------------------------------------------

def test_the_sheet_columns(sam, spread, tmp_path):  # noqa: F811
    sam.last_name, sam.first_name = "=石", "磊"  # a name Excel would take for a formula
    sam.save(update_fields=["last_name", "first_name"])
    Deadline.objects.filter(pk=spread["a"].pk).update(assignee=sam)
    sweep(NOW)  # 10.5 days past due: escalated to sam
    rows, sheet = _write(reports.breaches_by_age(sam, now=NOW), tmp_path / "breaches.xlsx")
    assert rows == 2
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADER
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["J"].width == 20
    a = spread["a"]
    assert values[1] == ["济阳街道", "东关社区", VILLAGE_A1, "Temporary assistance", "Home investigation",
                         at(2026, 3, 6).replace(tzinfo=None), 252, "10 days 12 hours", 2, "=石磊", "No", "=石磊",
                         f"Household {a.subject_id}"]
    assert sheet["J2"].data_type == "s" and sheet["F2"].number_format == "yyyy-mm-dd hh:mm"
    assert values[2][:3] == ["南苑街道", "南苑村", VILLAGE_B1]
    assert values[2][6:8] == [84, "3 days 12 hours"]


def test_keyset_chunks_on_due_time_then_number(sam, calendar, time_machine, tmp_path):  # noqa: F811
    time_machine.move_to(NOW, tick=False)
    late = _same_due(3, at(2026, 3, 10))
    early = _same_due(4)  # due earlier, numbered later: the due time comes first
    calls = []
    rows, sheet = _write(reports.breaches_by_age(sam, now=NOW), tmp_path / "breaches.xlsx", chunk=2,
                         progress=lambda done, total: calls.append((done, total)))
    assert rows == 7
    cases = [row[12] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert cases == [f"Household {d.subject_id}" for d in early + late]
    assert calls == [(2, 7), (4, 7), (6, 7), (7, 7)]


@pytest.mark.parametrize(("n", "chunk"), [(4, 2), (5, 2)])
def test_at_most_two_queries_per_chunk_whatever_its_size(sam, calendar, time_machine, tmp_path, n, chunk):  # noqa: F811
    time_machine.move_to(NOW, tick=False)
    _same_due(n, assignee=sam)
    sweep(NOW)  # escalated: each chunk also looks up the names of those escalated to
    _write(reports.breaches_by_age(sam, now=NOW), tmp_path / "warm.xlsx")  # content types
    with CaptureQueriesContext(connection) as queries:
        _write(reports.breaches_by_age(sam, now=NOW), tmp_path / "breaches.xlsx", chunk=chunk, total=n)
    chunks = -(-n // chunk)
    # Rows and names per chunk; a full last chunk needs one more (empty) read to know it was the last.
    assert len(queries) == 2 * chunks + (1 if n % chunk == 0 else 0)
    assert "OFFSET" not in " ".join(q["sql"] for q in queries.captured_queries).upper()


def test_rows_are_not_model_instances(sam, spread, tmp_path, monkeypatch):  # noqa: F811
    sweep(NOW)

    def no_instances(*args, **kwargs):
        raise AssertionError("a model instance was built")

    for model in (Deadline, User):
        monkeypatch.setattr(model, "from_db", classmethod(no_instances))
    assert _write(reports.breaches_by_age(sam, now=NOW), tmp_path / "breaches.xlsx")[0] == 2


# --- The view: the file, or a job -------------------------------------------------------------------

def test_above_the_limit_a_job_writes_the_same_rows(as_user, sam, spread, settings,  # noqa: F811
                                                    django_capture_on_commit_callbacks):
    sweep(NOW)
    client = as_user(sam)
    params = {"region": COUNTY, "step": "", "age": "3to7d"}
    make(VILLAGE_A1, at(2026, 3, 12), step="county_approve")  # 4.5 days overdue
    inline = sheet_rows(client.get(reverse("sla_breaches_export"), params).content)
    assert len(inline) == 3
    job, content = export_as_job(client, "sla_breaches_export", params, settings, django_capture_on_commit_callbacks)
    assert sheet_rows(content) == inline
    assert job.kind == "breaches"
    assert job.params == {**params, "as_of": job.params["as_of"]}
    assert datetime.datetime.fromisoformat(job.params["as_of"]) == NOW  # the moment the list was seen
    event = AuditEvent.objects.get(event="deadlines.breaches.exported", object_id=str(job.pk))
    assert event.extra == {"rows": 2, **job.params, "job": str(job.pk)}
    # Back to the list with its filters, not with the moment it was seen.
    assert back_link_filters(client, job, "sla_breaches") == {"region": COUNTY, "age": "3to7d"}


def test_the_job_writes_the_list_as_it_was_when_asked_for(as_user, sam, spread, settings, time_machine,  # noqa: F811
                                                          django_capture_on_commit_callbacks):
    client = as_user(sam)
    inline = sheet_rows(client.get(reverse("sla_breaches_export")).content)
    settings.EXPORT_INLINE_MAX_ROWS = 1
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert client.get(reverse("sla_breaches_export")).status_code == 302
    # The worker gets to it five days later: "later" (due 20 March) is overdue by then, and
    # the others are overdue by five days more.
    time_machine.move_to(NOW + datetime.timedelta(days=5), tick=False)
    for callback in queued:
        callback()
    job = ExportJob.objects.get()
    assert job.status == JobStatus.DONE
    rows = sheet_rows(job.path.read_bytes())
    assert rows == inline
    assert len(rows) == 3


def test_an_outsider_gets_none_of_the_rows_and_not_the_job(as_user, sam, otto, spread, settings,  # noqa: F811
                                                           django_capture_on_commit_callbacks):
    job, _content = export_as_job(as_user(sam), "sla_breaches_export", {}, settings, django_capture_on_commit_callbacks)
    client = as_user(otto)
    for name in ("export_job", "export_job_status", "export_job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    settings.EXPORT_INLINE_MAX_ROWS = 5000
    rows = sheet_rows(client.get(reverse("sla_breaches_export")).content)
    assert [row[2] for row in rows[1:]] == [VILLAGE_C1]  # his county's breach, none of sam's


def test_a_filter_outside_the_scope_is_refused(as_user, sam, spread, settings):  # noqa: F811
    settings.EXPORT_INLINE_MAX_ROWS = 1
    response = as_user(sam).get(reverse("sla_breaches_export"), {"region": OUTSIDE})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sla_breaches"))
    assert not ExportJob.objects.exists()
    with pytest.raises(kinds.ExportRefused):
        services.request_export(sam, "breaches", {"region": OUTSIDE, "step": "", "age": "", "as_of": NOW.isoformat()})
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("as_of", [None, "yesterday", "2026-03-16T12:00:00"])
def test_a_job_that_does_not_say_when_its_list_was_seen_is_refused(sam, spread, as_of):  # noqa: F811
    params = {"region": "", "step": "", "age": ""} | ({"as_of": as_of} if as_of else {})
    with translation.override("en"), pytest.raises(kinds.ExportRefused) as refused:
        services.request_export(sam, "breaches", params)
    assert refused.value.message == "This export does not say when its list was seen. Ask for it again."


# Session, user, permissions (2), home region, filter choices (2), count, rows, the
# escalation names, the audit row: the same at 3 rows and at 30.
EXPORT_QUERIES = 11


@pytest.mark.parametrize("n", [3, 30])
def test_the_export_costs_the_same_queries_at_any_size(as_user, sam, calendar, time_machine, n,  # noqa: F811
                                                       django_assert_max_num_queries):
    time_machine.move_to(NOW, tick=False)
    _same_due(n, assignee=sam)
    sweep(NOW)
    client = as_user(sam)
    client.get(reverse("sla_breaches_export"))  # warm-up: content types
    with django_assert_max_num_queries(EXPORT_QUERIES):
        response = client.get(reverse("sla_breaches_export"))
    assert len(sheet_rows(response.content)) == n + 1

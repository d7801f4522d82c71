"""The not-visited list's export: the writer (visits.export.write_not_visited) read back with
openpyxl, its queries, which depend on the chunks and not on the rows, and the view, which
answers the file up to EXPORT_INLINE_MAX_ROWS and makes a job above it; the job writes the
list as it stood when it was asked for."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from audit.models import AuditEvent
from exports import kinds, services
from exports.models import ExportJob, JobStatus
from registry.models import Person
from staff.models import User
from tests.exports.helpers import export_as_job, sheet_rows
from visits import coverage
from visits import services as visits
from visits.export import write_not_visited
from visits.models import VisitPlan

from .conftest import NOW, at, plan_of, resident
from .test_coverage import may  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

HEADER = ["Name", "ID number (masked)", "Village / community", "Region code", "Address", "Tier", "Visit every",
          "Last visited", "Days without a visit", "Paired cadre"]


def _write(plans, path, *, now=NOW, days=20, **kwargs):
    with open(path, "wb") as out, translation.override("en"):
        rows = write_not_visited(plans, out, now=now, days=days, **kwargs)
    return rows, load_workbook(path).active


@pytest.fixture
def unvisited(clock, alice):
    """``n`` more bedridden people of township A, planned 40 days ago and never visited since."""
    def make(n, *, start=0):
        clock.move_to(NOW - datetime.timedelta(days=40))
        people = [resident(alice, born=datetime.date(1935, 1, 1), conditions=["bedridden"], name=f"新{i:02d}")
                  for i in range(start, start + n)]
        visits.recompute_plans(Person.objects.filter(pk__in=[p.pk for p in people]), generate=False)
        clock.move_to(NOW)
        return people
    return make


# --- The writer ---------------------------------------------------------------------------------------

def test_the_sheet_columns_and_order(may, hana, alice, tmp_path):  # noqa: F811
    bing = may[2]
    visits.pair_household(hana, bing.household, alice)
    rows, sheet = _write(coverage.not_visited(hana, 20), tmp_path / "not-visited.xlsx")
    assert rows == 3
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADER
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width == 26
    # Never visited first, then the longest since the last visit.
    assert [row[0] for row in values[1:4]] == ["丙", "丁", "乙"]
    assert values[1] == ["丙", bing.masked_id, "东关社区", "370811001001", "东关社区9号", "High risk", "Weekly", None,
                         44, "李丽"]
    assert values[3][7] == at(2026, 5, 12, 9).replace(tzinfo=None) and values[3][8] == 29  # local time
    assert values[2][9] is None  # no paired cadre
    assert bing.id_number not in "".join(str(value) for row in values for value in row)
    assert values[-1] == ["More than 20 days without a visit"] + [None] * 9


def test_keyset_chunks_write_every_plan_once_with_progress(may, hana, tmp_path):  # noqa: F811
    # Ties on the last visit and on the start: the plan's number decides.
    plans = list(VisitPlan.objects.filter(active=True).order_by("pk"))
    VisitPlan.objects.filter(pk__in=[p.pk for p in plans[:3]]).update(last_visited_at=None, started_at=at(2026, 4, 1))
    VisitPlan.objects.filter(pk__in=[p.pk for p in plans[3:]]).update(last_visited_at=at(2026, 4, 2))
    calls = []
    rows, sheet = _write(coverage.not_visited(hana, 20), tmp_path / "not-visited.xlsx", chunk=1,
                         progress=lambda done, total: calls.append((done, total)))
    assert rows == 4  # 戊 is in township B
    names = [row[0] for row in sheet.iter_rows(min_row=2, max_row=5, values_only=True)]
    by_name = {p.person.name: p for p in VisitPlan.objects.filter(active=True).select_related("person")}
    assert names == sorted(names[:3], key=lambda name: by_name[name].pk) + [names[3]]
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


@pytest.mark.parametrize(("n", "chunk"), [(4, 2), (5, 2)])
def test_one_query_per_chunk_whatever_its_size(alice, unvisited, tmp_path, n, chunk):
    unvisited(n)
    with CaptureQueriesContext(connection) as queries:
        _write(coverage.not_visited(alice, 20), tmp_path / "not-visited.xlsx", chunk=chunk, total=n)
    # A full last chunk needs one more (empty) read to know it was the last.
    assert len(queries) == -(-n // chunk) + (1 if n % chunk == 0 else 0)
    assert "OFFSET" not in " ".join(q["sql"] for q in queries.captured_queries).upper()


def test_rows_are_not_model_instances(may, hana, alice, tmp_path, monkeypatch):  # noqa: F811
    visits.pair_household(hana, may[2].household, alice)

    def no_instances(*args, **kwargs):
        raise AssertionError("a model instance was built")

    for model in (VisitPlan, Person, User):
        monkeypatch.setattr(model, "from_db", classmethod(no_instances))
    assert _write(coverage.not_visited(hana, 20), tmp_path / "not-visited.xlsx")[0] == 3


def test_a_formula_looking_name_stays_text(may, hana, tmp_path):  # noqa: F811
    Person.objects.filter(pk=may[2].pk).update(name="=1+1")
    _rows, sheet = _write(coverage.not_visited(hana, 20), tmp_path / "not-visited.xlsx")
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"


# --- The view: the file, or a job -------------------------------------------------------------------

def test_above_the_limit_a_job_writes_the_same_rows(client, may, hana, settings,  # noqa: F811
                                                    django_capture_on_commit_callbacks):
    client.force_login(hana)
    params = {"days": 20, "tier": "high_risk"}
    response = client.get(reverse("visit_not_visited_export"), params)
    assert response["Content-Disposition"].startswith('attachment; filename="not-visited-')
    inline = sheet_rows(response.content)
    assert len(inline) == 1 + 3 + 2  # the header, three people, a blank line and what the list was
    job, content = export_as_job(client, "visit_not_visited_export", params, settings,
                                 django_capture_on_commit_callbacks)
    assert sheet_rows(content) == inline
    assert job.kind == "not_visited" and job.rows_done == 3
    assert job.params == {**params, "as_of": job.params["as_of"]}
    assert datetime.datetime.fromisoformat(job.params["as_of"]) == NOW
    event = AuditEvent.objects.get(event="visits.not_visited.exported", object_id=str(job.pk))
    assert event.extra == {"rows": 3, **job.params, "job": str(job.pk)}
    inline_event = AuditEvent.objects.filter(event="visits.not_visited.exported", object_id="").get()
    assert inline_event.extra["rows"] == 3 and inline_event.extra["days"] == 20


def test_the_job_writes_the_list_as_it_was_when_asked_for(client, may, hana, settings, clock,  # noqa: F811
                                                          django_capture_on_commit_callbacks):
    client.force_login(hana)
    params = {"days": 30}
    inline = sheet_rows(client.get(reverse("visit_not_visited_export"), params).content)
    settings.EXPORT_INLINE_MAX_ROWS = 1
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert client.get(reverse("visit_not_visited_export"), params).status_code == 302
    # The worker gets to it a week later: 乙 (seen 12 May) has crossed the 30 days by then,
    # and everyone has gone a week more without a visit.
    clock.move_to(NOW + datetime.timedelta(days=7))
    for callback in queued:
        callback()
    job = ExportJob.objects.get()
    assert job.status == JobStatus.DONE
    assert sheet_rows(job.path.read_bytes()) == inline
    assert len(inline) == 1 + 2 + 2


def test_an_outsider_gets_none_of_the_rows_and_not_the_job(client, may, hana, otto, settings,  # noqa: F811
                                                           django_capture_on_commit_callbacks):
    client.force_login(hana)
    job, _content = export_as_job(client, "visit_not_visited_export", {"days": 20}, settings,
                                  django_capture_on_commit_callbacks)
    client.force_login(otto)
    for name in ("export_job", "export_job_status", "export_job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    settings.EXPORT_INLINE_MAX_ROWS = 5000
    rows = sheet_rows(client.get(reverse("visit_not_visited_export"), {"days": 20}).content)
    assert len(rows) == 1 + 2  # the header and the line saying what the list was: none of hers


def test_filters_that_do_not_validate_are_refused(may, hana):  # noqa: F811
    # The list has no region filter (its region is the user's); its days and tier are checked again.
    for params in ({"days": 20, "tier": "no_such_tier"}, {"days": 0, "tier": ""}, {"tier": ""}):
        with translation.override("en"), pytest.raises(kinds.ExportRefused) as refused:
            services.request_export(hana, "not_visited", {**params, "as_of": NOW.isoformat()})
        assert refused.value.message.startswith("The filters of this export are not valid: "), params
    assert not ExportJob.objects.exists()


# Session, user, permissions (2), home region, count, rows, the audit row: the same at 3
# rows and at 30.
EXPORT_QUERIES = 8


@pytest.mark.parametrize("n", [3, 30])
def test_the_export_costs_the_same_queries_at_any_size(client, alice, hana, unvisited, n,
                                                       django_assert_max_num_queries):
    people = unvisited(n)
    visits.pair_household(hana, people[0].household, alice)
    assert plan_of(people[0]) is not None
    client.force_login(hana)
    with django_assert_max_num_queries(EXPORT_QUERIES):
        response = client.get(reverse("visit_not_visited_export"), {"days": 20})
    assert len(sheet_rows(response.content)) == n + 3

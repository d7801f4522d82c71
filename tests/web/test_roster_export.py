"""The household roster writer (web.export.write_households): the sheet read back with
openpyxl, and its queries, which depend on the chunks and not on the rows."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from registry import services
from registry.models import Household, Person
from registry.synthetic import make_id_number
from tests.conftest import VILLAGE_A1, VILLAGE_B1, register_households
from web.export import write_households

HEADER = ["户号", "户主", "身份证号（脱敏）", "村（社区）", "区划代码", "户籍性质", "家庭成员"]


def _write(households, path, **kwargs):
    with open(path, "wb") as out:
        rows = write_households(households, out, **kwargs)
    workbook = load_workbook(path)
    return rows, workbook.active


def _headless(region=VILLAGE_A1, *, members=0):
    """A household without a head (imported registers have them); with ``members`` other members."""
    household = Household.objects.create(region_id=region, address="无户主", registration="rural")
    for i in range(members):
        Person.objects.create(household=household, name=f"无户主{i}", relation="child", gender="female",
                              birth_date=datetime.date(2010, 1, 1),
                              id_number=make_id_number("370811", datetime.date(2010, 1, 1), 700 + i, female=True))
    return household


def test_the_sheet_columns_masked_numbers_and_member_counts(alice, household, tmp_path):
    register_households(alice, 2)
    headless = _headless(members=1)
    rows, sheet = _write(Household.objects.visible_to(alice), tmp_path / "roster.xlsx")
    assert rows == 4
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADER
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width == 22
    assert all(cell.font.bold for cell in sheet[1])
    # Newest first, as the list shows them.
    assert [row[0] for row in values[1:]] == sorted((row[0] for row in values[1:]), reverse=True)
    by_number = {row[0]: row for row in values[1:]}
    assert by_number[household.pk] == [household.pk, "王德明", "370811********0318", "东关社区", VILLAGE_A1, "城镇", 2]
    assert by_number[headless.pk] == [headless.pk, None, None, "东关社区", VILLAGE_A1, "农村", 1]
    for row in values[1:]:
        assert row[2] is None or "*" in row[2]
    text = "".join(str(value) for row in values for value in row)
    for number in ("370811193805120318", "37081119400302058X"):
        assert number not in text


def test_a_household_with_no_members_at_all(alice, tmp_path):
    empty = _headless()
    rows, sheet = _write(Household.objects.filter(pk=empty.pk), tmp_path / "roster.xlsx")
    assert rows == 1
    assert list(sheet.iter_rows(min_row=2, values_only=True))[0][-1] == 0


@pytest.mark.parametrize("name", ["=1+1", '=HYPERLINK("http://example.org","x")', "#N/A", "@SUM(A1)"])
def test_a_formula_looking_name_stays_text(alice, tmp_path, name):
    services.register_household(
        alice, region=VILLAGE_A1, address="x", registration="urban",
        members=[{"name": name, "relation": "head", "id_number": make_id_number("370811", datetime.date(1970, 1, 1), 11)}],
    )
    _rows, sheet = _write(Household.objects.all(), tmp_path / "roster.xlsx")
    cell = sheet["B2"]
    assert cell.value == name
    assert cell.data_type == "s"


def test_progress_is_reported_once_per_chunk(alice, tmp_path):
    register_households(alice, 5)
    calls = []
    rows, _sheet = _write(Household.objects.all(), tmp_path / "roster.xlsx", chunk=2,
                          progress=lambda done, total: calls.append((done, total)))
    assert rows == 5
    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_keyset_chunks_write_every_household_once(alice, bob, tmp_path):
    register_households(alice, 7)
    register_households(bob, 2, village=VILLAGE_B1, start=100)
    rows, sheet = _write(Household.objects.visible_to(alice), tmp_path / "roster.xlsx", chunk=3)
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows == 7
    assert numbers == sorted(Household.objects.visible_to(alice).values_list("pk", flat=True), reverse=True)


@pytest.mark.parametrize(("n", "chunk"), [(4, 2), (5, 2), (9, 3)])
def test_two_queries_per_chunk_whatever_its_size(alice, tmp_path, n, chunk):
    register_households(alice, n)
    with CaptureQueriesContext(connection) as queries:
        _write(Household.objects.all(), tmp_path / "roster.xlsx", chunk=chunk, total=n)
    # A full last chunk needs one more (empty) read to know it was the last.
    chunks = -(-n // chunk)
    assert len(queries) == 2 * chunks + (1 if n % chunk == 0 else 0)
    sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
    assert "OFFSET" not in sql


@pytest.mark.parametrize("n", [3, 30])
def test_the_export_view_costs_the_same_queries_at_any_size(as_user, alice, django_assert_max_num_queries, n):
    register_households(alice, n)
    client = as_user(alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("household_export"), {"q": "赵"})
    assert response.status_code == 200


def test_the_export_view_queries_do_not_grow_with_rows(as_user, alice):
    client = as_user(alice)
    register_households(alice, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("household_export"))
    register_households(alice, 27, start=3)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("household_export"))
    assert len(many) == len(few)


def test_rows_are_not_model_instances(alice, tmp_path, monkeypatch):
    """The writer reads plain values: building a Household would mean the old, slow path."""
    register_households(alice, 2)

    def no_instances(*args, **kwargs):
        raise AssertionError("a model instance was built")

    monkeypatch.setattr(Household, "from_db", classmethod(no_instances))
    monkeypatch.setattr(Person, "from_db", classmethod(no_instances))
    rows, _sheet = _write(Household.objects.visible_to(alice), tmp_path / "roster.xlsx")
    assert rows == 2


def test_the_default_chunk_is_read_at_call_time(alice, tmp_path, monkeypatch):
    register_households(alice, 3)
    monkeypatch.setattr(settings, "EXPORT_HOUSEHOLD_CHUNK_ROWS", 2)
    calls = []
    _write(Household.objects.all(), tmp_path / "roster.xlsx", progress=lambda done, total: calls.append(done))
    assert calls == [2, 3]


def test_a_failed_write_leaves_no_temporary_file(alice, tmp_path):
    """openpyxl streams rows into a temporary file that only save() removes: a failed export
    must remove it too, or a long-lived worker collects names and ID numbers in /tmp."""
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    register_households(alice, 3)
    before = list(ALL_TEMP_FILES)

    def stop(done, total):
        raise RuntimeError("stop")

    with open(tmp_path / "roster.xlsx", "wb") as out, pytest.raises(RuntimeError):
        write_households(Household.objects.all(), out, chunk=2, progress=stop)
    assert ALL_TEMP_FILES == before

"""Department lists: read from Excel or CSV, checked row by row, imported all or nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from core.errors import NotPermitted
from tests.conftest import VILLAGE_A1
from workflows.monitoring import lists
from workflows.monitoring.models import DepartmentEntry, ListImport

from .conftest import csv_file, medical, stranger_id

pytestmark = pytest.mark.django_db


def test_a_list_with_one_bad_row_imports_nothing(carol, household):
    wife = household.members.get(name="张秀英")
    report = medical(carol, [[wife.id_number, "张秀英", VILLAGE_A1, "38650.00"],
                             [stranger_id(5), "马桂兰", VILLAGE_A1, "4万"],          # not an amount
                             ["37081119400302058", "王某", VILLAGE_A1, "100.00"],   # 17 characters
                             [stranger_id(6), "牛大力", "370811999999", "100.00"]])  # no such village
    assert report.status == "rejected" and report.error_count == 3
    assert [e["row"] for e in report.errors] == [3, 4, 5]
    assert not DepartmentEntry.objects.exists()
    assert "370811" in report.errors[0]["id"] and "*" in report.errors[0]["id"]  # masked in the report


def test_a_good_list_is_matched_by_id_number(carol, household):
    head, wife = household.members.order_by("pk")
    # The husband's first-generation 15-digit card, as the department still holds it.
    report = medical(carol, [[wife.id_number, "张秀英", VILLAGE_A1, "38,650.00"],
                             ["370811380512031", "王德明", VILLAGE_A1, "1200"],
                             [stranger_id(7), "马桂兰", "370811001", "45000.00"],
                             [stranger_id(8), "外县人", "370812001001", "9000.00"]])  # another county: left out
    assert (report.status, report.rows, report.matched, report.unmatched, report.outside) == \
        ("imported", 4, 2, 1, 1)
    entries = {e.name: e for e in DepartmentEntry.objects.all()}
    assert entries["王德明"].person_id == head.pk and entries["张秀英"].household_id == household.pk
    assert entries["马桂兰"].person_id is None and entries["马桂兰"].region_code == "370811001000"
    assert str(entries["张秀英"].amount) == "38650.00"
    # The same file again is refused, nothing doubled.
    again = medical(carol, [[wife.id_number, "张秀英", VILLAGE_A1, "38,650.00"],
                            ["370811380512031", "王德明", VILLAGE_A1, "1200"],
                            [stranger_id(7), "马桂兰", "370811001", "45000.00"],
                            [stranger_id(8), "外县人", "370812001001", "9000.00"]])
    assert again.status == "rejected" and DepartmentEntry.objects.count() == 3


def test_an_excel_list_of_disability_grades(carol, household):
    book = Workbook()
    sheet = book.active
    sheet.append(["公民身份号码", "姓名", "行政区划代码", "残疾等级"])
    sheet.append(["37081119400302058X", "张秀英", 370811001001, "二级"])
    sheet.append([stranger_id(9), "马桂兰", "370811001001", 1])
    out = io.BytesIO()
    book.save(out)
    report = lists.import_list(carol, "disability", out.getvalue(), file_name="残联名单.xlsx")
    assert report.status == "imported", report.errors
    assert sorted(DepartmentEntry.objects.values_list("grade", flat=True)) == [1, 2]


def test_missing_columns_and_wrong_files_are_named(carol, regions):
    report = lists.import_list(carol, "death", csv_file(["身份证号", "姓名", "区划代码"], [[stranger_id(1), "甲", VILLAGE_A1]]))
    assert report.status == "rejected" and "死亡日期" in report.errors[0]["error"]
    report = lists.import_list(carol, "death", b"\x00\x01\x02binary", file_name="x.csv")
    assert report.status == "rejected"
    report = lists.import_list(carol, "medical", csv_file(["name"], [["甲"]]))
    assert report.status == "rejected" and "身份证号" in report.errors[0]["error"]


def test_only_county_staff_import(alice, sam, regions):
    for user in (alice, sam):
        with pytest.raises(NotPermitted):
            lists.import_list(user, "medical", csv_file(["身份证号", "姓名", "区划代码", "自付金额"], []))
    assert not ListImport.objects.exists()

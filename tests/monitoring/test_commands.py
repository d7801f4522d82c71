"""The two commands: importing a department's list from a file, and running the rules now."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import VILLAGE_A1
from workflows.monitoring.models import DepartmentEntry, EarlyWarning

from .conftest import csv_file, stranger_id

pytestmark = pytest.mark.django_db


def test_import_then_scan_from_the_command_line(tmp_path, carol, poor_couple):
    good = tmp_path / "医保名单.csv"
    good.write_bytes(csv_file(["身份证号", "姓名", "区划代码", "自付金额"], [[stranger_id(4), "马桂兰", VILLAGE_A1, "46800.00"]]))
    out = io.StringIO()
    call_command("import_department_list", str(good), department="medical", user="carol", stdout=out)
    assert "Imported 1 rows" in out.getvalue() and DepartmentEntry.objects.count() == 1
    out = io.StringIO()
    call_command("scan_warnings", region="370811", stdout=out)
    assert EarlyWarning.objects.filter(rule="not_registered").count() == 1
    assert EarlyWarning.objects.filter(rule="means_eligible", household=poor_couple).count() == 1
    call_command("scan_warnings", region="370811", stdout=io.StringIO())  # the next night: nothing twice
    assert EarlyWarning.objects.count() == 2


def test_a_bad_file_is_refused_by_the_command(tmp_path, carol, regions):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file(["身份证号", "姓名", "区划代码", "自付金额"], [["123", "甲", VILLAGE_A1, "1"]]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="Rejected: 1 row"):
        call_command("import_department_list", str(bad), department="medical", user="carol", stderr=err)
    assert "row 2" in err.getvalue() and not DepartmentEntry.objects.exists()
    with pytest.raises(CommandError):
        call_command("scan_warnings", region="37a")

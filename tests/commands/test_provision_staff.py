"""manage.py provision_staff: many accounts from a CSV file, all or nothing."""

from __future__ import annotations

import csv
import stat
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from staff.models import User
from staff.roles import Role
from tests.commands._login import can_log_in
from tests.conftest import COUNTY, COUNTY_2, TOWNSHIP_A, TOWNSHIP_B

HEADER = "username,name,roles,region,email,phone,password\n"


def provision(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("provision_staff", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path, body: str, header: str = HEADER):
    path = tmp_path / "staff.csv"
    path.write_text("\ufeff" + header + body, encoding="utf-8")
    return path


GOOD = (
    f"liuyang,刘洋,caseworker;township_head,{TOWNSHIP_A},liuyang@example.org,13800000001,Wei-Shan-Hu-1\n"
    f"chenjing,陈静,county_reviewer | supervisor,{COUNTY},,,\n"
    f"sunqiang,孙强,caseworker,{TOWNSHIP_B},,,\n"
)


def test_creates_accounts_and_writes_generated_passwords_privately(regions, tmp_path, client):
    passwords = tmp_path / "passwords.csv"

    out, _err = provision(write(tmp_path, GOOD), "--passwords-out", passwords)

    assert "created: 3, updated: 0, unchanged: 0" in out
    liuyang = User.objects.get(username="liuyang")
    assert liuyang.roles == {Role.CASEWORKER, Role.TOWNSHIP_HEAD}
    assert liuyang.region_id == TOWNSHIP_A and liuyang.display_name == "刘洋"
    assert User.objects.get(username="chenjing").roles == {Role.COUNTY_REVIEWER, Role.SUPERVISOR}
    assert can_log_in(client, "liuyang", "Wei-Shan-Hu-1")

    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600
    with passwords.open(encoding="utf-8") as fh:
        generated = {row["username"]: row["password"] for row in csv.DictReader(fh)}
    assert set(generated) == {"chenjing", "sunqiang"}  # liuyang's was given, not generated
    assert can_log_in(client, "sunqiang", generated["sunqiang"])
    assert generated["sunqiang"] not in out
    assert AuditEvent.objects.filter(event="staff.user.created").count() == 3


def test_without_a_passwords_file_the_generated_passwords_are_printed(regions, tmp_path, client):
    out, err = provision(write(tmp_path, GOOD))

    assert "hand them over privately" in err
    rows = {line.split(",")[0]: line.split(",")[1] for line in out.splitlines() if "," in line}
    assert can_log_in(client, "chenjing", rows["chenjing"])


def test_rerun_leaves_accounts_unchanged_and_updates_what_differs(regions, tmp_path):
    path = write(tmp_path, GOOD)
    provision(path)

    out, _err = provision(path)
    assert "created: 0, updated: 0, unchanged: 3" in out

    changed = GOOD.replace(f"sunqiang,孙强,caseworker,{TOWNSHIP_B}", f"sunqiang,孙强,supervisor,{COUNTY_2}")
    out, _err = provision(write(tmp_path, changed))
    assert "created: 0, updated: 1, unchanged: 2" in out
    assert User.objects.filter(username="sunqiang").count() == 1
    assert User.objects.get(username="sunqiang").roles == {Role.SUPERVISOR}


def test_one_bad_line_and_nothing_is_created(regions, tmp_path):
    passwords = tmp_path / "passwords.csv"
    body = GOOD + (
        f"zhoumin,周敏,janitor,{TOWNSHIP_A},,,\n"        # line 5: unknown role
        "wugang,吴刚,caseworker,370899001000,,,\n"       # line 6: unknown region
        f"liuyang,刘洋,caseworker,{TOWNSHIP_A},,,\n"     # line 7: repeats line 2
        f"zhengli,郑丽,,{TOWNSHIP_A},bad-mail,,\n"       # line 8: no role, bad e-mail
    )

    with pytest.raises(CommandError) as caught:
        provision(write(tmp_path, body), "--passwords-out", passwords)

    message = str(caught.value)
    assert "no account was created or changed" in message
    assert "Line 5: roles: Unknown role(s): janitor" in message
    assert "Line 6: region: There is no region with the code 370899001000." in message
    assert "Line 7: the username liuyang is also on line 2." in message
    assert "Line 8: roles: " in message and "Line 8: email: " in message
    assert not any(f"Line {n}:" in message for n in (2, 3, 4))
    assert not User.objects.exists()
    assert not AuditEvent.objects.exists()
    assert not passwords.exists()


def test_dry_run_checks_everything_and_writes_nothing(regions, tmp_path):
    out, _err = provision(write(tmp_path, GOOD), "--dry-run")

    assert "Would create 3" in out
    assert not User.objects.exists()


def test_optional_columns_may_be_left_out(regions, tmp_path):
    path = write(tmp_path, f"hanmei,caseworker,{TOWNSHIP_A}\n", header="username,roles,region\n")

    out, _err = provision(path)

    assert "created: 1" in out
    assert User.objects.get(username="hanmei").roles == {Role.CASEWORKER}


def test_a_misspelt_column_is_refused(regions, tmp_path):
    path = write(tmp_path, f"hanmei,caseworker,{TOWNSHIP_A}\n", header="username,role,region\n")

    with pytest.raises(CommandError, match="lacks the column"):
        provision(path)

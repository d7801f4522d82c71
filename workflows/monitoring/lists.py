"""Reading and importing the lists other departments share (数据比对).

A list comes as Excel (.xlsx) or CSV (UTF-8 or GB18030), with a header row naming its
columns in Chinese or English. Every row is checked — a valid ID number (an old 15-digit
one is upgraded), a name, where the person lives, and the list's own figure — and the
file is imported all or nothing: one rejected row and no entry is written, the report
names every rejected row. People outside the importer's region are left out and counted.

Entries are matched to the registry by ID number in chunks (one query per 2,000), and
written in bulk; the nightly scan (``scan``) reads them.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from core.errors import InvalidInput, NotPermitted
from core.scoping import user_code_range
from regions.models import Region
from registry.idnumber import mask, parse
from registry.models import Person

from .models import Department, DepartmentEntry, ImportStatus, ListImport

MAX_BYTES = 64 * 1024 * 1024
MAX_ERRORS_KEPT = 1000
CHUNK = 2000

# Column → the names a header may give it (compared without spaces, case-insensitive).
COLUMNS = {
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "id_number", "id"),
    "name": ("姓名", "name"),
    "region_code": ("区划代码", "行政区划代码", "region_code", "region"),
    "amount": ("自付金额", "个人自付", "amount"),
    "grade": ("残疾等级", "等级", "grade"),
    "on": ("日期", "登记日期", "死亡日期", "结算日期", "date", "on"),
}
# What each list must carry besides ID number, name and region.
REQUIRED = {
    Department.MEDICAL: ("amount",),
    Department.DISABILITY: ("grade",),
    Department.UNEMPLOYMENT: ("on",),
    Department.DEATH: ("on",),
}
_GRADES = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DATE = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$")


@dataclass
class Row:
    number: int
    values: dict


def _norm(header) -> str:
    return re.sub(r"\s+", "", str(header or "")).lower()


def _columns(headers: list) -> dict[str, int]:
    found = {}
    for index, header in enumerate(headers):
        name = _norm(header)
        for column, aliases in COLUMNS.items():
            if column not in found and name in {a.lower() for a in aliases}:
                found[column] = index
    return found


def _cell(value) -> object:
    if isinstance(value, str):
        return value.strip()
    return value


def _read_xlsx(content: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the same answer to the user
        return None
    sheet = book.worksheets[0]
    return ([_cell(v) for v in row] for row in sheet.iter_rows(values_only=True))


def _read_csv(content: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    if "\x00" in text:
        return None
    return ([_cell(v) for v in row] for row in csv.reader(io.StringIO(text)))


# The name a list's own column is asked for by, per department.
OWN_COLUMN = {Department.MEDICAL: "自付金额", Department.DISABILITY: "残疾等级", Department.UNEMPLOYMENT: "登记日期",
              Department.DEATH: "死亡日期"}


def read(content: bytes, file_name: str, department: str = "") -> tuple[list[Row], list[dict]]:
    """The file's rows as {column: raw value}, and the errors that stop it being read at all."""
    xlsx = content[:2] == b"PK" or file_name.lower().endswith(".xlsx")
    rows_iter = _read_xlsx(content) if xlsx else _read_csv(content)
    if rows_iter is None:
        return [], [{"row": 0, "error": _("The file is neither an Excel workbook (.xlsx) nor a CSV text file.")}]
    try:
        headers = next(rows_iter, None)
        if headers is None:
            return [], [{"row": 1, "error": _("The file has no rows.")}]
        columns = _columns(headers)
        missing = [COLUMNS[c][0] for c in ("id_number", "name", "region_code") if c not in columns]
        missing += [OWN_COLUMN[department] for c in REQUIRED.get(department, ()) if c not in columns]
        if missing:
            return [], [{"row": 1, "error": _("Missing column(s): %(columns)s.") % {"columns": "、".join(missing)}}]
        rows = []
        for number, raw in enumerate(rows_iter, 2):
            if not any(v not in (None, "") for v in raw):
                continue  # a blank line
            rows.append(Row(number, {c: raw[i] if i < len(raw) else None for c, i in columns.items()}))
    except csv.Error as exc:
        return [], [{"row": 0, "error": _("Unreadable CSV: %(error)s") % {"error": exc}}]
    if not rows:
        return [], [{"row": 2, "error": _("The file has no rows.")}]
    return rows, []


def _amount(value) -> Decimal:
    text = str(value).replace(",", "").replace("，", "").replace("元", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("The out-of-pocket cost is not an amount in yuan.")) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("100000000"):
        raise ValueError(_("The out-of-pocket cost is not an amount in yuan."))
    return amount.quantize(Decimal("0.01"))


def _grade(value) -> int:
    text = str(value).strip().replace("级", "")
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    grade = _GRADES.get(text)
    if grade is None:
        raise ValueError(_("The disability grade must be 1 to 4."))
    return grade


def _date(value, today: datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        match = _DATE.match(str(value or "").strip())
        if not match:
            raise ValueError(_("The date is not a date (e.g. 2026-11-30)."))
        try:
            day = datetime.date(*(int(g) for g in match.groups()))
        except ValueError:
            raise ValueError(_("The date is not a date (e.g. 2026-11-30).")) from None
    if day > today:
        raise ValueError(_("The date is in the future."))
    return day


def _check_permission(actor) -> None:
    if not actor.has_perm("monitoring.import_list"):
        raise NotPermitted(_("Only county staff import other departments' lists."))


def import_list(actor, department: str, content: bytes, *, file_name: str = "", as_of: datetime.date | None = None,
                request=None) -> ListImport:
    """Check every row of a department's list and import it all, or nothing (the returned
    import is then ``rejected`` with its report). The same file is imported once per region."""
    _check_permission(actor)
    if department not in Department.values:
        raise InvalidInput({"department": [_("Choose which department's list this is.")]})
    if len(content) > MAX_BYTES:
        raise InvalidInput({"file": [_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // 2**20}]})
    scope = user_code_range(actor)
    if scope is None:
        raise NotPermitted(_("Your account has no region."))
    today = timezone.localdate()
    as_of = as_of or today
    digest = hashlib.sha256(content).hexdigest()
    rows, errors = read(content, file_name or "", department)
    entries, outside = _check_rows(rows, department, scope, today, errors)
    report = ListImport(department=department, region_code=_region_of(actor), file_name=(file_name or "")[:200],
                        sha256=digest, as_of=as_of, rows=len(rows), uploaded_by=actor)
    with transaction.atomic():
        already = ListImport.objects.filter(region_code=report.region_code, sha256=digest,
                                            status=ImportStatus.IMPORTED).first()
        if already is not None and not errors:
            errors.append({"row": 0, "error": _("This file was imported on %(date)s.") % {
                "date": timezone.localtime(already.uploaded_at).strftime("%Y-%m-%d %H:%M")}})
        if errors:
            report.status, report.errors, report.error_count = (ImportStatus.REJECTED, errors[:MAX_ERRORS_KEPT],
                                                                len(errors))
            report.save()
            audit.record("monitoring.list.rejected", actor=actor, obj=report, region_code=report.region_code,
                         extra={"department": department, "rows": len(rows), "errors": len(errors),
                                "sha256": digest}, request=request)
            return report
        report.status, report.outside = ImportStatus.IMPORTED, outside
        report.save()
        matched = _write(report, department, entries)
        report.matched, report.unmatched = matched, len(entries) - matched
        ListImport.objects.filter(pk=report.pk).update(matched=report.matched, unmatched=report.unmatched)
        audit.record("monitoring.list.imported", actor=actor, obj=report, region_code=report.region_code,
                     extra={"department": department, "rows": len(rows), "matched": report.matched,
                            "unmatched": report.unmatched, "outside": outside, "sha256": digest}, request=request)
    return report


def _region_of(actor) -> str:
    """The importer's home region code (an administrator without one imports for the whole tree)."""
    return actor.region_id or ""


def _in(code: str, scope: tuple[str, str]) -> bool:
    return scope[0] <= code <= scope[1]


def _check_rows(rows: list[Row], department: str, scope, today, errors: list) -> tuple[list[dict], int]:
    """The entries the rows make (before matching), the number left out as outside the
    region; every problem is appended to ``errors`` as {row, id, error}."""
    needs = REQUIRED[department]
    known = set(Region.objects.filter(level__in=("township", "village"), code__gte=scope[0], code__lte=scope[1])
                .values_list("code", flat=True)) if rows else set()
    numbers = [_id_number(row.values.get("id_number")) for row in rows]  # each checked once
    people = _people({n for n in numbers if not isinstance(n, ValidationError)})
    seen: set[str] = set()
    entries, outside = [], 0
    for row, number in zip(rows, numbers, strict=True):
        v = row.values
        raw_id = str(v.get("id_number") or "")
        shown = mask(raw_id.strip()) if len(raw_id.strip()) >= 15 else raw_id.strip()[:4] + "…"
        try:
            if isinstance(number, ValidationError):
                raise ValueError(number.messages[0])
            if number in seen:
                raise ValueError(_("The same ID number is on the list twice."))
            seen.add(number)
            name = str(v.get("name") or "").strip()
            if not name or len(name) > 50:
                raise ValueError(_("The name is missing (or longer than 50 characters)."))
            code = re.sub(r"\s+", "", str(v.get("region_code") or ""))
            if code.endswith(".0"):
                code = code[:-2]  # a number Excel kept as a float
            if code.isdigit() and len(code) == 9:
                code += "000"  # a township's significant digits: its 12-digit code
            match = people.get(number)
            if match is not None:
                code = match[2]
            elif not _in_any_level(code):
                raise ValueError(_("The region code must be a township's (9 digits) or a village's (12 digits)."))
            if not _in(code, scope):
                outside += 1
                continue
            if match is None and code not in known:
                raise ValueError(_("No township or village has the code %(code)s.") % {"code": code})
            entry = {"id_number": number, "name": name, "region_code": code,
                     "person_id": match[0] if match else None, "household_id": match[1] if match else None,
                     "amount": None, "grade": None, "on": None}
            for column in needs:
                if v.get(column) in (None, ""):
                    raise ValueError(_("The column %(column)s is empty.") % {"column": OWN_COLUMN[department]})
            if v.get("amount") not in (None, ""):
                entry["amount"] = _amount(v["amount"])
            if v.get("grade") not in (None, ""):
                entry["grade"] = _grade(v["grade"])
            if v.get("on") not in (None, ""):
                entry["on"] = _date(v["on"], today)
            entries.append(entry)
        except ValueError as exc:
            errors.append({"row": row.number, "id": shown, "error": str(exc)})
    return entries, outside


def _in_any_level(code: str) -> bool:
    return code.isdigit() and len(code) == 12


def _id_number(raw) -> str | ValidationError:
    """The row's ID number, normalised (an old 15-digit one upgraded), or why it is not one."""
    try:
        return parse(str(raw or "")).number
    except ValidationError as exc:
        return exc


def _people(numbers: set[str]) -> dict[str, tuple[int, int, str]]:
    """ID number → (person, household, village code) of the registered among ``numbers``."""
    found: dict[str, tuple[int, int, str]] = {}
    iterator = iter(sorted(numbers))
    while chunk := list(islice(iterator, CHUNK)):
        for number, pk, household_id, code in (Person.objects.filter(id_number__in=chunk).order_by()
                                               .values_list("id_number", "pk", "household_id",
                                                            "household__region__code")):
            found[number] = (pk, household_id, code)
    return found


def _write(report: ListImport, department: str, entries: list[dict]) -> int:
    objects = (DepartmentEntry(list_import=report, department=department, **entry) for entry in entries)
    iterator = iter(objects)
    while chunk := list(islice(iterator, CHUNK)):
        DepartmentEntry.objects.bulk_create(chunk)
    return sum(1 for e in entries if e["person_id"] is not None)

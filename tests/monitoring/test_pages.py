"""The early-warning pages as their users use them: the caseworker's queue and the
follow-up form, county staff's list upload with its report, the supervisor's figures,
and outsiders."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import VILLAGE_A1
from workflows.monitoring.models import DepartmentEntry, EarlyWarning, ListImport, Rule

from .conftest import csv_file, scan, stranger_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def warning(poor_couple):
    scan(rule=Rule.MEANS_ELIGIBLE)
    return EarlyWarning.objects.get(household=poor_couple)


def test_the_caseworker_follows_a_warning_up_on_its_page(client, alice, warning):
    client.force_login(alice)
    page = client.get("/warnings/")
    assert page.status_code == 200 and f"/warnings/{warning.pk}/" in page.content.decode()
    detail = client.get(f"/warnings/{warning.pk}/")
    assert "375.00" in detail.content.decode() and 'name="outcome"' in detail.content.decode()
    refused = client.post(f"/warnings/{warning.pk}/", {"outcome": "no_action", "note": ""})
    assert refused.status_code == 400 and EarlyWarning.objects.get(pk=warning.pk).status == "open"
    done = client.post(f"/warnings/{warning.pk}/", {"outcome": "no_action", "note": "子女每月赡养一千元"})
    assert done.status_code == 302
    assert EarlyWarning.objects.get(pk=warning.pk).status == "done"
    assert f"/warnings/{warning.pk}/" not in client.get("/warnings/").content.decode()
    assert f"/warnings/{warning.pk}/" in client.get("/warnings/?show=done").content.decode()


def test_outsiders_get_404_and_other_roles_may_only_read(client, bob, hana, warning):
    client.force_login(bob)  # township B's caseworker
    assert client.get(f"/warnings/{warning.pk}/").status_code == 404
    assert f"/warnings/{warning.pk}/" not in client.get("/warnings/").content.decode()
    client.force_login(hana)  # township A's head: sees it, may not record the follow-up
    assert client.get(f"/warnings/{warning.pk}/").status_code == 200
    assert client.post(f"/warnings/{warning.pk}/", {"outcome": "no_action", "note": "无需"}).status_code == 403


def test_a_list_upload_with_a_bad_row_shows_its_report(client, carol, household):
    wife = household.members.get(name="张秀英")
    client.force_login(carol)
    content = csv_file(["身份证号", "姓名", "区划代码", "自付金额"], [[wife.id_number, "张秀英", VILLAGE_A1, "38650"],
                                                          [stranger_id(3), "马桂兰", VILLAGE_A1, "很多"]])
    response = client.post("/department-lists/", {"department": "medical", "file": SimpleUploadedFile(
        "医保名单.csv", content, content_type="text/csv")})
    report = ListImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/department-lists/{report.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "自付金额不是以元为单位的金额" in page and not DepartmentEntry.objects.exists()
    template = client.get("/department-lists/template.xlsx?department=death")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxmlformats")


def test_caseworkers_cannot_upload_lists(client, alice, regions):
    client.force_login(alice)
    assert client.get("/department-lists/").status_code == 403


def test_the_supervisor_sees_follow_up_figures_by_region(client, sam, otto, warning):
    client.force_login(sam)
    page = client.get("/warnings/figures/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "济阳街道" in body  # the county's townships
    assert client.get("/warnings/figures/?region=370811001000").status_code == 200
    client.force_login(otto)
    assert client.get("/warnings/figures/?region=370811001000").status_code == 404


def test_the_home_page_counts_the_warnings_to_follow_up(client, alice, sam, warning):
    client.force_login(alice)
    lines = {str(w.label): w for w in client.get("/").context["work"]}
    line = lines["待核查的预警"]  # Chinese by default
    assert line.count == 1 and line.url == "/warnings/"
    client.force_login(sam)
    assert "/warnings/figures/" in client.get("/supervision/").content.decode()


def test_the_list_exports_to_excel_as_filtered(client, alice, bob, carol, warning):
    import io

    from openpyxl import load_workbook

    from .conftest import medical

    medical(carol, [[stranger_id(6), "马桂兰", VILLAGE_A1, "45000.00"]])
    scan(rule=Rule.NOT_REGISTERED)
    client.force_login(alice)
    response = client.get("/warnings/export.xlsx?show=open")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3  # the header and both warnings
    text = " ".join(str(c) for row in rows for c in row if c is not None)
    assert "375.00" in text and "马桂兰" in text and stranger_id(6) not in text  # the ID number masked
    only = client.get("/warnings/export.xlsx?show=open&rule=not_registered")
    assert len(list(load_workbook(io.BytesIO(only.content)).active.iter_rows(values_only=True))) == 2
    client.force_login(bob)  # another township: an empty sheet
    empty = client.get("/warnings/export.xlsx")
    assert len(list(load_workbook(io.BytesIO(empty.content)).active.iter_rows(values_only=True))) == 1

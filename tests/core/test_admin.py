"""Administrators edit the region tree and staff in the admin; codes are checked."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from regions.models import Region
from tests.conftest import COUNTY, TOWNSHIP_A

pytestmark = pytest.mark.django_db


def test_admin_adds_a_village_with_a_valid_code(client, root):
    client.force_login(root)
    response = client.post("/admin/regions/region/add/", {"code": "370811001009", "name": "新建社区",
                                                           "level": "village", "parent": TOWNSHIP_A})
    assert response.status_code == 302, response.content.decode()[:1500]
    assert Region.objects.get(code="370811001009").parent_id == TOWNSHIP_A
    assert AuditEvent.objects.filter(event="regions.region.created", object_id="370811001009").exists()


@pytest.mark.parametrize(("code", "parent"), [("37081100100", TOWNSHIP_A), ("370812001009", TOWNSHIP_A),
                                              ("370811001009", COUNTY)])
def test_admin_refuses_a_bad_code_or_parent(client, root, code, parent):
    client.force_login(root)
    response = client.post("/admin/regions/region/add/", {"code": code, "name": "x", "level": "village",
                                                           "parent": parent})
    assert response.status_code == 200  # the form again, with the error
    assert not Region.objects.filter(code=code).exists()


def test_staff_admin_lists_staff(client, root, alice):
    client.force_login(root)
    assert b"alice" in client.get("/admin/staff/user/").content


def test_the_admin_speaks_chinese_not_django(client, root):
    client.force_login(root)
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "社会救助经办系统" in html and "规则与记录管理" in html
    assert "Django" not in html
    assert "临时救助" in html  # the program folder's app, by its translated name

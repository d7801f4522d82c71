"""The attack (a hole rather than an exploit): a registration refused because a member is
already registered in another household ("此人已登记在其他家庭") ended there. Now the
county of the existing registration gets deadline-timed work to resolve it (move the
person or correct the record), listed on its page, audited; the caseworker is told that
the county resolves it, and later the outcome, never where the person is registered."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from core.errors import Conflict, InvalidInput, NotPermitted
from deadlines.models import Deadline, DeadlineStatus
from notifications.models import Notification
from registry import services
from registry.models import DuplicateRegistration, DuplicateStatus, Household
from registry.synthetic import make_id_number
from staff.roles import Role
from tests.conftest import COUNTY_2, VILLAGE_A1, VILLAGE_B1, VILLAGE_C1, make_staff

pytestmark = pytest.mark.django_db

SPOUSE_ID = "37081119400302058X"  # 张秀英, in the household fixture (village A1)
HEAD_ID = make_id_number("370811", datetime.date(1950, 1, 1), 13)
OTHER_ID = make_id_number("370811", datetime.date(1955, 2, 2), 17)


def register(user, village, name="张秀英", id_number=SPOUSE_ID):
    return services.register_household(user, region=village, address="南苑村7号", registration="rural", members=[
        {"name": "李四", "id_number": HEAD_ID, "relation": "head"},
        {"name": name, "id_number": id_number, "relation": "spouse"},
    ])


def deadline_of(report) -> Deadline:
    return Deadline.objects.get(subject_type=ContentType.objects.get_for_model(DuplicateRegistration),
                                subject_id=report.pk)


def test_a_refused_registration_becomes_the_countys_work(bob, carol, household):
    with pytest.raises(InvalidInput) as refused:
        register(bob, VILLAGE_B1)
    text = str(refused.value.errors)
    assert "county" in text.lower() or "县" in text
    # Nothing says where the person is registered.
    assert "东关" not in text and "济阳" not in text and "A1" not in text
    assert not Household.objects.filter(region_id=VILLAGE_B1).exists()
    (report,) = DuplicateRegistration.objects.all()
    assert report.status == DuplicateStatus.OPEN and report.region_code == VILLAGE_A1
    assert report.attempted_region_code == VILLAGE_B1 and report.reported_by == bob
    deadline = deadline_of(report)
    assert deadline.role == "county_reviewer" and deadline.status == DeadlineStatus.OPEN
    assert AuditEvent.objects.filter(event="registry.duplicate.reported", object_id=str(report.pk)).exists()
    assert Notification.objects.filter(recipient=carol, event="registry.duplicate.reported").exists()


def test_trying_again_adds_nothing(bob, carol, household):
    for _ in range(3):
        with pytest.raises(InvalidInput):
            register(bob, VILLAGE_B1)
    assert DuplicateRegistration.objects.count() == 1


def test_adding_a_member_registered_elsewhere_is_reported_too(alice, bob, household):
    other = services.register_household(bob, region=VILLAGE_B1, address="南苑村9号", registration="rural",
                                        members=[{"name": "王五", "id_number": OTHER_ID,
                                                  "relation": "head"}])
    with pytest.raises(InvalidInput):
        services.add_member(bob, other, {"name": "张秀英", "id_number": SPOUSE_ID, "relation": "spouse"})
    assert DuplicateRegistration.objects.get().attempted_region_code == VILLAGE_B1


def test_the_county_lists_and_resolves_it(as_user, bob, carol, household):
    with pytest.raises(InvalidInput):
        register(bob, VILLAGE_B1)
    report = DuplicateRegistration.objects.get()
    client = as_user(carol)
    page = client.get(reverse("duplicate_list"))
    assert page.status_code == 200 and "张秀英" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    url = reverse("duplicate_resolve", args=[report.pk])
    assert client.post(url, {f"d{report.pk}-resolution": "moved", f"d{report.pk}-note": ""}).status_code == 400
    response = client.post(url, {f"d{report.pk}-resolution": "kept",
                                 f"d{report.pk}-note": "经核实，原登记正确，新家庭不含此人"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == DuplicateStatus.RESOLVED and report.resolved_by == carol
    assert deadline_of(report).status == DeadlineStatus.CLOSED
    assert AuditEvent.objects.filter(event="registry.duplicate.resolved", object_id=str(report.pk)).exists()
    told = Notification.objects.get(recipient=bob, event="registry.duplicate.resolved")
    assert "东关" not in told.title and "济阳" not in told.title
    with pytest.raises(Conflict):
        services.resolve_duplicate(carol, report, resolution="kept", note="again")


def test_only_the_county_of_the_registration_resolves_it(as_user, bob, alice, carol, household, regions):
    with pytest.raises(InvalidInput):
        register(bob, VILLAGE_B1)
    report = DuplicateRegistration.objects.get()
    # The caseworkers (who ran into it, or of the household's own township) have no such page.
    assert as_user(bob).get(reverse("duplicate_list")).status_code == 403
    assert as_user(alice).get(reverse("duplicate_list")).status_code == 403
    with pytest.raises(NotPermitted):
        services.resolve_duplicate(alice, report, resolution="kept", note="x")
    # A county reviewer of another county neither sees nor resolves it.
    other = make_staff("olga", [Role.COUNTY_REVIEWER], COUNTY_2)
    assert "张秀英" not in as_user(other).get(reverse("duplicate_list")).content.decode()
    assert as_user(other).post(reverse("duplicate_resolve", args=[report.pk]),
                               {f"d{report.pk}-resolution": "kept", f"d{report.pk}-note": "x"}).status_code == 404


def test_over_the_api_the_message_says_the_county_resolves_it(bob, household):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(bob)
    body = {"region": VILLAGE_B1, "address": "南苑村7号", "registration": "rural", "members": [
        {"name": "李四", "id_number": HEAD_ID, "relation": "head"},
        {"name": "张秀英", "id_number": SPOUSE_ID, "relation": "spouse"}]}
    response = client.post("/api/v1/households/", body, format="json")
    assert response.status_code == 400
    message = response.json()["members"][1]["id_number"][0]
    assert "county has been asked to resolve it" in message and "东关" not in message
    assert DuplicateRegistration.objects.count() == 1


def test_a_registration_from_another_county_goes_to_the_county_of_the_registration(carol, household, regions):
    far = make_staff("cw_c", [Role.CASEWORKER], "370812001000")
    with pytest.raises(InvalidInput):
        register(far, VILLAGE_C1)
    report = DuplicateRegistration.objects.get()
    assert report.region_code == VILLAGE_A1
    assert DuplicateRegistration.objects.visible_to(carol).filter(pk=report.pk).exists()
    assert not DuplicateRegistration.objects.visible_to(far).exists()

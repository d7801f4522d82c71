from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from audit import services as audit
from tests.conftest import COUNTY_2, VILLAGE_C1


def test_caseworker_gets_403(as_user, alice):
    assert as_user(alice).get(reverse("audit_list")).status_code == 403


def test_supervisor_sees_the_countys_events(as_user, sam, household):
    response = as_user(sam).get(reverse("audit_list"))
    assert response.status_code == 200
    events = list(response.context["page"].object_list)
    assert [e.event for e in events] == ["registry.household.registered"]
    html = response.content.decode()
    assert "东关社区" in html  # the region code shown by name
    assert "370811193805120318" not in html


def test_other_county_sees_none_of_370811(as_user, otto, household):
    audit.record("registry.person.changed", region_code=VILLAGE_C1, reason="兖州区的记录")
    response = as_user(otto).get(reverse("audit_list"))
    events = list(response.context["page"].object_list)
    assert events and all(e.region_code.startswith(COUNTY_2[:6]) for e in events)
    assert not any(e.region_code.startswith("370811") for e in events)
    assert "王德明" not in response.content.decode()


def test_filters_by_event_prefix_and_dates(as_user, sam, household):
    person = household.members.first()
    audit.record("registry.person.id_revealed", obj=person, region_code=household.region_id, reason="核对")
    client = as_user(sam)
    by_prefix = client.get(reverse("audit_list"), {"event": "registry.person"}).context["page"].object_list
    assert [e.event for e in by_prefix] == ["registry.person.id_revealed"]

    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    assert client.get(reverse("audit_list"), {"date_from": today, "date_to": today}).context["page"].paginator.count == 2
    assert client.get(reverse("audit_list"), {"date_from": tomorrow}).context["page"].paginator.count == 0
    bad = client.get(reverse("audit_list"), {"date_from": tomorrow, "date_to": today})
    assert bad.context["form"].errors["date_to"]
    assert bad.context["page"].paginator.count == 0


def test_township_head_sees_the_trail_of_the_township(as_user, hana, household):
    response = as_user(hana).get(reverse("audit_list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1


def test_the_trail_is_read_only(as_user, sam):
    assert as_user(sam).post(reverse("audit_list")).status_code == 405

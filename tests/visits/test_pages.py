"""The visit pages: who may open what (sign-in, role 403, region 404), the phone form,
pairing, events, follow-ups, the printable record."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from visits import services
from visits.models import FollowUp, MajorEvent, Pairing, Visit, VisitRecord, VisitStatus

from .conftest import NOW, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def recorded(visit, alice):
    """A needs-help record on this week's visit (so there is a follow-up, a PDF, a photo)."""
    from .test_records import png

    record, _ = services.record_visit(alice, visit, client_uuid=uuid.uuid4(), visited_at=NOW, method="in_person",
                                      outcome="needs_help", notes="需要助餐", photo=png())
    return record


@pytest.fixture
def event(planned, hana):
    return services.declare_major_event(hana, region_code="370811001000", kind="flood", title="暴雨")


def object_pages(visit, record, event):
    follow_up = FollowUp.objects.get(visit=record.visit)
    next_visit = Visit.objects.filter(plan=visit.plan, status=VisitStatus.SCHEDULED).exclude(pk=visit.pk).first()
    return {
        "visit": reverse("visit_detail", args=[visit.pk]),
        "record_form": reverse("visit_record", args=[next_visit.pk]),
        "pdf": reverse("visit_record_pdf", args=[record.pk]),
        "photo": reverse("visit_record_photo", args=[record.pk]),
        "household": reverse("household_visits", args=[visit.household_id]),
        "event": reverse("visit_event_detail", args=[event.pk]),
        "follow_up": reverse("visit_follow_up", args=[follow_up.pk]),
    }


LIST_PAGES = ["visit_list", "visit_event_list", "visit_follow_up_list", "visit_coverage", "visit_not_visited",
              "visit_coverage_export", "visit_not_visited_export", "visit_event_create"]


def test_the_township_head_opens_every_page(client, visit, recorded, event, hana):
    client.force_login(hana)
    for name, url in object_pages(visit, recorded, event).items():
        assert client.get(url).status_code == 200, name
    for name in LIST_PAGES:
        assert client.get(reverse(name)).status_code == 200, name


def test_the_caseworker_opens_her_pages(client, visit, recorded, event, alice):
    client.force_login(alice)
    for name, url in object_pages(visit, recorded, event).items():
        assert client.get(url).status_code == 200, name
    for name in ["visit_list", "visit_event_list", "visit_follow_up_list"]:
        assert client.get(reverse(name)).status_code == 200, name


def test_an_outsider_gets_404_on_every_page(client, visit, recorded, event, bob):
    client.force_login(bob)
    pages = object_pages(visit, recorded, event)
    for name, url in pages.items():
        assert client.get(url).status_code == 404, name
    before = (AuditEvent.objects.count(), VisitRecord.objects.count())
    follow_up = FollowUp.objects.get(visit=recorded.visit)
    assert client.post(pages["record_form"], {"outcome": "ok"}).status_code == 404
    assert client.post(reverse("household_visit_recompute", args=[visit.household_id])).status_code == 404
    assert client.post(reverse("visit_follow_up", args=[follow_up.pk]), {"resolution": "x"}).status_code == 404
    assert (AuditEvent.objects.count(), VisitRecord.objects.count()) == before
    # Lists show nothing of township A.
    assert "钱奶奶" not in client.get(reverse("visit_list") + "?tab=all").content.decode()


def test_an_outsider_supervisor_gets_404_too(client, visit, recorded, event, otto):
    client.force_login(otto)
    for name, url in object_pages(visit, recorded, event).items():
        if name != "record_form":  # supervisors may not record at all (403 before the region)
            assert client.get(url).status_code == 404, name
    coverage = client.get(reverse("visit_coverage")).content.decode()
    assert "济阳街道" not in coverage


def test_a_wrong_role_gets_403_on_every_page(client, visit, recorded, event, carol):
    client.force_login(carol)  # a county reviewer has no part in visits
    for name, url in object_pages(visit, recorded, event).items():
        assert client.get(url).status_code == 403, name
    for name in LIST_PAGES:
        assert client.get(reverse(name)).status_code == 403, name


def test_field_staff_may_not_see_coverage_pair_or_declare(client, visit, alice):
    client.force_login(alice)
    for name in ["visit_coverage", "visit_coverage_export", "visit_not_visited", "visit_event_create"]:
        assert client.get(reverse(name)).status_code == 403, name
    assert client.post(reverse("household_pairing", args=[visit.household_id]),
                       {"cadre": alice.pk}).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, visit):
    for url in [reverse("visit_list"), reverse("visit_detail", args=[visit.pk]), reverse("visit_coverage")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- The phone form ----------------------------------------------------------------------------------

def form_data(page_html: str, **fields) -> dict:
    client_uuid = re.search(r'name="client_uuid" value="([^"]+)"', page_html)[1]
    data = {"client_uuid": client_uuid, "visited_at": "2026-06-10T09:30", "method": "in_person", "outcome": "ok",
            "notes": "", "health_status": "ok", "health_note": "精神好", "latitude": "", "longitude": "",
            "accuracy": ""}
    data.update(fields)
    return data


def test_recording_on_the_phone_form(client, visit, alice):
    client.force_login(alice)
    url = reverse("visit_record", args=[visit.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="viewport"' in html and 'type="datetime-local"' in html and 'capture="environment"' in html
    data = form_data(html)
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == visit.get_absolute_url()
    record = VisitRecord.objects.get()
    assert record.findings == {"health": {"status": "ok", "note": "精神好"}}
    assert record.visited_at == at(2026, 6, 10, 9, 30)
    # A double tap sends the same form again: still one record.
    client.post(url, data)
    assert VisitRecord.objects.count() == 1


def test_the_phone_form_shows_errors_in_place(client, visit, alice):
    client.force_login(alice)
    url = reverse("visit_record", args=[visit.pk])
    data = form_data(client.get(url).content.decode(), visited_at="2026-06-11T09:30")
    response = client.post(url, data)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not VisitRecord.objects.exists()


def test_someone_else_recorded_it_first(client, visit, alice, amy):
    services.record_visit(amy, visit, client_uuid=uuid.uuid4(), visited_at=NOW, method="phone", outcome="ok")
    client.force_login(alice)
    url = reverse("visit_record", args=[visit.pk])
    assert client.get(url).status_code == 302  # closed: back to the visit
    data = form_data(client.get(reverse("visit_record", args=[
        Visit.objects.filter(plan=visit.plan).exclude(pk=visit.pk).get().pk])).content.decode())
    response = client.post(url, data)
    assert response.status_code == 409


def test_danger_page_offers_the_prefilled_case(client, visit, alice):
    services.record_visit(alice, visit, client_uuid=uuid.uuid4(), visited_at=NOW, method="in_person",
                          outcome="danger", notes="屋顶漏雨坍塌")
    client.force_login(alice)
    html = client.get(reverse("visit_detail", args=[visit.pk])).content.decode()
    link = re.search(r'id="assistance-link" href="([^"]+)"', html)[1].replace("&amp;", "&")
    assert link.startswith(f"/applications/new/?household={visit.household_id}&") and "kind=urgent" in link


# --- Pairing, events, follow-ups -----------------------------------------------------------------------

def test_the_township_head_pairs_a_cadre(client, visit, hana, amy):
    client.force_login(hana)
    page = client.get(reverse("household_visits", args=[visit.household_id])).content.decode()
    assert f'value="{amy.pk}"' in page
    response = client.post(reverse("household_pairing", args=[visit.household_id]), {"cadre": amy.pk})
    assert response.status_code == 302
    assert Pairing.objects.get().cadre == amy
    visit.refresh_from_db()
    assert visit.assigned_to == amy


def test_recompute_button(client, visit, alice):
    client.force_login(alice)
    response = client.post(reverse("household_visit_recompute", args=[visit.household_id]), follow=True)
    assert response.status_code == 200


def test_declaring_an_event_on_the_page(client, planned, hana):
    client.force_login(hana)
    page = client.get(reverse("visit_event_create")).content.decode()
    assert 'value="370811001000"' in page and 'value="370811002000"' not in page
    response = client.post(reverse("visit_event_create"), {"kind": "epidemic_lockdown", "title": "封控",
                                                           "region": "370811001000", "round_hours": "24"})
    event = MajorEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert event.visits.count() == 1


def test_closing_a_follow_up_on_the_page(client, recorded, alice):
    follow_up = FollowUp.objects.get()
    client.force_login(alice)
    url = reverse("visit_follow_up", args=[follow_up.pk])
    assert client.post(url, {"resolution": ""}).status_code == 400
    assert client.post(url, {"resolution": "已安排助餐"}).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == "done"
    assert client.post(url, {"resolution": "again"}).status_code == 409


def test_supervisors_may_not_close_follow_ups(client, recorded, sam):
    client.force_login(sam)
    url = reverse("visit_follow_up", args=[FollowUp.objects.get().pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"resolution": "x"}).status_code == 403


# --- The printable record -------------------------------------------------------------------------------

def test_the_printable_record(client, recorded, alice):
    import io

    from pypdf import PdfReader

    client.force_login(alice)
    response = client.get(reverse("visit_record_pdf", args=[recorded.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "钱奶奶" in text and "需要助餐" in text
    assert recorded.visit.person.id_number not in text  # masked
    assert AuditEvent.objects.filter(event="visits.record.printed").count() == 1


def test_lists_cost_the_same_queries_for_more_rows(client, alice, clock, make_resident, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(alice)

    def cost():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("visit_list") + "?tab=all").status_code == 200
        return len(ctx.captured_queries)

    make_resident(born=datetime.date(1940, 1, 1), conditions=["bedridden"])
    services.recompute_plans()
    few = cost()
    for i in range(6):
        make_resident(born=datetime.date(1940, 1, 1), conditions=["bedridden"], name=f"老人{i}")
    services.recompute_plans()
    assert cost() == few

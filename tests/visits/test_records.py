"""Recording a visit: not home and its retry, danger and its alarm, needs help and its
follow-up, photos, and the checks on what a device sends."""

from __future__ import annotations

import datetime
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from core.errors import Conflict, InvalidInput, NotPermitted
from deadlines.services import deadline_for
from notifications.models import Notification
from visits import services
from visits.models import FollowUp, FollowUpStatus, Visit, VisitRecord, VisitStatus

from .conftest import NOW, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def record(user, visit, outcome="ok", **extra):
    data = {"client_uuid": uuid.uuid4(), "visited_at": NOW - datetime.timedelta(hours=1), "method": "in_person",
            "outcome": outcome, **extra}
    return services.record_visit(user, visit, **data)


def png(size=(4, 4)) -> SimpleUploadedFile:
    import os

    from PIL import Image

    buffer = io.BytesIO()
    # Noise, so the file is about as large as the picture (a flat colour compresses to nothing).
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, format="PNG")
    return SimpleUploadedFile("IMG_2026-06-10 王奶奶家.png", buffer.getvalue(), content_type="image/png")


def test_an_ordinary_visit_closes_the_visit_and_its_deadline(visit, alice):
    saved, created = record(alice, visit, notes="身体尚可", findings={"health": {"status": "ok", "note": "血压正常"}})
    assert created
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE and visit.in_window and visit.done_at == saved.visited_at
    assert deadline_for(visit).status == "closed"
    assert visit.plan.__class__.objects.get(pk=visit.plan_id).last_visited_at == saved.visited_at
    assert saved.findings == {"health": {"status": "ok", "note": "血压正常"}}
    assert AuditEvent.objects.filter(event="visits.visit.recorded", object_id=str(visit.pk)).count() == 1


def test_not_home_keeps_the_visit_open_and_schedules_a_retry_within_the_window(visit, alice):
    saved, _ = record(alice, visit, outcome="not_home")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SCHEDULED and visit.attempts == 1
    assert deadline_for(visit).status == "open"
    # 24 hours later, still inside the week (window closes 15 June 00:00).
    assert visit.retry_at == NOW + datetime.timedelta(hours=24)
    assert visit.window_start <= visit.retry_at < visit.window_end
    # The next try finds her at home: the same visit is done, with both records.
    record(alice, visit, outcome="ok", visited_at=NOW)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE and visit.attempts == 2 and visit.retry_at is None
    assert visit.records.count() == 2


def test_a_retry_near_the_end_of_a_short_window_falls_inside_it(clock, elder, hana, alice):
    services.recompute_plans()
    event = services.declare_major_event(hana, region_code="370811001000", kind="heat_wave", title="高温", round_hours=8)
    round_visit = Visit.objects.get(event=event)
    record(alice, round_visit, outcome="not_home", visited_at=NOW)
    round_visit.refresh_from_db()
    assert round_visit.retry_at == NOW + datetime.timedelta(hours=4)  # halfway to the round's end
    assert round_visit.retry_at < round_visit.window_end


def test_the_cadre_is_reminded_when_the_retry_is_due(visit, alice, hana, clock):
    services.pair_household(hana, visit.household, alice)
    record(alice, visit, outcome="not_home")
    assert services.remind_retries() == 0
    clock.move_to(NOW + datetime.timedelta(hours=25))
    assert services.remind_retries() == 1
    assert services.remind_retries() == 0  # once
    assert Notification.objects.filter(recipient=alice, event="visits.visit.retry").count() == 1


def test_danger_alerts_the_township_head_at_once_with_a_prefilled_case(visit, alice, hana, bob,
                                                                       django_capture_on_commit_callbacks, mailoutbox):
    hana.email = "hana@example.org"
    hana.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        saved, _ = record(alice, visit, outcome="danger", notes="煤气泄漏，老人昏迷",
                          findings={"housing": {"status": "urgent", "note": "燃气管老化"}})
    alarm = Notification.objects.get(event="visits.visit.danger")
    assert alarm.recipient == hana and "钱奶奶" in alarm.title and alarm.link == visit.get_absolute_url()
    assert not Notification.objects.filter(event="visits.visit.danger").exclude(recipient=hana).exists()
    # The channels went out right after the commit.
    assert [m.to for m in mailoutbox] == [["hana@example.org"]]
    link = services.assistance_case_link(visit, saved)
    assert link.startswith(f"/applications/new/?household={visit.household_id}&")
    assert "kind=urgent" in link and "cause=" in link
    assert link in alarm.body
    assert AuditEvent.objects.filter(event="visits.visit.danger_reported").exists()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE


def test_the_case_link_is_empty_while_the_application_page_is_missing(visit, alice, settings):
    settings.ROOT_URLCONF = "web.visits_urls"  # no application_create here
    assert services.assistance_case_link(visit) == ""


def test_needs_help_opens_a_follow_up_with_its_own_deadline(visit, alice, amy, hana, sam):
    services.pair_household(hana, visit.household, amy)
    visit.refresh_from_db()
    saved, _ = record(alice, visit, outcome="needs_help", notes="需要助餐服务",
                      findings={"service_needs": {"status": "concern", "note": "做饭困难"}})
    follow_up = FollowUp.objects.get(visit=visit)
    assert follow_up.record == saved and follow_up.assigned_to == amy and follow_up.status == FollowUpStatus.OPEN
    assert "需要助餐服务" in follow_up.description and "做饭困难" in follow_up.description
    deadline = deadline_for(follow_up)
    assert (deadline.flow, deadline.step, deadline.assignee_id) == ("home_visit", "follow_up", amy.pk)
    assert deadline.policy.escalations.count() == 2
    assert Notification.objects.filter(recipient=amy, event="visits.follow_up.opened").exists()

    with pytest.raises(NotPermitted):
        services.complete_follow_up(sam, follow_up, resolution="x")  # supervisors follow, field staff close
    with pytest.raises(InvalidInput):
        services.complete_follow_up(amy, follow_up, resolution=" ")
    services.complete_follow_up(amy, follow_up, resolution="已联系助餐点")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE and deadline_for(follow_up).status == "closed"
    with pytest.raises(Conflict):
        services.complete_follow_up(amy, follow_up, resolution="again")


def test_a_photo_is_checked_by_its_bytes_and_stored_under_a_neutral_name(visit, alice):
    saved, _ = record(alice, visit, photo=png(), latitude="35.414700", longitude="116.587200", accuracy="18")
    saved.refresh_from_db()
    assert saved.photo_type == "image/png" and saved.photo_size > 0 and len(saved.photo_sha256) == 64
    assert saved.photo.name.endswith(f"{saved.client_uuid}.png") and "王" not in saved.photo.name
    assert (str(saved.latitude), str(saved.longitude), saved.accuracy_m) == ("35.414700", "116.587200", 18)


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("photo.jpg", b"#!/bin/sh\necho not a photo\n", content_type="image/jpeg"),  # a script
    SimpleUploadedFile("photo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif"),  # not accepted
])
def test_a_file_that_is_not_an_accepted_photo_is_refused(visit, alice, upload):
    with pytest.raises(InvalidInput) as refused:
        record(alice, visit, photo=upload)
    assert set(refused.value.errors) == {"photo"}
    assert not VisitRecord.objects.exists()


def test_a_photo_too_large_is_refused(visit, alice, settings):
    settings.VISIT_PHOTO_MAX_BYTES = 1024
    with pytest.raises(InvalidInput) as refused:
        record(alice, visit, photo=png((40, 40)))
    assert "photo" in refused.value.errors


def test_what_a_device_sends_is_checked(visit, alice):
    with pytest.raises(InvalidInput) as refused:
        record(alice, visit, visited_at=NOW + datetime.timedelta(hours=1), method="carrier pigeon",
               findings={"weather": "晴"}, latitude="95", longitude="10")
    assert set(refused.value.errors) == {"visited_at", "method", "findings", "location"}
    with pytest.raises(InvalidInput) as early:
        record(alice, visit, visited_at=at(2026, 6, 7, 18))  # before this week's window opened
    assert "visited_at" in early.value.errors
    # Hours old is fine: the phone synced late.
    saved, created = record(alice, visit, visited_at=NOW - datetime.timedelta(hours=40))
    assert created and saved.visited_at == at(2026, 6, 8, 18)


def test_a_resent_record_is_the_same_record(visit, alice):
    key = uuid.uuid4()
    first, created = record(alice, visit, client_uuid=key)
    again, created_again = record(alice, visit, client_uuid=key, outcome="danger", notes="changed on resend")
    assert created and not created_again and again.pk == first.pk and again.outcome == "ok"
    assert VisitRecord.objects.count() == 1 and not Notification.objects.filter(event="visits.visit.danger").exists()


def test_a_visit_recorded_by_someone_else_is_a_conflict_carrying_their_record(visit, alice, amy):
    first, _ = record(alice, visit)
    with pytest.raises(services.AlreadyRecorded) as conflict:
        record(amy, visit)
    assert conflict.value.record.pk == first.pk and "李丽" in conflict.value.message
    with pytest.raises(Conflict):
        record(alice, Visit.objects.exclude(pk=visit.pk).first(), client_uuid=first.client_uuid)


def test_field_roles_only(visit, sam):
    with pytest.raises(NotPermitted):
        record(sam, visit)

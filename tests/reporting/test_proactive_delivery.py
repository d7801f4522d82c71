"""救助主动告知 followed through: a letter's delivery is recorded, and an application after it
counts towards the conversion rate the statistics page shows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assistance.models import Application
from audit.models import AuditEvent
from core.errors import InvalidInput, NotPermitted
from documents.models import ImmutableDocumentError
from tests.enrolment.conftest import _calendar, poor_couple  # noqa: F401
from tests.means.conftest import standards  # noqa: F401
from workflows.enrolment.models import ProactiveDelivery, ProactiveNotice
from workflows.enrolment.proactive import conversion, issue_proactive_notice, record_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(alice, poor_couple):  # noqa: F811
    return issue_proactive_notice(alice, poor_couple)


def test_delivery_is_recorded_once_as_written_and_audited(alice, letter):
    today = timezone.localdate()
    delivery = record_delivery(alice, letter, method="village", delivered_on=today, note="村委会转交")
    assert AuditEvent.objects.filter(event="enrolment.proactive_notice.delivered").count() == 1
    with pytest.raises(ImmutableDocumentError):
        delivery.save()
    with pytest.raises(ImmutableDocumentError):
        ProactiveDelivery.objects.all().delete()
    with pytest.raises(InvalidInput):
        record_delivery(alice, letter, method="pigeon", delivered_on=today)
    with pytest.raises(InvalidInput):
        record_delivery(alice, letter, method="post", delivered_on=today + datetime.timedelta(days=1))
    with pytest.raises(InvalidInput):
        record_delivery(alice, letter, method="post", delivered_on=today - datetime.timedelta(days=30))


def test_another_townships_caseworker_may_not_record_it(bob, letter):
    with pytest.raises(NotPermitted):
        record_delivery(bob, letter, method="post", delivered_on=timezone.localdate())


def test_conversion_counts_letters_delivered_and_followed_by_an_application(alice, letter, poor_couple):  # noqa: F811
    assert conversion(ProactiveNotice.objects.all()) == {"issued": 1, "delivered": 0, "applied": 0, "rate": 0}
    record_delivery(alice, letter, method="in_person", delivered_on=timezone.localdate())
    head = poor_couple.members.order_by("pk").first()
    Application.objects.create(household=poor_couple, applicant=head, region_code=poor_couple.region_id,
                               program="dibao", cause="收到告知书后申请", created_by=alice)
    figures = conversion(ProactiveNotice.objects.all())
    assert (figures["issued"], figures["delivered"], figures["applied"], str(figures["rate"])) == (1, 1, 1, "100.0")


def test_the_letters_page_records_delivery_and_hides_other_townships_letters(alice, bob, letter, as_user):
    client = as_user(alice)
    page = client.get(reverse("proactive_list"))
    assert page.status_code == 200 and f"notice-{letter.pk}" in page.content.decode()
    response = client.post(reverse("proactive_deliver", args=[letter.pk]),
                           {"method": "post", "delivered_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    assert letter.deliveries.count() == 1
    pdf = client.get(reverse("proactive_pdf", args=[letter.pk]))
    assert pdf.status_code == 200 and bytes(pdf.content) == bytes(letter.content)
    outsider = as_user(bob)
    assert f"notice-{letter.pk}" not in outsider.get(reverse("proactive_list")).content.decode()
    assert outsider.get(reverse("proactive_pdf", args=[letter.pk])).status_code == 404
    assert outsider.post(reverse("proactive_deliver", args=[letter.pk]),
                         {"method": "post", "delivered_on": timezone.localdate().isoformat()}).status_code == 404

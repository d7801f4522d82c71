"""Downloading a document: the stored bytes, to those who may see the case; 404 to others."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from documents import services
from documents.models import DocumentKind
from tests.conftest import TOWNSHIP_A, make_staff


@pytest.fixture
def document(rejected):
    return services.generate(rejected.pk, DocumentKind.REJECTION_NOTICE)


def url(document):
    return reverse("document_download", args=[document.pk])


def test_the_path():
    assert reverse("document_download", args=[42]) == "/documents/42/"


def test_alice_downloads_the_stored_bytes(client, alice, document):
    client.force_login(alice)
    response = client.get(url(document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == bytes(document.content)
    assert response["ETag"] == f'"{document.sha256}"'
    assert response["Content-Length"] == str(document.size)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert f'filename="application-{document.application_id}-rejection_notice.pdf"' in disposition
    assert "filename*=UTF-8''" + quote(f"不予救助通知书-{document.application_id}.pdf") in disposition
    assert "private" in response["Cache-Control"]
    event = AuditEvent.objects.get(event="documents.document.downloaded")
    assert event.actor == alice
    assert event.object_id == str(document.pk)
    assert event.region_code == document.application.region_code


def test_as_attachment(client, alice, document):
    client.force_login(alice)
    response = client.get(url(document), {"download": "1"})
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_cached_copy_is_confirmed_without_sending_it_again(client, alice, document):
    client.force_login(alice)
    response = client.get(url(document), headers={"If-None-Match": f'"{document.sha256}"'})
    assert response.status_code == 304
    assert response["ETag"] == f'"{document.sha256}"'
    assert not AuditEvent.objects.filter(event="documents.document.downloaded").exists()


def test_the_county_sees_its_townships_documents(client, sam, document):
    client.force_login(sam)
    assert client.get(url(document)).status_code == 200


@pytest.mark.parametrize("outsider", ["bob", "otto"])
def test_outsiders_get_404(client, document, outsider, request):
    client.force_login(request.getfixturevalue(outsider))
    assert client.get(url(document)).status_code == 404
    assert not AuditEvent.objects.filter(event="documents.document.downloaded").exists()


def test_a_missing_document_is_404(client, alice, document):
    client.force_login(alice)
    assert client.get(reverse("document_download", args=[document.pk + 1000])).status_code == 404


def test_a_role_without_access_to_cases_gets_403(client, document):
    nobody = make_staff("nora", [], TOWNSHIP_A)
    client.force_login(nobody)
    assert client.get(url(document)).status_code == 403


def test_anonymous_is_sent_to_login(client, document):
    response = client.get(url(document))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_only_reading(client, alice, document):
    client.force_login(alice)
    assert client.post(url(document)).status_code == 405


def test_the_admin_lists_documents_read_only(client, root, document):
    client.force_login(root)
    listing = client.get(reverse("admin:documents_document_changelist"), {"q": document.sha256[:12]})
    assert listing.status_code == 200
    assert url(document) in listing.content.decode()
    detail = client.get(reverse("admin:documents_document_change", args=[document.pk]))
    assert detail.status_code == 200
    assert document.sha256 in detail.content.decode()
    assert client.get(reverse("admin:documents_document_add")).status_code == 403
    assert client.post(reverse("admin:documents_document_delete", args=[document.pk])).status_code == 403

"""Downloading a stored document: the very bytes that were generated, never re-rendered."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from core.scoping import get_visible_or_404

from . import services
from .models import Document


def content_disposition(document: Document, *, attachment: bool = False) -> str:
    # An ASCII name for old clients, the Chinese one (RFC 6266 / 5987) for the rest.
    disposition = "attachment" if attachment else "inline"
    return (f'{disposition}; filename="{document.filename}"; '
            f"filename*=UTF-8''{quote(document.display_filename)}")


def pdf_response(document: Document, request) -> HttpResponse:
    """The response for one document a caller may see; shared with the API."""
    etag = f'"{document.sha256}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(bytes(document.content), content_type="application/pdf")
        response["Content-Length"] = str(document.size)
        response["Content-Disposition"] = content_disposition(document, attachment="download" in request.GET)
        if request.method == "GET":  # a HEAD request reads no content
            services.record_download(document, request.user, request=request)
    response["ETag"] = etag
    # Personal data: kept by this browser only, and checked with the server each time.
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@permission_required("assistance.view_application", raise_exception=True)
@require_safe
def document_download(request, pk: int):
    document = get_visible_or_404(Document.objects.select_related("application", "instalment"), request.user, pk=pk)
    return pdf_response(document, request)

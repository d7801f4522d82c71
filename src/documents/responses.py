"""The HTTP answer for one stored document: the very bytes that were generated, never
re-rendered. Shared by the web download and the API (GET /api/v1/documents/{id}/)."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control

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

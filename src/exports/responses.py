"""What a list's "Export to Excel" answers, the same for every kind: the file itself when
it is small enough to write while the user waits, otherwise a job and its page.

The list's view validates its filters (sending the user back to the list when they are
wrong) and passes on its rows, selected as the list page selects them, with the filters
as a job keeps them; a job selects the same rows again from those filters, through the
kind, under the requester's scope as it is when the job runs.
"""

from __future__ import annotations

import tempfile
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from . import services
from .kinds import ExportKind, ExportRefused
from .xlsx import XLSX


def export(request, kind: ExportKind, rows: QuerySet, params: dict) -> HttpResponse:
    """Up to EXPORT_INLINE_MAX_ROWS ``rows``, the file, audited as the kind's export;
    beyond, a job for a worker and a redirect to its progress page: a county's or a
    city's rows take longer to write than a web worker may be held."""
    user = request.user
    count = rows.count()
    if count > settings.EXPORT_INLINE_MAX_ROWS:
        try:
            job = services.request_export(user, kind.name, params, rows_total=count, request=request)
        except ExportRefused as exc:
            # The view has validated the same filters, so only a change in between (a region
            # removed from the tree) lands here: say why on the list rather than fail.
            messages.error(request, exc.message)
            return redirect(reverse(kind.list_url) + "?" + request.GET.urlencode())
        return redirect("export_job", pk=job.pk)
    with tempfile.TemporaryFile() as out:
        written = kind.write(rows, out, total=count, **kind.write_options(params))
        out.seek(0)
        # At most EXPORT_INLINE_MAX_ROWS rows: a few hundred kilobytes.
        content = out.read()
    services.record_direct_export(kind, user, params, written, request=request)
    return attachment(content, timestamped(kind.filename, kind.extension), kind.content_type,
                      display_name=timestamped(str(kind.label), kind.extension))


def timestamped(name: str, extension: str = "xlsx") -> str:
    """``name-YYYYmmdd-HHMM.ext`` in local time: two exports of a day stay apart."""
    return f"{name}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def attachment_disposition(filename: str, display_name: str = "") -> str:
    """``attachment`` with the ASCII name, and the name in the reader's language beside it."""
    disposition = f'attachment; filename="{filename}"'
    if display_name and display_name != filename:
        disposition += f"; filename*=UTF-8''{quote(display_name)}"
    return disposition


def attachment(content: bytes, filename: str, content_type: str = XLSX, *, display_name: str = "") -> HttpResponse:
    """A file for the browser to save. Every file the engine hands out holds personal
    data, so none is kept by shared caches or the browser's (no-store). ``display_name``
    is what the person's browser saves it as, in their language (家庭名册-20261205-0830.xlsx);
    ``filename`` is the plain ASCII name older clients fall back to (RFC 6266)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_disposition(filename, display_name)
    response["Cache-Control"] = "no-store"
    return response

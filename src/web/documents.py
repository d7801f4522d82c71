"""Downloading a stored document: the very bytes that were generated, never re-rendered."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.views.decorators.http import require_safe

from core.scoping import get_visible_or_404
from documents.models import Document
from documents.responses import pdf_response


@login_required
@permission_required("assistance.view_application", raise_exception=True)
@require_safe
def document_download(request, pk: int):
    document = get_visible_or_404(Document.objects.select_related("application", "instalment"), request.user, pk=pk)
    return pdf_response(document, request)

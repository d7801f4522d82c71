"""What the tests of every export kind share: a workbook's rows, and an export asked for
through its list's link and run as a job (Celery is eager in tests)."""

from __future__ import annotations

import html
import io
import re
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse
from openpyxl import load_workbook

from exports.models import ExportJob, JobStatus


def sheet_rows(content: bytes, sheet: int = 0) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(content)).worksheets[sheet].iter_rows(values_only=True)]


def export_as_job(client, url_name: str, params: dict, settings, capture) -> tuple[ExportJob, bytes]:
    """Ask for the export with an inline limit of one row, run its job and download the file.

    ``capture`` is pytest-django's django_capture_on_commit_callbacks: the job is queued
    once the request's transaction commits."""
    settings.EXPORT_INLINE_MAX_ROWS = 1
    before = set(ExportJob.objects.values_list("pk", flat=True))
    with capture(execute=True):
        response = client.get(reverse(url_name), params)
    job = ExportJob.objects.exclude(pk__in=before).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("export_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    download = client.get(reverse("export_job_download", args=[job.pk]))
    assert download.status_code == 200
    return job, download.getvalue()


def back_link_filters(client, job: ExportJob, list_url_name: str) -> dict:
    """The filters the job's page links back to its list with (their order is the
    database's: PostgreSQL keeps JSON keys in an order of its own)."""
    page = client.get(reverse("export_job", args=[job.pk])).content.decode()
    back = urlsplit(html.unescape(re.search(r'<nav class="breadcrumbs"[^>]*><a href="([^"]*)"', page)[1]))
    assert back.path == reverse(list_url_name)
    return {key: values[0] for key, values in parse_qs(back.query).items()}

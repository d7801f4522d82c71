"""Export job pages: the job with its progress, its status as JSON for the page's script,
and the download.

A job exists only for the user who asked for it: anyone else gets 404, as for a record
outside their region. Downloading needs the kind's permission still (403), and is audited.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.decorators import staff_view
from exports import kinds, services
from exports.models import ExportJob, JobStatus
from exports.responses import attachment_disposition

# Without JavaScript the page reloads itself this often while the job runs.
REFRESH_SECONDS = 5
# A person asks for a few exports a day and each expires after EXPORT_RETENTION_HOURS.
LIST_LIMIT = 100


def _own_job_or_404(user, pk) -> ExportJob:
    try:
        return ExportJob.objects.get(pk=pk, requested_by=user)
    except ExportJob.DoesNotExist:
        raise Http404 from None


def progress_text(job: ExportJob) -> str:
    if job.status == JobStatus.QUEUED:
        return _("Waiting for a worker to start the export…")
    if job.status == JobStatus.RUNNING and job.rows_total is None:
        return _("Counting the rows…")
    numbers = {"done": formats.number_format(job.rows_done, force_grouping=True),
               "total": formats.number_format(job.rows_total or 0, force_grouping=True), "percent": job.percent}
    if job.status == JobStatus.DONE:
        return _("%(done)s rows written.") % numbers
    return _("%(done)s of %(total)s rows written (%(percent)d%%).") % numbers


@never_cache
@staff_view()
@require_safe
def job_list(request):
    """The user's own exports until they expire, newest first: where to come back to a job
    whose page was closed (its notification links there too)."""
    jobs = list(ExportJob.objects.filter(requested_by=request.user, expires_at__gt=timezone.now())
                .order_by("-created_at")[:LIST_LIMIT])
    for job in jobs:
        kind = kinds.find(job.kind)
        job.label = kind.label if kind else job.kind
    return render(request, "exports/job_list.html", {"jobs": jobs})


@never_cache
@staff_view()
@require_safe
def job_detail(request, pk):
    job = _own_job_or_404(request.user, pk)
    kind = kinds.find(job.kind)
    back_url = ""
    if kind is not None and kind.list_url:
        # The moment a list was seen is not one of its filters: the list shows the present.
        filters = {key: value for key, value in job.params.items() if value and key != kinds.AS_OF}
        back_url = reverse(kind.list_url) + (f"?{urlencode(filters)}" if filters else "")
    return render(request, "exports/job.html", {
        "job": job, "label": kind.label if kind else job.kind, "back_url": back_url,
        "progress_text": progress_text(job), "refresh_seconds": REFRESH_SECONDS,
    })


@never_cache
@staff_view()
@require_safe
def job_status(request, pk):
    job = _own_job_or_404(request.user, pk)
    return JsonResponse({
        "status": job.status, "label": job.get_status_display(), "finished": job.is_finished,
        "rows_done": job.rows_done, "rows_total": job.rows_total, "percent": job.percent,
        "progress_text": progress_text(job), "error": job.error,
        "download_url": reverse("export_job_download", args=[job.pk]) if job.status == JobStatus.DONE else None,
    })


@never_cache
@staff_view()
@require_safe
def job_download(request, pk):
    job = _own_job_or_404(request.user, pk)
    kind = kinds.find(job.kind)
    if job.status != JobStatus.DONE or kind is None:
        raise Http404
    if not request.user.has_perm(kind.permission):
        raise PermissionDenied
    try:
        file = open(job.path, "rb")  # noqa: SIM115 - FileResponse closes it when the response is sent
    except FileNotFoundError:
        raise Http404 from None  # expired and deleted a moment ago
    if request.method == "GET":  # a HEAD request takes nothing away
        services.record_download(job, request.user, request=request)
    stamp = f"{timezone.localtime(job.finished_at):%Y%m%d-%H%M}.{kind.extension}"
    # never_cache marks it no-store: personal data stays out of shared caches and the browser's.
    response = FileResponse(file, as_attachment=True, filename=f"{kind.filename}-{stamp}",
                            content_type=kind.content_type)
    # Saved under its name in the reader's language (家庭花名册-…), the ASCII name as the fallback.
    response["Content-Disposition"] = attachment_disposition(f"{kind.filename}-{stamp}", f"{kind.label}-{stamp}")
    return response

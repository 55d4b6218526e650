"""Bulk Provision Users screens: overview and upload, preview (live while the worker checks the
rows), start or cancel, live status, download and remove. Each view parses, calls one service,
then redirects or re-renders."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import console_view
from audit.actor import Actor
from lib.csvfile import DELIMITER_NAMES, CsvFileError
from licensing.services import licence_counts
from provisioning.bulk.csvfile import layout_from_json
from provisioning.bulk.export import bulk_export_open
from provisioning.bulk.forms import BulkUploadForm
from provisioning.bulk.preview import first_rows
from provisioning.bulk.selectors import PERMISSION, bulk_job_get, bulk_job_pending_count
from provisioning.bulk.upload import (
    BulkError,
    bulk_job_cancel,
    bulk_job_remove,
    bulk_job_start,
    bulk_job_upload,
    bulk_start_refusal,
)
from provisioning.models import BULK_DRAFT_STATUSES, BulkJob, BulkJobStatus

PREVIEW_ERRORS_SHOWN = 1000
FIRST_ROWS_SHOWN = 10


@console_view(PERMISSION)
@require_http_methods(["GET", "POST"])
def bulk_list(request: HttpRequest) -> HttpResponse:
    form = BulkUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["csv_file"]
        try:
            job = bulk_job_upload(actor=Actor.from_request(request), file_name=upload.name or "upload.csv",
                                  chunks=upload.chunks(), options=form.options())
        except CsvFileError as exc:
            form.add_error("csv_file", str(exc))
        else:
            return redirect("provisioning:bulk_preview", pk=job.pk)
    jobs = BulkJob.objects.restrict(request.user).exclude(status__in=BULK_DRAFT_STATUSES)[:200]
    drafts = BulkJob.objects.restrict(request.user).filter(status__in=BULK_DRAFT_STATUSES,
                                                        created_by_id=request.user.pk)[:20]
    return render(request, "provisioning/bulk_list.html", {
        "form": form, "jobs": jobs, "drafts": drafts, "max_mb": settings.BULK_MAX_UPLOAD_MB,
        "max_rows": settings.BULK_MAX_ROWS, "retention_hours": settings.BULK_EXPORT_RETENTION_HOURS,
        "poll_ms": settings.LIVE_POLL_MS,
    })


@console_view(PERMISSION)
@require_GET
def bulk_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The upload's page: the rows checked so far while the worker checks them, then the preview
    (or why the file cannot be used)."""
    job = bulk_job_get(request.user, pk)
    if job.status not in BULK_DRAFT_STATUSES:
        return redirect("provisioning:bulk_list")
    return render(request, "provisioning/bulk_preview.html", _preview_context(job))


@never_cache  # a live view, like bulk_status
@console_view(PERMISSION)
@require_GET
def bulk_preview_part(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview page's body, the same partial the page renders; htmx polls it while the rows are checked."""
    job = bulk_job_get(request.user, pk)
    return render(request, "provisioning/includes/bulk_preview_body.html", _preview_context(job))


def _preview_context(job: BulkJob) -> dict[str, object]:
    context: dict[str, object] = {"job": job, "poll_ms": settings.LIVE_POLL_MS // 2}
    if job.status != BulkJobStatus.PREVIEW:
        return context
    remaining = licence_counts().remaining
    layout = job.options.get("layout", {})
    columns, first = first_rows(Path(job.upload_path), layout_from_json(layout), FIRST_ROWS_SHOWN)
    return {
        **context,
        "first_columns": columns,
        "first_rows": first,
        "remaining": remaining,
        "refusal": bulk_start_refusal(job=job, remaining=remaining),
        "errors": job.preview_errors[:PREVIEW_ERRORS_SHOWN],
        "errors_hidden": max(0, len(job.preview_errors) - PREVIEW_ERRORS_SHOWN),
        "ignored_columns": layout.get("ignored", []),
        "delimiter": DELIMITER_NAMES.get(layout.get("delimiter", ","), ""),
        "encoding": layout.get("encoding", ""),
        "encoding_notice": layout.get("encoding_notice", ""),
    }


@console_view(PERMISSION)
@require_POST
def bulk_start(request: HttpRequest, pk: int) -> HttpResponse:
    job = bulk_job_get(request.user, pk)
    try:
        bulk_job_start(job=job, actor=Actor.from_request(request))
    except BulkError as exc:
        messages.error(request, str(exc))
        if job.status in BULK_DRAFT_STATUSES:
            return redirect("provisioning:bulk_preview", pk=job.pk)
        return redirect("provisioning:bulk_list")
    messages.success(request, f"Bulk job {job.pk} started: {job.valid_rows:,} pending enrollments are being "
                              f"created{f', {job.error_rows:,} bad rows skipped' if job.error_rows else ''}.")
    return redirect("provisioning:bulk_list")


@console_view(PERMISSION)
@require_POST
def bulk_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = bulk_job_get(request.user, pk)
    try:
        bulk_job_cancel(job=job, actor=Actor.from_request(request))
    except BulkError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The upload of {job.file_name} was cancelled; nothing was created.")
    return redirect("provisioning:bulk_list")


@never_cache  # a live view: a cached copy would keep a finished job polling
@console_view(PERMISSION)
@require_GET
def bulk_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One job's Status cell, the same partial the list renders; htmx polls it while the job is active."""
    return render(request, "provisioning/includes/bulk_job_status.html", {
        "job": bulk_job_get(request.user, pk), "retention_hours": settings.BULK_EXPORT_RETENTION_HOURS,
        "poll_ms": settings.LIVE_POLL_MS,
    })


@never_cache
@console_view(PERMISSION)
@require_GET
def bulk_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The export holds OTPs: only through this permission-checked, audited view."""
    job = bulk_job_get(request.user, pk)
    try:
        path = bulk_export_open(job=job, actor=Actor.from_request(request))
    except BulkError as exc:
        messages.error(request, str(exc))
        return redirect("provisioning:bulk_list")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=f"bulk-{job.pk}-export.csv",
                            content_type="text/csv; charset=utf-8")
    return response


@console_view(PERMISSION)
@require_http_methods(["GET", "POST"])
def bulk_remove(request: HttpRequest, pk: int) -> HttpResponse:
    job = bulk_job_get(request.user, pk)
    if request.method == "POST":
        delete_pending = request.POST.get("delete_pending") == "on"
        try:
            deleted = bulk_job_remove(job=job, actor=Actor.from_request(request), delete_pending=delete_pending)
        except BulkError as exc:
            messages.error(request, str(exc))
        else:
            extra = f" and {deleted:,} pending enrollment(s) deleted" if delete_pending else ""
            messages.success(request, f"Bulk job {job.pk} removed{extra}.")
        return redirect("provisioning:bulk_list")
    return render(request, "provisioning/bulk_remove.html", {"job": job, "pending": bulk_job_pending_count(job)})

"""Bulk Provision Users in the console: upload and preview, cancel, start, remove, and the
retention purge.

Nothing is created before a person starts the job after seeing the preview; ``bulk_job_start``
refuses a job that needs more licences than remain. The run itself is ``provisioning.bulk.run``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from enrollment.models import PendingEnrollment
from enrollment.services import pending_enrollments_delete
from licensing.services import licence_counts
from provisioning.bulk.csvfile import DELIMITER_NAMES, layout_to_json, read_layout, remove_quietly, store_upload
from provisioning.bulk.options import BulkOptions
from provisioning.bulk.preview import preview_file, remove_upload
from provisioning.models import BULK_ACTIVE_STATUSES, BulkJob, BulkJobStatus

logger = logging.getLogger(__name__)


class BulkError(Exception):
    """A refusal a person can act on; the message is shown as it is."""


# --- upload and preview -------------------------------------------------------------------------


def bulk_job_upload(*, actor: Actor, file_name: str, chunks: Iterable[bytes], options: BulkOptions) -> BulkJob:
    """Store the file privately (as UTF-8), check every row and keep the preview in a new job.

    Raises CsvFileError for a file that cannot be used at all; then nothing is stored.
    """
    path, decoding = store_upload(chunks)
    try:
        layout = read_layout(path, decoding)
        preview = preview_file(path, layout, options)
    except BaseException:
        remove_upload(str(path))
        raise
    with transaction.atomic():
        job = BulkJob.objects.create(
            status=BulkJobStatus.PREVIEW,
            created_by=actor.user,
            created_by_name=actor.name[:150],
            file_name=file_name[:255],
            upload_path=str(path),
            options={**options.as_json(), "layout": layout_to_json(layout)},
            total_rows=preview.total,
            valid_rows=preview.total - len(preview.errors),
            error_rows=len(preview.errors),
            preview_errors=preview.errors,
        )
        audit_record(actor=actor, action=AuditAction.BULK_UPLOADED, details={
            "bulk_job": job.pk, "file_name": job.file_name, "rows": job.total_rows, "bad_rows": job.error_rows,
            "encoding": layout.encoding, "delimiter": DELIMITER_NAMES[layout.delimiter],
        })
    return job


def bulk_job_cancel(*, job: BulkJob, actor: Actor) -> None:
    """Cancel at preview: the job and its uploaded file go; nothing was created."""
    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().filter(pk=job.pk, status=BulkJobStatus.PREVIEW).first()
        if locked is None:
            raise BulkError("Only a job that has not been started can be cancelled.")
        audit_record(actor=actor, action=AuditAction.BULK_REMOVED,
                     details={"bulk_job": locked.pk, "file_name": locked.file_name, "cancelled_at_preview": True})
        locked.delete()
    remove_upload(job.upload_path)


# --- start ---------------------------------------------------------------------------------------


def bulk_job_start(*, job: BulkJob, actor: Actor) -> BulkJob:
    """Queue the job after the preview. Refused when no row is valid or when the valid rows need
    more licences than remain; the bad rows are skipped and reported in the export."""
    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != BulkJobStatus.PREVIEW:
            raise BulkError("This job was already started.")
        refusal = bulk_start_refusal(job=locked, remaining=licence_counts().remaining)
        if refusal:
            raise BulkError(refusal)
        locked.status = BulkJobStatus.QUEUED
        locked.started_at = timezone.now()
        locked.save(update_fields=["status", "started_at"])
        audit_record(actor=actor, action=AuditAction.BULK_STARTED,
                     details={"bulk_job": locked.pk, "rows": locked.valid_rows, "skipped_rows": locked.error_rows})
        transaction.on_commit(lambda: enqueue(locked.pk))
    return locked


def bulk_start_refusal(*, job: BulkJob, remaining: int) -> str:
    """Why the job cannot start with ``remaining`` licences, or "" when it can (the preview
    shows this and disables Start; ``bulk_job_start`` refuses with it)."""
    if job.valid_rows == 0:
        return "No row of this file can be provisioned; fix the file and upload it again."
    if job.valid_rows > remaining:
        return (f"Not enough device licences: {job.valid_rows:,} needed, {remaining:,} remaining. "
                "Ask an Administrator to raise the licence total, or upload fewer rows.")
    return ""


def enqueue(job_id: int) -> None:
    from provisioning.tasks import bulk_job_run_task

    try:
        bulk_job_run_task.apply_async(args=[job_id], queue=settings.BULK_CELERY_QUEUE)
    except Exception:  # noqa: BLE001 - broker down: the job stays queued and the sweep publishes it again
        logger.exception("Could not publish bulk job %s; the sweep will queue it again.", job_id)


# --- remove, purge --------------------------------------------------------------------------------


def bulk_job_remove(*, job: BulkJob, actor: Actor, delete_pending: bool) -> int:
    """Remove a finished job and its files; with ``delete_pending`` also delete its enrollments
    that are still pending (releasing their licences). Returns how many were deleted."""
    if job.is_active:
        raise BulkError("This job is still running; remove it when it has finished.")
    deleted = 0
    if delete_pending:
        ids = list(PendingEnrollment.objects.filter(bulk_job_id=job.pk).values_list("pk", flat=True))
        for start in range(0, len(ids), 1000):
            deleted += pending_enrollments_delete(ids=ids[start:start + 1000], actor=actor)
    with transaction.atomic():
        gone = BulkJob.objects.filter(pk=job.pk).exclude(status__in=BULK_ACTIVE_STATUSES).delete()[0]
        if not gone:
            raise BulkError("This job was already removed, or was started again.")
        audit_record(actor=actor, action=AuditAction.BULK_REMOVED,
                     details={"bulk_job": job.pk, "file_name": job.file_name, "deleted_enrollments": deleted})
    remove_quietly(job.export_path)
    remove_upload(job.upload_path)
    return deleted


def bulk_exports_purge(*, now: datetime | None = None) -> int:
    """Delete export files older than BULK_EXPORT_RETENTION_HOURS (they hold OTPs; the job row
    stays in the overview), and previews nobody started within that time. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.BULK_EXPORT_RETENTION_HOURS)
    purged = 0
    system = Actor.system("bulk-retention")
    for job in BulkJob.objects.filter(finished_at__lt=cutoff).exclude(export_path=""):
        with transaction.atomic():
            if BulkJob.objects.filter(pk=job.pk).exclude(export_path="").update(export_path="") != 1:
                continue
            audit_record(actor=system, action=AuditAction.BULK_REMOVED,
                         details={"bulk_job": job.pk, "export_deleted_after_hours":
                                  settings.BULK_EXPORT_RETENTION_HOURS})
        remove_quietly(job.export_path)
        purged += 1
    # Uploads previewed but never started nor cancelled: the job and its files go too.
    for job in BulkJob.objects.filter(status=BulkJobStatus.PREVIEW, created_at__lt=cutoff):
        with transaction.atomic():
            if BulkJob.objects.filter(pk=job.pk, status=BulkJobStatus.PREVIEW).delete()[0] != 1:
                continue
            audit_record(actor=system, action=AuditAction.BULK_REMOVED,
                         details={"bulk_job": job.pk, "file_name": job.file_name, "abandoned_preview": True})
        remove_upload(job.upload_path)
        purged += 1
    return purged

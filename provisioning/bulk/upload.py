"""Bulk Provision Users in the console: upload, the preview (run by the worker), cancel, start,
remove, and the retention purge.

Nothing is created before a person starts the job after seeing the preview; ``bulk_job_start``
refuses a job that needs more licences than remain. The run itself is ``provisioning.bulk.run``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from enrollment.models import PendingEnrollment
from enrollment.services import pending_enrollments_delete
from lib.csvfile import DELIMITER_NAMES, CsvFileError, remove_quietly
from licensing.services import licence_counts
from provisioning.bulk.csvfile import layout_from_json, layout_to_json, read_layout, store_upload
from provisioning.bulk.options import BulkOptions
from provisioning.bulk.preview import preview_file, remove_upload
from provisioning.models import BULK_ACTIVE_STATUSES, BULK_DRAFT_STATUSES, BulkJob, BulkJobStatus

logger = logging.getLogger(__name__)


class BulkError(Exception):
    """A refusal a person can act on; the message is shown as it is."""


# --- upload and preview -------------------------------------------------------------------------


def bulk_job_upload(*, actor: Actor, file_name: str, chunks: Iterable[bytes], options: BulkOptions) -> BulkJob:
    """Store the file privately (as UTF-8), read its header and queue the preview on the worker;
    the job's page shows the rows checked so far, then the preview.

    Raises CsvFileError for a file that cannot be used at all (not text, no header, no username
    column); then nothing is stored. The checks of every row run on the worker
    (``bulk_job_preview``): a request never reads the whole file twice.
    """
    path, decoding = store_upload(chunks)
    try:
        layout = read_layout(path, decoding)
    except BaseException:
        remove_upload(str(path))
        raise
    with transaction.atomic():
        job = BulkJob.objects.create(
            status=BulkJobStatus.CHECKING,
            created_by=actor.user,
            created_by_name=actor.name[:150],
            file_name=file_name[:255],
            upload_path=str(path),
            options={**options.as_json(), "layout": layout_to_json(layout)},
            total_rows=max(decoding.lines - 1, 0),  # about: the lines below the header, until the preview counts rows
        )
        transaction.on_commit(lambda: enqueue_preview(job.pk))
    return job


def bulk_job_preview(*, job_id: int) -> None:
    """The worker's preview of an uploaded file: check every row, keep the rows that pass and the
    problems of those that do not, then wait for a person's Start (status preview). A file that
    cannot be used (too many rows, none) ends refused with the reason on its page.

    Safe to run again (a redelivery, the sweep): only a checking job nobody is checking (no
    heartbeat yet, or a stale one) is claimed, and the preview starts over.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.BULK_HEARTBEAT_STALE_SECONDS)
    claimed = BulkJob.objects.filter(Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale), pk=job_id,
                                     status=BulkJobStatus.CHECKING).update(heartbeat_at=now)
    if claimed != 1:
        return
    job = BulkJob.objects.get(pk=job_id)
    layout = layout_from_json(job.options["layout"])

    def progress(rows: int) -> None:
        if not BulkJob.objects.filter(pk=job_id, status=BulkJobStatus.CHECKING).update(
                processed_rows=rows, heartbeat_at=timezone.now()):
            raise _PreviewCancelled

    try:
        preview = preview_file(Path(job.upload_path), layout, BulkOptions.from_json(job.options), progress)
    except _PreviewCancelled:
        remove_upload(job.upload_path)
        return
    except CsvFileError as exc:
        BulkJob.objects.filter(pk=job_id, status=BulkJobStatus.CHECKING).update(
            status=BulkJobStatus.REFUSED, failure_reason=str(exc), processed_rows=0, total_rows=0)
        remove_upload(job.upload_path)
        return
    with transaction.atomic():
        done = BulkJob.objects.filter(pk=job_id, status=BulkJobStatus.CHECKING).update(
            status=BulkJobStatus.PREVIEW, total_rows=preview.total, processed_rows=0,
            valid_rows=preview.total - len(preview.errors), error_rows=len(preview.errors),
            preview_errors=preview.errors,
        )
        if done != 1:  # cancelled meanwhile
            transaction.on_commit(lambda: remove_upload(job.upload_path))
            return
        audit_record(actor=Actor(user=job.created_by, name=job.created_by_name), action=AuditAction.BULK_UPLOADED,
                     details={"bulk_job": job.pk, "file_name": job.file_name, "rows": preview.total,
                              "bad_rows": len(preview.errors), "encoding": layout.encoding,
                              "delimiter": DELIMITER_NAMES[layout.delimiter]})


class _PreviewCancelled(Exception):
    """The job was cancelled while its rows were being checked."""


def enqueue_preview(job_id: int) -> None:
    from provisioning.tasks import bulk_job_preview_task

    try:
        bulk_job_preview_task.apply_async(args=[job_id], queue=settings.BULK_CELERY_QUEUE)
    except Exception:  # noqa: BLE001 - broker down: the job stays checking and the sweep publishes it again
        logger.exception("Could not publish the preview of bulk job %s; the sweep will queue it again.", job_id)


def bulk_job_cancel(*, job: BulkJob, actor: Actor) -> None:
    """Cancel before the start (while its rows are checked, at the preview, or a refused file):
    the job and its uploaded file go; nothing was created."""
    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().filter(pk=job.pk, status__in=BULK_DRAFT_STATUSES).first()
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
        if locked.status == BulkJobStatus.CHECKING:
            raise BulkError("The rows of this file are still being checked; start it from its preview.")
        if locked.status != BulkJobStatus.PREVIEW:
            raise BulkError("This job cannot be started: it was started already, or its file was refused.")
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
    # Uploads never started nor cancelled (refused ones too): the job and its files go too.
    for job in BulkJob.objects.filter(status__in=[BulkJobStatus.PREVIEW, BulkJobStatus.REFUSED],
                                      created_at__lt=cutoff):
        with transaction.atomic():
            if BulkJob.objects.filter(pk=job.pk, status=job.status).delete()[0] != 1:
                continue
            audit_record(actor=system, action=AuditAction.BULK_REMOVED,
                         details={"bulk_job": job.pk, "file_name": job.file_name, "abandoned_preview": True})
        remove_upload(job.upload_path)
        purged += 1
    return purged

"""Bulk Provision Users: upload and preview, start, run in batches, export, remove, purge.

Rules this module keeps:
- Nothing is created before a person starts the job after seeing the preview.
- Licences: the preview refuses to start a job that needs more licences than remain. At run time
  each batch reserves its rows with ONE ``licence_reserve`` call inside the batch's transaction;
  if the pool shrank meanwhile, that batch writes nothing and the job ends Failed with the
  reason, keeping the batches that fit. The pool is never exceeded.
- Exactly once: PendingEnrollment (bulk_job_id, bulk_row) is unique, and each batch, under the
  job's row lock, reads which of its rows already exist and creates only the others. A worker
  killed mid-batch loses that batch's transaction; the re-run (sweep or redelivery) redoes it.
- The export is built at the end from the database rows and the preview's error rows, never from
  memory, so it lists every CSV row exactly once whatever happened in between.
"""

from __future__ import annotations

import bisect
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import EndUser
from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record, audit_record_many
from enrollment.crypto import seal
from enrollment.models import PendingEnrollment, Source
from enrollment.otp import OtpRule
from enrollment.services import new_token, pending_enrollments_delete
from licensing.services import NoLicenceLeft, licence_counts, licence_reserve
from provisioning.bulk.csvfile import DELIMITER_NAMES, layout_to_json, read_layout, remove_quietly, store_upload
from provisioning.bulk.export import export_write
from provisioning.bulk.fastinsert import end_user_ids, insert_end_users, insert_enrollments
from provisioning.bulk.options import BulkOptions
from provisioning.bulk.preview import preview_file, valid_rows, valid_rows_path
from provisioning.bulk.rows import BulkRow
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
        _remove_upload(str(path))
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
    _remove_upload(job.upload_path)


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
        transaction.on_commit(lambda: _enqueue(locked.pk))
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


def _enqueue(job_id: int) -> None:
    from provisioning.tasks import bulk_job_run_task

    try:
        bulk_job_run_task.apply_async(args=[job_id], queue=settings.BULK_CELERY_QUEUE)
    except Exception:  # noqa: BLE001 - broker down: the job stays queued and the sweep publishes it again
        logger.exception("Could not publish bulk job %s; the sweep will queue it again.", job_id)


# --- the run (Celery worker) ---------------------------------------------------------------------


def bulk_job_run(*, job_id: int) -> None:
    """Create the job's pending enrollments in batches, then write the export.

    Safe to call again at any point (a redelivered task, a re-queue after a dead worker): only a
    queued job, or a running one whose heartbeat is stale, is claimed; created rows are skipped.
    """
    if not _claim(job_id):
        return
    job = BulkJob.objects.get(pk=job_id)
    try:
        failure = _create_rows(job)
        _finish(job, failure)
    except _JobGone:
        return
    except Exception as exc:
        logger.exception("Bulk job %s stopped with an error.", job_id)
        with transaction.atomic():
            stopped = BulkJob.objects.filter(pk=job_id, status=BulkJobStatus.RUNNING).update(
                status=BulkJobStatus.FAILED, finished_at=timezone.now(),
                failure_reason=f"The job stopped with an unexpected error ({exc.__class__.__name__}). "
                               "Rows created so far are kept; remove the job to delete them.",
            )
            if stopped == 1:
                _audit_finished(job_id)
        raise


def _claim(job_id: int) -> bool:
    now = timezone.now()
    stale = now - timedelta(seconds=settings.BULK_HEARTBEAT_STALE_SECONDS)
    claimable = Q(status=BulkJobStatus.QUEUED) | Q(status=BulkJobStatus.RUNNING, heartbeat_at__lt=stale)
    return BulkJob.objects.filter(claimable, pk=job_id).update(status=BulkJobStatus.RUNNING, heartbeat_at=now) == 1


def _job_actor(job: BulkJob) -> Actor:
    # The worker acts for the person who uploaded the file.
    return Actor(user=job.created_by, name=job.created_by_name or "system:bulk")


def _create_rows(job: BulkJob) -> str:
    """Run every batch; returns a failure reason, or "" when all valid rows exist."""
    options = BulkOptions.from_json(job.options)
    context = _BatchContext(job_id=job.pk, options=options, rule=options.otp_rule(), actor=_job_actor(job))
    # Progress counts CSV rows: valid rows done plus the bad rows before the batch's last row.
    bad_rows = sorted(int(item[0]) for item in job.preview_errors)
    batch: list[BulkRow] = []
    done = 0
    for item in valid_rows(Path(job.upload_path)):
        batch.append(item)
        if len(batch) >= settings.BULK_BATCH_SIZE:
            done += len(batch)
            failure = _batch_create(context, batch, done + bisect.bisect_right(bad_rows, item.row))
            if failure is not None:
                return failure
            batch = []
    return _batch_create(context, batch, job.total_rows) or ""


@dataclass(frozen=True)
class _BatchContext:
    job_id: int
    options: BulkOptions
    rule: OtpRule
    actor: Actor


class _JobGone(Exception):
    """The job is no longer running (removed or failed elsewhere): stop without touching it."""


def _batch_create(context: _BatchContext, batch: list[BulkRow], seen: int) -> str | None:
    """One transaction: reserve, create, notify, audit, record progress. Returns a failure
    reason when the pool cannot hold the batch (nothing of the batch is written)."""
    try:
        with transaction.atomic():
            job = BulkJob.objects.select_for_update().filter(pk=context.job_id,
                                                             status=BulkJobStatus.RUNNING).first()
            if job is None:
                raise _JobGone
            created = _insert(context, batch) if batch else 0
            BulkJob.objects.filter(pk=context.job_id).update(
                processed_rows=seen, created_rows=F("created_rows") + created, heartbeat_at=timezone.now()
            )
    except NoLicenceLeft as exc:
        return str(exc)
    _let_other_writers_in()
    return None


# SQLite (the embedded default) lets one writer in at a time, and a writer waiting for the lock
# polls, at most every 100 ms. A job that began its next batch at once would keep the console's
# writes (Provision User, a QR code, a sign-in) waiting for the whole job, then failing with
# "database is locked"; a pause longer than one poll between batches lets them in.
SQLITE_PAUSE_BETWEEN_BATCHES = 0.15


def _let_other_writers_in() -> None:
    if connection.vendor == "sqlite":
        time.sleep(SQLITE_PAUSE_BETWEEN_BATCHES)


def _insert(context: _BatchContext, batch: list[BulkRow]) -> int:
    # A row range (the batch is in row order) is an index range scan on (bulk_job_id, bulk_row);
    # an IN list may be planned as a scan of the whole job, once per batch.
    existing = set(
        PendingEnrollment.objects.filter(bulk_job_id=context.job_id, bulk_row__gte=batch[0].row,
                                         bulk_row__lte=batch[-1].row)
        .values_list("bulk_row", flat=True)
    )
    rows = [r for r in batch if r.row not in existing]
    if not rows:
        return 0
    licence_reserve(quantity=len(rows), actor=context.actor,
                    note=f"bulk job {context.job_id}: rows {rows[0].row}-{rows[-1].row}")
    end_users = _end_users(rows)
    rule = context.rule
    expires = rule.expires_at()
    actor = context.actor
    otps: list[str] = []
    enrollments: list[PendingEnrollment] = []
    for item in rows:
        otp = rule.generate()
        otps.append(otp)
        enrollments.append(PendingEnrollment(
            token=new_token(), username=item.username, user_type=item.user_type,
            end_user_id=end_users.get((item.user_type, item.username)), email=item.email, mobile=item.mobile,
            ownership=item.ownership, source=Source.BULK, otp_ciphertext=seal(otp), otp_expires_at=expires,
            usage_count=1, uses_remaining=1, reserved_licences=1, created_by=actor.user,
            created_by_name=actor.name[:150], bulk_job_id=context.job_id, bulk_row=item.row,
        ))
    notify = context.options.email_user or context.options.sms_user
    insert_enrollments(enrollments, need_ids=notify)
    if notify:
        from notifications.services import notify_enrollments_created_many

        # The messages name the user: load the end users once, not once per row.
        people = EndUser.objects.in_bulk({e.end_user_id for e in enrollments if e.end_user_id})
        for enrollment in enrollments:
            enrollment.end_user = people.get(enrollment.end_user_id)

        notify_enrollments_created_many(items=list(zip(enrollments, otps, strict=True)), actor=actor,
                                        email_user=context.options.email_user, sms_user=context.options.sms_user)
    audit_record_many(actor=actor, action=AuditAction.ENROLLMENT_CREATED,
                      targets=[(e.token, e.username) for e in enrollments],
                      details={"source": Source.BULK, "bulk_job": context.job_id})
    return len(enrollments)


def _end_users(rows: list[BulkRow]) -> dict[tuple[str, str], int]:
    """The EndUser id of each row, created (with the CSV's names, email and mobile) when missing.
    Existing end users are linked, never changed."""
    found = end_user_ids({(r.user_type, r.username) for r in rows})
    missing: dict[tuple[str, str], EndUser] = {}
    for r in rows:
        key = (r.user_type, r.username)
        if key not in found and key not in missing:
            missing[key] = EndUser(username=r.username, user_type=r.user_type, email=r.email, mobile=r.mobile,
                                   first_name=r.first_name, last_name=r.last_name)
    if missing:
        insert_end_users(list(missing.values()))
        # The insert skips end users created meanwhile (by the portal, say): read the ids back.
        found.update(end_user_ids(set(missing)))
    return found


def _finish(job: BulkJob, failure: str) -> None:
    """Write the export, then mark the job done (or failed, with the reason)."""
    path = export_write(job, not_created_reason=_not_created_reason(failure))
    created = PendingEnrollment.objects.filter(bulk_job_id=job.pk).count()
    now = timezone.now()
    with transaction.atomic():
        finished = BulkJob.objects.filter(pk=job.pk, status=BulkJobStatus.RUNNING).update(
            status=BulkJobStatus.FAILED if failure else BulkJobStatus.COMPLETED,
            failure_reason=failure, export_path=str(path), upload_path="", processed_rows=job.total_rows,
            created_rows=created, finished_at=now, heartbeat_at=now,
        )
        if finished == 1:
            _audit_finished(job.pk)
    _remove_upload(job.upload_path)


def _audit_finished(job_id: int) -> None:
    """The job's one BULK_JOB_FINISHED entry: only the caller whose update moved the job out of
    running writes it (in that update's transaction), so a re-run or a second worker never does."""
    job = BulkJob.objects.get(pk=job_id)
    details: dict[str, object] = {
        "bulk_job": job.pk, "file_name": job.file_name, "status": job.status,
        "created_rows": job.created_rows, "refused_rows": job.error_rows,
        "not_created_rows": max(job.valid_rows - job.created_rows, 0),
    }
    if job.failure_reason:
        details["failure_reason"] = job.failure_reason
    audit_record(actor=_job_actor(job), action=AuditAction.BULK_JOB_FINISHED, details=details)


def _remove_upload(upload_path: str) -> None:
    if upload_path:
        remove_quietly(upload_path)
        remove_quietly(valid_rows_path(Path(upload_path)))


def _not_created_reason(failure: str) -> str:
    if failure.startswith("Not enough device licences"):
        return "Not created: not enough device licences."
    return "Not created."


# --- export --------------------------------------------------------------------------------------


def bulk_export_open(*, job: BulkJob, actor: Actor) -> Path:
    """The export file for download; audited. Raises BulkError when there is none (any more)."""
    if not job.export_path or not Path(job.export_path).is_file():
        raise BulkError("This job has no export file (it is not finished, or its file was deleted after the "
                        f"retention period of {settings.BULK_EXPORT_RETENTION_HOURS} hours).")
    audit_record(actor=actor, action=AuditAction.BULK_DOWNLOADED,
                 details={"bulk_job": job.pk, "file_name": job.file_name, "rows": job.total_rows})
    return Path(job.export_path)


# --- remove, sweep, purge ------------------------------------------------------------------------


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
    _remove_upload(job.upload_path)
    return deleted


def bulk_jobs_requeue_stale(*, stale_after_seconds: int | None = None) -> list[int]:
    """The sweep: a running job whose heartbeat is older than the limit lost its worker; put it
    back to queued and publish it again. Queued jobs not claimed within the limit (a lost
    publish) are published again too; claiming is atomic, so a duplicate message is harmless."""
    seconds = settings.BULK_HEARTBEAT_STALE_SECONDS if stale_after_seconds is None else stale_after_seconds
    stale = timezone.now() - timedelta(seconds=seconds)
    with transaction.atomic():
        ids = list(BulkJob.objects.select_for_update(skip_locked=True).filter(
            Q(status=BulkJobStatus.RUNNING, heartbeat_at__lt=stale)
            | Q(status=BulkJobStatus.QUEUED, started_at__lt=stale)
        ).values_list("pk", flat=True))
        BulkJob.objects.filter(pk__in=ids, status=BulkJobStatus.RUNNING).update(status=BulkJobStatus.QUEUED)
        for job_id in ids:
            transaction.on_commit(partial(_enqueue, job_id))
    return ids


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
        _remove_upload(job.upload_path)
        purged += 1
    return purged

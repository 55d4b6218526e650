"""Bulk Provision Users on the worker: create a started job's rows in batches, write the export,
and the sweep that resumes a job whose worker died.

Rules this module keeps:
- Nothing is created before a person starts the job after seeing the preview.
- Licences: the preview refuses to start a job that needs more licences than remain. At run time
  each batch reserves its rows with ONE ``licence_reserve`` call inside the batch's transaction;
  if the pool shrank meanwhile, that batch writes nothing and the job ends Failed with the
  reason, keeping the batches that fit. The pool is never exceeded.
- Exactly once: PendingEnrollment (bulk_job_id, bulk_row) is unique, and each batch, under the
  job's row lock, reads which of its rows already exist and creates only the others. A worker
  killed mid-batch loses that batch's transaction; the re-run (sweep or redelivery) redoes it.
- The export is written by the batches as they commit (``provisioning.bulk.export``): each batch
  commits the export file's length and last row with its rows, and a resumed run cuts the file back
  to what was committed, so it lists every CSV row exactly once whatever happened in between.
"""

from __future__ import annotations

import bisect
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
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
from enrollment.models import PendingEnrollment, Source, State
from enrollment.otp import OtpRule
from enrollment.services import new_token
from lib.bulkinsert import insert_plain, new_instances
from lib.crypto import seal
from licensing.services import NoLicenceLeft, licence_reserve
from provisioning.bulk.export import Created, ExportStream, created_from_database, export_write
from provisioning.bulk.fastinsert import end_user_ids, insert_end_users
from provisioning.bulk.options import BulkOptions
from provisioning.bulk.preview import remove_upload, valid_rows
from provisioning.bulk.rows import BulkRow
from provisioning.bulk.upload import enqueue, enqueue_preview
from provisioning.models import BulkJob, BulkJobStatus
from webhooks import payloads
from webhooks.events import Event, event_record, events_record

logger = logging.getLogger(__name__)


# --- the run (Celery worker) ---------------------------------------------------------------------


def bulk_job_run(*, job_id: int) -> None:
    """Create the job's pending enrollments in batches, writing the export as they commit.

    Safe to call again at any point (a redelivered task, a re-queue after a dead worker): only a
    queued job, or a running one whose heartbeat is stale, is claimed; it goes on after the last
    committed batch, and created rows are skipped.
    """
    if not _claim(job_id):
        return
    job = BulkJob.objects.get(pk=job_id)
    export = ExportStream.open(job)
    try:
        failure = _create_rows(job, export)
        _finish(job, failure, export)
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
    finally:
        if export is not None:
            export.close()


def _claim(job_id: int) -> bool:
    now = timezone.now()
    stale = now - timedelta(seconds=settings.BULK_HEARTBEAT_STALE_SECONDS)
    claimable = Q(status=BulkJobStatus.QUEUED) | Q(status=BulkJobStatus.RUNNING, heartbeat_at__lt=stale)
    return BulkJob.objects.filter(claimable, pk=job_id).update(status=BulkJobStatus.RUNNING, heartbeat_at=now) == 1


def _job_actor(job: BulkJob) -> Actor:
    # The worker acts for the person who uploaded the file.
    return Actor(user=job.created_by, name=job.created_by_name or "system:bulk")


def _create_rows(job: BulkJob, export: ExportStream | None) -> str:
    """Run every batch after the last one committed; returns a failure reason, or "" when all
    valid rows exist."""
    options = BulkOptions.from_json(job.options)
    context = _BatchContext(job_id=job.pk, options=options, rule=options.otp_rule(), actor=_job_actor(job),
                            export=export)
    # Progress counts CSV rows: valid rows done plus the bad rows before the batch's last row.
    bad_rows = sorted(int(item[0]) for item in job.preview_errors)
    batch: list[BulkRow] = []
    done = 0
    size = settings.BULK_BATCH_SIZE
    for item in valid_rows(Path(job.upload_path)):
        done += 1
        if export is not None and item.row <= export.row:
            continue  # in a batch that committed before this run
        batch.append(item)
        if len(batch) >= size:
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
    export: ExportStream | None


class _JobGone(Exception):
    """The job is no longer running (removed or failed elsewhere): stop without touching it."""


def _batch_create(context: _BatchContext, batch: list[BulkRow], seen: int) -> str | None:
    """One transaction: reserve, create, notify, audit, write the batch's export lines, record
    progress. Returns a failure reason when the pool cannot hold the batch (nothing of the batch
    is written)."""
    try:
        with transaction.atomic():
            job = BulkJob.objects.select_for_update().filter(pk=context.job_id,
                                                             status=BulkJobStatus.RUNNING).first()
            if job is None:
                raise _JobGone
            created, lines = _insert(context, batch) if batch else (0, [])
            progress: dict[str, object] = {}
            if context.export is not None and batch:
                progress = {"export_offset": context.export.batch(lines, batch[-1].row),
                            "export_row": batch[-1].row}
            BulkJob.objects.filter(pk=context.job_id).update(
                processed_rows=seen, created_rows=F("created_rows") + created, heartbeat_at=timezone.now(),
                **progress,
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


def _insert(context: _BatchContext, batch: list[BulkRow]) -> tuple[int, list[Created]]:
    """Create the batch's rows that do not exist yet; returns how many it created and every row of
    the batch as the export lists it (rows an earlier run created with their stored token and OTP)."""
    # A row range (the batch is in row order) is an index range scan on (bulk_job_id, bulk_row);
    # an IN list may be planned as a scan of the whole job, once per batch.
    existing = set(
        PendingEnrollment.objects.filter(bulk_job_id=context.job_id, bulk_row__gte=batch[0].row,
                                         bulk_row__lte=batch[-1].row)
        .values_list("bulk_row", flat=True)
    )
    rows = [r for r in batch if r.row not in existing]
    earlier = created_from_database(context.job_id, [r for r in batch if r.row in existing]) if existing else []
    if not rows:
        return 0, earlier
    licence_reserve(quantity=len(rows), actor=context.actor,
                    note=f"bulk job {context.job_id}: rows {rows[0].row}-{rows[-1].row}")
    end_users = _end_users(rows)
    rule = context.rule
    expires = rule.expires_at()
    actor = context.actor
    notify = context.options.email_user or context.options.sms_user
    otps = [rule.generate() for _ in rows]
    tokens = [new_token() for _ in rows]
    # Plain rows, no model instance (instances only for the messages, when the job sends any).
    shared: dict[str, object] = {
        "source": Source.BULK, "otp_expires_at": expires, "usage_count": 1, "uses_remaining": 1,
        "reserved_licences": 1, "created_by_id": actor.user.pk if actor.user else None,
        "created_by_name": actor.name[:150], "bulk_job_id": context.job_id}
    values: list[tuple[object, ...]] = [
        (token, item.username, item.user_type, end_users.get((item.user_type, item.username)), item.email,
         item.mobile, item.ownership, seal(otp), item.row, item.language)
        for item, otp, token in zip(rows, otps, tokens, strict=True)]
    ids = insert_plain(PendingEnrollment, ENROLLMENT_NAMES, values, constant=shared, with_ids=notify)
    if notify:
        _notify(context, values, ids, shared, otps)
    audit_record_many(actor=actor, action=AuditAction.ENROLLMENT_CREATED,
                      targets=[(token, item.username) for item, token in zip(rows, tokens, strict=True)],
                      details={"source": Source.BULK, "bulk_job": context.job_id})
    # One enrollment.created per row, in one COPY per batch (one read of the subscribers when there are none).
    now = timezone.now()
    events_record(Event.ENROLLMENT_CREATED, (payloads.enrollment_fields(
        token=token, username=item.username, user_type=item.user_type, ownership=item.ownership, source=Source.BULK,
        state=State.ACTIVE, usage_count=1, uses_remaining=1, otp_expires_at=expires, created_at=now,
        bulk_job_id=context.job_id, actor=actor.name) for item, token in zip(rows, tokens, strict=True)))
    made = [(item, token, otp, expires) for item, token, otp in zip(rows, tokens, otps, strict=True)]
    return len(made), sorted(made + earlier, key=lambda c: c[0].row) if earlier else made


# A batch's enrollment columns, in the order of its plain rows.
ENROLLMENT_NAMES = ("token", "username", "user_type", "end_user_id", "email", "mobile", "ownership", "otp_ciphertext",
                    "bulk_row", "language")


def _notify(context: _BatchContext, values: list[tuple[object, ...]], ids: list[int], shared: dict[str, object],
            otps: list[str]) -> None:
    from notifications.outbox import notify_enrollments_created_many

    enrollments: list[PendingEnrollment] = new_instances(PendingEnrollment, (
        {**shared, **dict(zip(ENROLLMENT_NAMES, row, strict=True)), "id": pk}
        for row, pk in zip(values, ids, strict=True)))
    # The messages name the user: load the end users once, not once per row.
    people = EndUser.objects.in_bulk({e.end_user_id for e in enrollments if e.end_user_id})
    for enrollment in enrollments:
        enrollment.end_user = people.get(enrollment.end_user_id)
        enrollment._state.adding = False
    notify_enrollments_created_many(items=list(zip(enrollments, otps, strict=True)), actor=context.actor,
                                    email_user=context.options.email_user, sms_user=context.options.sms_user)


def _end_users(rows: list[BulkRow]) -> dict[tuple[str, str], int]:
    """The EndUser id of each row, created (with the CSV's names, email and mobile) when missing.
    Existing end users are linked, never changed."""
    found = end_user_ids({(r.user_type, r.username) for r in rows})
    missing: dict[tuple[str, str], tuple[str, ...]] = {}
    for r in rows:
        key = (r.user_type, r.username)
        if key not in found and key not in missing:
            missing[key] = (r.username, r.user_type, r.email, r.mobile, r.first_name, r.last_name)
    if missing:
        found.update(insert_end_users(list(missing.values())))
        # The insert skips end users created meanwhile (by the portal, say): read their ids.
        if meanwhile := set(missing) - found.keys():
            found.update(end_user_ids(meanwhile))
    return found


def _finish(job: BulkJob, failure: str, export: ExportStream | None) -> None:
    """Complete the export, then mark the job done (or failed, with the reason)."""
    reason = _not_created_reason(failure)
    if export is not None:
        # Valid rows after the last batch exist only when the job failed (they were not created).
        path = export.finish(valid_rows(Path(job.upload_path)) if failure else (), reason)
    else:
        path = export_write(job, not_created_reason=reason)
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
    remove_upload(job.upload_path)


def _audit_finished(job_id: int) -> None:
    """The job's one BULK_JOB_FINISHED entry and bulk_job.finished event: only the caller whose update
    moved the job out of running writes them (in that update's transaction), so a re-run or a second
    worker never does."""
    job = BulkJob.objects.get(pk=job_id)
    details: dict[str, object] = {
        "bulk_job": job.pk, "file_name": job.file_name, "status": job.status,
        "created_rows": job.created_rows, "refused_rows": job.error_rows,
        "not_created_rows": max(job.valid_rows - job.created_rows, 0),
    }
    if job.failure_reason:
        details["failure_reason"] = job.failure_reason
    audit_record(actor=_job_actor(job), action=AuditAction.BULK_JOB_FINISHED, details=details)
    event_record(Event.BULK_JOB_FINISHED, payloads.bulk_job_finished(job, actor=_job_actor(job).name))


def _not_created_reason(failure: str) -> str:
    if failure.startswith("Not enough device licences"):
        return "Not created: not enough device licences."
    return "Not created."


# --- the sweep ---------------------------------------------------------------------------------------


def bulk_jobs_requeue_stale(*, stale_after_seconds: int | None = None) -> list[int]:
    """The sweep: a running job whose heartbeat is older than the limit lost its worker; put it
    back to queued and publish it again. Queued jobs not claimed within the limit (a lost
    publish) are published again too; claiming is atomic, so a duplicate message is harmless."""
    seconds = settings.BULK_HEARTBEAT_STALE_SECONDS if stale_after_seconds is None else stale_after_seconds
    stale = timezone.now() - timedelta(seconds=seconds)
    # A preview whose worker died (or whose publish was lost) is published again; it starts over.
    for job_id in BulkJob.objects.filter(
            Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, created_at__lt=stale),
            status=BulkJobStatus.CHECKING).values_list("pk", flat=True):
        BulkJob.objects.filter(pk=job_id, status=BulkJobStatus.CHECKING).update(heartbeat_at=None)
        enqueue_preview(job_id)
    with transaction.atomic():
        ids = list(BulkJob.objects.select_for_update(skip_locked=True).filter(
            Q(status=BulkJobStatus.RUNNING, heartbeat_at__lt=stale)
            | Q(status=BulkJobStatus.QUEUED, started_at__lt=stale)
        ).values_list("pk", flat=True))
        BulkJob.objects.filter(pk__in=ids, status=BulkJobStatus.RUNNING).update(status=BulkJobStatus.QUEUED)
        for job_id in ids:
            transaction.on_commit(partial(enqueue, job_id))
    return ids

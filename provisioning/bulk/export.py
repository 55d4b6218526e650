"""The export file: UTF-8 with BOM, one line per CSV row, cells made safe for
spreadsheets. Built from the database rows and the preview's error rows, never from a run's
memory, so a resumed job's export still lists every row exactly once."""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from enrollment.links import activation_base_url, activation_link
from enrollment.models import PendingEnrollment
from enrollment.services import OTP_UNREADABLE
from lib.crypto import SecretUnreadable, unseal
from lib.spreadsheet import spreadsheet_safe
from provisioning.bulk.csvfile import bulk_dir, iter_records, layout_from_json
from provisioning.bulk.upload import BulkError
from provisioning.models import BulkJob

logger = logging.getLogger(__name__)

EXPORT_COLUMNS = ["row", "username", "email", "mobile", "ownership", "token", "otp", "otp_expires_at",
                  "activation_url", "status", "error"]


def export_path_for(job_id: int) -> Path:
    return bulk_dir() / f"bulk-{job_id}-export.csv"


def export_write(job: BulkJob, *, not_created_reason: str) -> Path:
    """Every CSV row once, in file order: created rows with token and OTP, bad rows with the reason."""
    target = export_path_for(job.pk)
    partial = target.with_suffix(".part")
    errors = {int(row): reason for row, _username, reason in job.preview_errors}
    base_url = activation_base_url()
    created = _created_rows(job.pk)
    pending = next(created, None)
    # The export holds OTPs: readable by the server's account only (0600), even for a leftover
    # .part of a crashed run, which O_CREAT alone would leave with its old mode.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with open(fd, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for row, cells in iter_records(Path(job.upload_path), layout_from_json(job.options["layout"])):
            while pending is not None and pending[0] < row:
                pending = next(created, None)
            if pending is not None and pending[0] == row:
                _, username, email, mobile, ownership, token, sealed, expires = pending
                otp, problem = _otp_cell(job.pk, row, sealed)
                cells_out = [row, username, email, mobile, ownership, token, otp, _when(expires),
                             activation_link(token, base_url), "created", problem]
            else:
                reason = errors.get(row)
                cells_out = [row, cells.get("username", ""), cells.get("email", ""), cells.get("mobile", ""),
                             cells.get("ownership", ""), "", "", "", "", "error" if reason else "not created",
                             reason or not_created_reason]
            writer.writerow([spreadsheet_safe(value) for value in cells_out])
    os.replace(partial, target)
    return target


def _otp_cell(job_id: int, row: int, sealed: str) -> tuple[str, str]:
    """(otp, error) for the export: a row sealed with a key no longer configured is listed without
    its OTP, logged (never the ciphertext), and the rest of the file is still written."""
    try:
        return unseal(sealed), ""
    except SecretUnreadable:
        logger.error("Bulk job %s row %s: the OTP cannot be decrypted with the configured OTP_ENCRYPTION_KEY "
                     "keys; it must be reset.", job_id, row)
        return "", OTP_UNREADABLE


def _created_rows(job_id: int) -> Iterator[tuple[Any, ...]]:
    return (
        PendingEnrollment.objects.filter(bulk_job_id=job_id)
        .order_by("bulk_row")
        .values_list("bulk_row", "username", "email", "mobile", "ownership", "token", "otp_ciphertext",
                     "otp_expires_at")
        .iterator(chunk_size=2000)
    )


def _when(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def bulk_export_open(*, job: BulkJob, actor: Actor) -> Path:
    """The export file for download; audited. Raises BulkError when there is none (any more)."""
    if not job.export_path or not Path(job.export_path).is_file():
        raise BulkError("This job has no export file (it is not finished, or its file was deleted after the "
                        f"retention period of {settings.BULK_EXPORT_RETENTION_HOURS} hours).")
    audit_record(actor=actor, action=AuditAction.BULK_DOWNLOADED,
                 details={"bulk_job": job.pk, "file_name": job.file_name, "rows": job.total_rows})
    return Path(job.export_path)

"""The export file: UTF-8 with BOM, one line per CSV row in file order, cells made safe for
spreadsheets.

The batches write it as they go (``ExportStream``): each batch appends the lines of its rows,
with the bad rows before them, and commits the file's new length (``BulkJob.export_offset``) and
last row (``export_row``) with its enrollments. A resumed run cuts the file back to the committed
length and goes on from the committed row, so every CSV row is listed exactly once whatever
happened in between, and no OTP is decrypted again. When that file cannot be trusted (lost,
shorter than committed, a job queued before it existed) the export is built from the database
rows and the preview's error rows instead (``export_write``).
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Iterable, Iterator
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
from lib.csvfile import iter_records
from lib.spreadsheet import spreadsheet_safe
from provisioning.bulk.csvfile import bulk_dir, layout_from_json
from provisioning.bulk.preview import ErrorRow, error_rows, error_rows_path
from provisioning.bulk.rows import BulkRow
from provisioning.bulk.upload import BulkError
from provisioning.models import BulkJob

logger = logging.getLogger(__name__)

EXPORT_COLUMNS = ["row", "username", "email", "mobile", "ownership", "token", "otp", "otp_expires_at",
                  "activation_url", "status", "error"]
BOM = "\ufeff"

# A created row as the export lists it: the row, its cells, its token, OTP and expiry.
Created = tuple[BulkRow, str, str, datetime | None]


def export_path_for(job_id: int) -> Path:
    return bulk_dir() / f"bulk-{job_id}-export.csv"


def _open_private(path: Path, flags: int) -> int:
    # The export holds OTPs: readable by the server's account only (0600), even for a leftover
    # .part of a crashed run, which O_CREAT alone would leave with its old mode.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | flags, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def _created_cells(row: int, username: str, email: str, mobile: str, ownership: str, token: str, otp: str,
                   expires: datetime | None, base_url: str, problem: str = "") -> list[object]:
    return [row, username, email, mobile, ownership, token, otp, _when(expires), activation_link(token, base_url),
            "created", problem]


def _uncreated_cells(row: int, username: str, email: str, mobile: str, ownership: str, status: str,
                     reason: str) -> list[object]:
    return [row, username, email, mobile, ownership, "", "", "", "", status, reason]


def _refused_cells(item: ErrorRow) -> list[object]:
    row, username, email, mobile, ownership, reason = item
    return _uncreated_cells(row, username, email, mobile, ownership, "error", reason)


def _not_created_cells(item: BulkRow, reason: str) -> list[object]:
    return _uncreated_cells(item.row, item.username, item.email, item.mobile, item.ownership, "not created", reason)


class ExportStream:
    """The export of one run, appended batch by batch (see the module docstring).

    ``open`` returns None when the file written so far cannot be trusted; the run then builds the
    export from the database at the end (``export_write``).
    """

    def __init__(self, job: BulkJob, handle: Any, errors: Iterator[ErrorRow]) -> None:
        self._job_id = job.pk
        self._handle = handle
        self._writer = csv.writer(handle)
        self._errors = errors
        self._next_error = next(errors, None)
        self._base_url = activation_base_url()
        self.row = job.export_row

    @classmethod
    def open(cls, job: BulkJob) -> ExportStream | None:
        upload = Path(job.upload_path)
        part = export_path_for(job.pk).with_suffix(".part")
        if not error_rows_path(upload).is_file():
            return None  # queued before the preview kept the bad rows' cells
        if job.export_offset:
            if not part.is_file() or part.stat().st_size < job.export_offset:
                return None
            fd = _open_private(part, 0)
            os.truncate(fd, job.export_offset)  # lines of a batch that did not commit go
        else:
            fd = _open_private(part, os.O_TRUNC)
        handle = open(fd, "a", encoding="utf-8", newline="")  # noqa: SIM115 - closed by close()
        if not job.export_offset:
            handle.write(BOM)
            csv.writer(handle).writerow(EXPORT_COLUMNS)
        errors = (item for item in error_rows(upload) if item[0] > job.export_row)
        return cls(job, handle, errors)

    def _bad_rows_before(self, row: int) -> None:
        while self._next_error is not None and self._next_error[0] < row:
            self._write(_refused_cells(self._next_error))
            self._next_error = next(self._errors, None)

    def _write(self, cells: list[object]) -> None:
        self._writer.writerow([spreadsheet_safe(value) for value in cells])

    def batch(self, created: Iterable[Created], last_row: int) -> int:
        """Append the lines of rows up to ``last_row``: the bad ones and ``created`` (in row
        order). Returns the file's new length, which the caller commits with the batch."""
        for item, token, otp, expires in created:
            self._bad_rows_before(item.row)
            self._write(_created_cells(item.row, item.username, item.email, item.mobile, item.ownership, token, otp,
                                       expires, self._base_url))
        self._bad_rows_before(last_row + 1)
        self.row = max(self.row, last_row)
        # Flushed to the kernel: a killed worker loses nothing of it. A machine that crashes may lose
        # the tail the database already committed; ``open`` then finds the file shorter than committed.
        self._handle.flush()
        return os.fstat(self._handle.fileno()).st_size

    def finish(self, rest: Iterable[BulkRow], not_created_reason: str) -> Path:
        """The rows after the last batch (bad rows, and valid rows a failed job did not create):
        then the file is complete and takes its final name."""
        for item in rest:
            if item.row <= self.row:
                continue
            self._bad_rows_before(item.row)
            self._write(_not_created_cells(item, not_created_reason))
        self._bad_rows_before(2 ** 31)
        self.close()
        target = export_path_for(self._job_id)
        os.replace(target.with_suffix(".part"), target)
        return target

    def close(self) -> None:
        self._handle.close()


def export_write(job: BulkJob, *, not_created_reason: str) -> Path:
    """The export built from the database rows and the upload: every CSV row once, in file order,
    created rows with token and OTP (decrypted again), bad rows with the reason."""
    target = export_path_for(job.pk)
    partial = target.with_suffix(".part")
    errors = {int(row): reason for row, _username, reason in job.preview_errors}
    base_url = activation_base_url()
    created = _created_rows(job.pk)
    pending = next(created, None)
    with open(_open_private(partial, os.O_TRUNC), "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for row, cells in iter_records(Path(job.upload_path), layout_from_json(job.options["layout"])):
            while pending is not None and pending[0] < row:
                pending = next(created, None)
            if pending is not None and pending[0] == row:
                _, username, email, mobile, ownership, token, sealed, expires = pending
                otp, problem = _otp_cell(job.pk, row, sealed)
                cells_out = _created_cells(row, username, email, mobile, ownership, token, otp, expires, base_url,
                                           problem)
            else:
                reason = errors.get(row)
                cells_out = _uncreated_cells(row, cells.get("username", ""), cells.get("email", ""),
                                             cells.get("mobile", ""), cells.get("ownership", ""),
                                             "error" if reason else "not created", reason or not_created_reason)
            writer.writerow([spreadsheet_safe(value) for value in cells_out])
    os.replace(partial, target)
    return target


def created_from_database(job_id: int, rows: list[BulkRow]) -> list[Created]:
    """The export's view of ``rows`` that a run before this one created (a batch redone after its
    commit but before its file was written): their token and OTP as stored."""
    by_row = {item.row: item for item in rows}
    found: list[Created] = []
    for row, _username, _email, _mobile, _ownership, token, sealed, expires in _created_rows(
            job_id, min(by_row), max(by_row)):
        if row in by_row:
            found.append((by_row[row], token, _otp_cell(job_id, row, sealed)[0], expires))
    return found


def _otp_cell(job_id: int, row: int, sealed: str) -> tuple[str, str]:
    """(otp, error) for the export: a row sealed with a key no longer configured is listed without
    its OTP, logged (never the ciphertext), and the rest of the file is still written."""
    try:
        return unseal(sealed), ""
    except SecretUnreadable:
        logger.error("Bulk job %s row %s: the OTP cannot be decrypted with the configured OTP_ENCRYPTION_KEY "
                     "keys; it must be reset.", job_id, row)
        return "", OTP_UNREADABLE


def _created_rows(job_id: int, first: int | None = None, last: int | None = None) -> Iterator[tuple[Any, ...]]:
    rows = PendingEnrollment.objects.filter(bulk_job_id=job_id)
    if first is not None:
        rows = rows.filter(bulk_row__gte=first, bulk_row__lte=last)
    return (
        rows.order_by("bulk_row")
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

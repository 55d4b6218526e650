"""The preview: every row checked before anything is created, on the worker (a 200,000-row file
takes seconds), with the rows checked so far shown on the preview page.

Rows that pass are written, normalised, to a private file beside the upload
(``valid_rows_path``); the worker creates exactly those, so it neither re-checks nor asks LDAP
again. Rows that fail are kept with their reason for the preview page, and with their cells in
``error_rows_path`` for the export, which the batches write as they go.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from accounts import ldap
from accounts.models import UserType
from lib.csvfile import CsvFileError, CsvLayout, CsvRecord, iter_records, remove_quietly
from provisioning.bulk.options import BulkOptions
from provisioning.bulk.rows import BulkRow, RowError, build_row

# The export's cells of a bad row, as read: row, username, email, mobile, ownership, reason.
ErrorRow = tuple[int, str, str, str, str, str]
PROGRESS_EVERY = 2000  # rows between two progress reports


@dataclass
class Preview:
    total: int
    errors: list[list[Any]]  # [row, username, reason], in row order


def preview_file(path: Path, layout: CsvLayout, options: BulkOptions,
                 progress: Callable[[int], None] = lambda rows: None) -> Preview:
    """Check every row of the (UTF-8) upload; raises CsvFileError for too many rows or none.
    ``progress`` is told the rows checked so far every PROGRESS_EVERY rows (it may raise to stop)."""
    limit = settings.BULK_MAX_ROWS
    seen: dict[tuple[str, str], int] = {}
    errors: list[list[Any]] = []
    total = 0
    with valid_rows_path(path).open("w", encoding="utf-8", newline="") as handle, \
            error_rows_path(path).open("w", encoding="utf-8", newline="") as bad, ldap.LdapDirectory() as directory:
        valid, refused = csv.writer(handle), csv.writer(bad)
        for row, cells in iter_records(path, layout):
            total += 1
            if total > limit:
                raise CsvFileError(f"The file has more than {limit:,} rows. Split it into several files.")
            if total % PROGRESS_EVERY == 0:
                progress(total)
            try:
                valid.writerow(_checked_row(row, cells, options, seen, directory).as_row())
            except RowError as exc:
                username = cells.get("username", "")
                errors.append([row, username[:150], str(exc)])
                refused.writerow([row, username, cells.get("email", ""), cells.get("mobile", ""),
                                  cells.get("ownership", ""), str(exc)])
    if total == 0:
        raise CsvFileError("The file has a header row but no users below it.")
    return Preview(total=total, errors=errors)


def _checked_row(row: int, cells: CsvRecord, options: BulkOptions, seen: dict[tuple[str, str], int],
                 directory: ldap.LdapDirectory) -> BulkRow:
    if cells.problem:
        raise RowError(cells.problem)
    item = build_row(row, cells, default_ownership=options.ownership, default_language=options.language)
    key = (item.user_type, item.username.lower())
    if key in seen:
        raise RowError(f"Duplicate username {item.username!r} (first in row {seen[key]}).")
    seen[key] = row
    if item.user_type == UserType.LDAP:
        if not ldap.ldap_enabled():
            raise RowError("LDAP is not configured, so LDAP users cannot be provisioned.")
        try:
            if directory.lookup(item.username) is None:
                raise RowError(f"LDAP user {item.username!r} not found.")
        except ldap.LdapError as exc:
            raise RowError(f"LDAP lookup failed: {exc}") from None
    return item


def first_rows(path: Path, layout: CsvLayout, count: int = 10) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The known columns (in file order) and the first ``count`` rows exactly as they were read,
    so a person sees before Start whether the file was decoded and split right."""
    columns = sorted(layout.columns, key=layout.columns.__getitem__)
    rows = []
    for row, cells in iter_records(path, layout):
        rows.append((row, [cells.get(column, "") for column in columns]))
        if len(rows) == count:
            break
    return columns, rows


def valid_rows_path(upload: Path) -> Path:
    """The preview's output beside the upload: every valid row, checked and normalised, which is
    what the worker creates (so it neither re-checks nor asks LDAP again)."""
    return upload.with_suffix(".valid.csv")


def error_rows_path(upload: Path) -> Path:
    """The bad rows' cells and reasons beside the upload, in row order, for the export."""
    return upload.with_suffix(".errors.csv")


def valid_rows(upload: Path) -> Iterator[BulkRow]:
    with valid_rows_path(upload).open("r", encoding="utf-8", newline="") as handle:
        for row, *values in csv.reader(handle):
            yield BulkRow(int(row), *values)


def error_rows(upload: Path) -> Iterator[ErrorRow]:
    with error_rows_path(upload).open("r", encoding="utf-8", newline="") as handle:
        for row, username, email, mobile, ownership, reason in csv.reader(handle):
            yield int(row), username, email, mobile, ownership, reason


def remove_upload(upload_path: str) -> None:
    """Remove an uploaded file and what the preview kept beside it (quietly: they may be gone)."""
    if upload_path:
        remove_quietly(upload_path)
        remove_quietly(valid_rows_path(Path(upload_path)))
        remove_quietly(error_rows_path(Path(upload_path)))

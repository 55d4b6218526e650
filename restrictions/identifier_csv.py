"""The corporate identifiers' CSV, in and out.

In: a header row naming the columns ``serial_number``, ``imei`` and ``note`` (any case; "serial",
"serial number" and "comment" too); at least one of the first two. Each data row gives a serial
number, an IMEI or both (each is one identifier, with the row's note). Read as Bulk Provision reads
its files (``lib.csvfile``: UTF-8 with or without BOM, UTF-16, Windows-1252; comma, semicolon or
tab), at most IMPORT_MAX_MB and IMPORT_MAX_ROWS. Every value goes through ``identifier_normalize``,
the rule of the Add form. Row numbers are spreadsheet rows (the header is row 1).

Out: ``serial_number, imei, note`` first, so an export imports as it is, then what the list shows
(``status, device, enrolled_at, refused_at, refused_reason, added_at``, not read back in). UTF-8
with BOM; cells are ``spreadsheet_safe``, and the import reads them back with
``spreadsheet_unescaped``.
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from enrollment.identifiers import BadIdentifier
from lib.csvfile import (
    CsvColumns,
    CsvFileError,
    CsvLayout,
    iter_records,
    private_dir,
    read_layout,
    remove_quietly,
    store_upload,
)
from lib.spreadsheet import spreadsheet_safe, spreadsheet_unescaped
from lib.text import shown
from restrictions.identifiers import SUBJECTS, identifier_normalize
from restrictions.models import CorporateIdentifier, IdentifierKind

IMPORT_MAX_MB = 5
IMPORT_MAX_ROWS = 100_000
MAX_NOTE = 200
IMPORT_COLUMNS = CsvColumns(
    known=("serial_number", "imei", "note"),
    needs="a header row with a serial_number or imei column",
    aliases={"serial": "serial_number", "serialnumber": "serial_number", "serial_no": "serial_number",
             "comment": "note", "notes": "note"},
)
# Which column holds which kind of identifier, in the order a row's identifiers are taken.
KIND_COLUMNS = (("serial_number", IdentifierKind.SERIAL), ("imei", IdentifierKind.IMEI))
EXPORT_HEADER = ["serial_number", "imei", "note", "status", "device", "enrolled_at", "refused_at", "refused_reason",
                 "added_at"]


@dataclass(frozen=True)
class RowNote:
    """Something to tell about spreadsheet row ``row``."""

    row: int
    text: str


class Candidate(NamedTuple):
    """An identifier a row gives, normalised (a tuple: an import makes 200,000 of them)."""

    row: int
    kind: str
    value: str
    note: str


@dataclass
class IdentifierFile:
    """What a file holds: the identifiers to add (each once, from its first row), the rows that
    cannot be used and why, and how it was read."""

    layout: CsvLayout
    candidates: list[Candidate] = field(default_factory=list)
    problems: list[RowNote] = field(default_factory=list)
    rows: int = 0


def identifier_file_read(chunks: Iterable[bytes]) -> IdentifierFile:
    """Read an uploaded file. Raises CsvFileError when it cannot be used at all (not text, no
    header naming serial_number or imei, no data rows, too many rows); the private copy never
    outlives the call."""
    path, decoding = store_upload(chunks, private_dir("restrictions"), IMPORT_COLUMNS)
    try:
        layout = read_layout(path, decoding, IMPORT_COLUMNS)
        if not {"serial_number", "imei"} & layout.columns.keys():
            raise CsvFileError("The header row names neither a serial_number nor an imei column. The first row must "
                               "name the columns: serial_number, imei, note.")
        if decoding.lines - 1 > IMPORT_MAX_ROWS:
            raise CsvFileError(_too_many_rows())
        found = _rows_read(path, layout)
        if not found.rows:
            raise CsvFileError("The file has a header row but no data rows: there is nothing to import. Put each "
                               "serial number or IMEI on a row of its own under the header.")
        return found
    finally:
        remove_quietly(path)


def _too_many_rows() -> str:
    return f"The file has more than {IMPORT_MAX_ROWS:,} rows. Split it into several files."


def _rows_read(path: Path, layout: CsvLayout) -> IdentifierFile:
    found = IdentifierFile(layout=layout)
    candidates, problems = found.candidates, found.problems
    # Per kind, {value: the row it was first on}: string keys, so no tuple per identifier.
    first_row: dict[str, dict[str, int]] = {kind: {} for kind in IdentifierKind.values}
    kind_columns = [(column, kind, SUBJECTS[kind]) for column, kind in KIND_COLUMNS if column in layout.columns]
    with_note = "note" in layout.columns
    for row, record in iter_records(path, layout):
        found.rows += 1
        if found.rows > IMPORT_MAX_ROWS:  # lines were counted before; a row is at least one line
            raise CsvFileError(_too_many_rows())
        if record.problem:
            problems.append(RowNote(row, record.problem))
            continue
        normalised: list[tuple[str, str]] = []
        wrong: list[str] = []
        for column, column_kind, label in kind_columns:
            if value := spreadsheet_unescaped(record[column]):
                try:
                    normalised.append((column_kind, identifier_normalize(column_kind, value)))
                except BadIdentifier as exc:
                    wrong.append(f"The {label} “{shown(value)}” {exc}")
        if not normalised and not wrong:
            problems.append(RowNote(row, "The row gives neither a serial number nor an IMEI."))
            continue
        note = spreadsheet_unescaped(record["note"]) if with_note else ""
        if len(note) > MAX_NOTE:
            wrong.insert(0, f"The note is longer than {MAX_NOTE} characters.")
        if wrong:
            problems.append(RowNote(row, " ".join(wrong)))
            continue
        for kind, value in normalised:
            first = first_row[kind].setdefault(value, row)
            if first == row:
                candidates.append(Candidate(row, kind, value, note))
            else:
                problems.append(RowNote(row, f"The {IdentifierKind(kind).label} {value} is on row {first} "
                                             "already; it is added once, from that row."))
    return found


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_lines(identifiers: Iterable[CorporateIdentifier], *, chunk: int = 2000) -> Iterator[str]:
    """The CSV text, BOM and header first, in pieces of ``chunk`` rows (one write each)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(EXPORT_HEADER)
    lines: list[str] = []
    for identifier in identifiers:
        lines.append(writer.writerow([spreadsheet_safe(cell) for cell in _cells(identifier)]))
        if len(lines) == chunk:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)


def _cells(identifier: CorporateIdentifier) -> list[str]:
    serial = identifier.value if identifier.kind == IdentifierKind.SERIAL else ""
    imei = identifier.value if identifier.kind == IdentifierKind.IMEI else ""
    device = identifier.device
    return [serial, imei, identifier.note, identifier.get_status_display(),
            f"{device.username} · {device.model}".strip(" ·") if device else "",
            _when(identifier.enrolled_at), _when(identifier.refused_at), identifier.refused_reason,
            _when(identifier.created_at)]


def _when(value: datetime | None) -> str:
    return value.isoformat() if value else ""

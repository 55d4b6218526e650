"""Reading a Bulk Provision CSV without ever holding the whole file in memory.

The upload is written to PRIVATE_STORAGE_DIR chunk by chunk, its encoding detected (a BOM first,
then a strict UTF-8 decode of the whole file, else Windows-1252), and transcoded to a UTF-8 copy
that the preview and the worker read row by row. Row numbers are spreadsheet row numbers: the
header is row 1, the first user is row 2, so a person can find a reported row in Excel.
"""

from __future__ import annotations

import codecs
import csv
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

CHUNK = 256 * 1024
KNOWN_COLUMNS = ("username", "email", "mobile", "ownership", "user_type", "first_name", "last_name")
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
# Column names people type: "First Name", "e-mail", "user type" all mean a known column.
ALIASES = {"e-mail": "email", "e_mail": "email", "mail": "email", "phone": "mobile", "mobile_number": "mobile",
           "firstname": "first_name", "lastname": "last_name", "usertype": "user_type", "user": "username"}


class CsvFileError(Exception):
    """The file cannot be read as a Bulk Provision CSV; the message says why, for a person."""


@dataclass(frozen=True)
class CsvLayout:
    """What the header told us: where each known column is, and what was ignored."""

    encoding: str
    delimiter: str
    columns: dict[str, int]
    ignored: list[str]


def layout_to_json(layout: CsvLayout) -> dict[str, Any]:
    return {"encoding": layout.encoding, "delimiter": layout.delimiter, "columns": layout.columns,
            "ignored": layout.ignored}


def layout_from_json(data: dict[str, Any]) -> CsvLayout:
    return CsvLayout(encoding=data["encoding"], delimiter=data["delimiter"], columns=data["columns"],
                     ignored=data["ignored"])


def bulk_dir() -> Path:
    """The folder of uploads and exports, open to the server's account only (0700), also when it
    was made before or under a looser umask."""
    path = Path(settings.PRIVATE_STORAGE_DIR) / "bulk"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def store_upload(chunks: Iterable[bytes]) -> tuple[Path, str]:
    """Write the uploaded bytes to a private UTF-8 copy; returns (path, detected encoding).

    Raises CsvFileError (and leaves no file behind) for empty or binary files.
    """
    directory = bulk_dir()
    raw = directory / f"upload-{uuid.uuid4().hex}.raw"
    target = raw.with_suffix(".csv")
    try:
        encoding = _save_and_detect(chunks, raw)
        _transcode(raw, target, encoding)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        raw.unlink(missing_ok=True)
    return target, encoding


def _save_and_detect(chunks: Iterable[bytes], raw: Path) -> str:
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok = True
    head = b""
    size = 0
    with raw.open("wb") as out:
        for chunk in chunks:
            if not chunk:
                continue
            if len(head) < 4:
                head += chunk[: 4 - len(head)]
            size += len(chunk)
            out.write(chunk)
            if utf8_ok:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
    if size == 0:
        raise CsvFileError("The file is empty. It needs a header row with a username column.")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    return "cp1252"


def _transcode(raw: Path, target: Path, encoding: str) -> None:
    try:
        with raw.open("r", encoding=encoding, errors="strict", newline="") as source, \
                target.open("w", encoding="utf-8", newline="") as out:
            while True:
                text = source.read(CHUNK)
                if not text:
                    break
                if "\x00" in text:
                    raise CsvFileError(
                        "This is not a text file (it holds binary data). Save the sheet as CSV (UTF-8) and "
                        "upload that."
                    )
                out.write(text)
    except UnicodeDecodeError as exc:
        raise CsvFileError(
            "The file is neither UTF-8, UTF-16 nor Windows-1252 text. Save the sheet as CSV (UTF-8) and upload that."
        ) from exc


def _header_name(cell: str) -> str:
    name = cell.strip().strip("\ufeff").strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(name, name)


def read_layout(path: Path, encoding: str) -> CsvLayout:
    """Detect the delimiter from the header line and map the header names (case-insensitive)."""
    with path.open("r", encoding="utf-8", newline="") as handle:
        first_line = handle.readline()
    if not first_line.strip():
        raise CsvFileError("The first line is empty: the file needs a header row with a username column.")
    delimiter = max(DELIMITERS, key=lambda d: first_line.count(d))
    if first_line.count(delimiter) == 0:
        delimiter = ","
    header = next(csv.reader([first_line], delimiter=delimiter))
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header):
        name = _header_name(cell)
        if name in KNOWN_COLUMNS:
            if name in columns:
                raise CsvFileError(f"The header names the column {name!r} twice.")
            columns[name] = index
        elif cell.strip():
            ignored.append(cell.strip())
    if "username" not in columns:
        raise CsvFileError(
            "The header row has no username column. The first row must name the columns: username (required), "
            "email, mobile, ownership, user_type, first_name, last_name."
        )
    return CsvLayout(encoding=encoding, delimiter=delimiter, columns=columns, ignored=ignored)


def iter_records(path: Path, layout: CsvLayout) -> Iterator[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {column: stripped value}) for every non-blank data row."""
    with path.open("r", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=layout.delimiter)
        try:
            next(reader)
            for index, cells in enumerate(reader, start=2):
                if not any(cell.strip() for cell in cells):
                    continue
                yield index, {
                    name: cells[position].strip() if position < len(cells) else ""
                    for name, position in layout.columns.items()
                }
        except csv.Error as exc:
            raise CsvFileError(f"The file is not valid CSV near row {reader.line_num}: {exc}.") from exc


def remove_quietly(path: str | os.PathLike[str] | None) -> None:
    if path:
        Path(path).unlink(missing_ok=True)

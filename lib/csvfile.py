"""Reading an uploaded CSV without ever holding the whole file in memory: Bulk Provision Users and
the corporate identifiers' import read their files through here, so both accept the same files.

The upload is written to a private folder chunk by chunk, its encoding detected (a BOM first,
then a strict, incremental UTF-8 decode of the whole file) and transcoded to a UTF-8 copy that is
then read row by row. A file that is valid UTF-8 is read as UTF-8. One that is not is read line by
line: a line that is UTF-8 stays UTF-8, the others are read as Windows-1252 (all of them: a sheet
saved as "ANSI"; some: UTF-8 rows pasted into one), and ``Decoding.notice`` says so. The delimiter
(comma, semicolon or tab) is the one the header line holds most of; header names are
case-insensitive.

Row numbers are spreadsheet row numbers: the header is row 1, the first data row is row 2, so a
person can find a reported row in Excel. A row whose quoting is broken is reported by its number
and costs only itself (``iter_records``).
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from django.conf import settings

CHUNK = 256 * 1024
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


class CsvFileError(Exception):
    """The file cannot be read as the CSV asked for; the message says why, for a person."""


@dataclass(frozen=True)
class CsvColumns:
    """The columns a kind of file knows (``known``, in their usual order), other names people type
    for them (``aliases``: "e-mail" for email), and what its header needs, as the end of "the file
    needs ...", for the messages about a file without one."""

    known: tuple[str, ...]
    needs: str
    aliases: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Decoding:
    """How the upload was read: ``encoding`` (utf-8, utf-8-sig, utf-16 or cp1252), what a person
    must know about it ("" when the file was UTF-8 or UTF-16 throughout),
    and how many lines the UTF-8 copy has (counted while it was written)."""

    encoding: str
    notice: str = ""
    lines: int = 0


@dataclass(frozen=True)
class CsvLayout:
    """What the header told us: where each known column is, and what was ignored; and how the
    file was decoded."""

    encoding: str
    delimiter: str
    columns: dict[str, int]
    ignored: list[str]
    encoding_notice: str = ""


class CsvRecord(dict[str, str]):
    """One data row's cells by column name, stripped. ``problem`` says why the row cannot be
    used as it was read (its quoting is broken), else it is ""."""

    problem: str = ""


def private_dir(name: str) -> Path:
    """The folder ``name`` of PRIVATE_STORAGE_DIR (uploads, exports), open to the server's account
    only (0700), also when it was made before or under a looser umask."""
    path = Path(settings.PRIVATE_STORAGE_DIR) / name
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def store_upload(chunks: Iterable[bytes], directory: Path, columns: CsvColumns) -> tuple[Path, Decoding]:
    """Write the uploaded bytes to a private UTF-8 copy in ``directory``; returns (path, how it was
    decoded). The caller removes the copy (``remove_quietly``) when done with it.

    Raises CsvFileError (and leaves no file behind) for empty or binary files.
    """
    raw = directory / f"upload-{uuid.uuid4().hex}.raw"
    target = raw.with_suffix(".csv")
    try:
        encoding, utf8_valid = _save_and_detect(chunks, raw, columns)
        if encoding == "utf-16" or utf8_valid:
            decoding = Decoding(encoding, lines=_transcode(raw, target, encoding))
        else:
            decoding = _transcode_lines(raw, target, bom=encoding == "utf-8-sig")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        raw.unlink(missing_ok=True)
    return target, decoding


def _save_and_detect(chunks: Iterable[bytes], raw: Path, columns: CsvColumns) -> tuple[str, bool]:
    """Save the upload to ``raw``; returns its encoding by BOM (utf-8-sig, utf-16, else utf-8) and
    whether the whole file is valid UTF-8 (checked while saving, so the file is read once)."""
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
        raise CsvFileError(f"The file is empty. It needs {columns.needs}.")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", False
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    return ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"), utf8_ok


# Every refusal of a file that is not text starts with these words, whatever gave it away: a person
# who uploaded the .xlsx (or a picture) learns that first, not that its "header" names no column.
NOT_A_TEXT_FILE = "This is not a text (CSV) file."
SAVE_AS_CSV = "Save the sheet as CSV (UTF-8) and upload that."
NOT_TEXT = f"{NOT_A_TEXT_FILE} It is neither UTF-8, UTF-16 nor Windows-1252 text. {SAVE_AS_CSV}"
# Control characters no CSV holds (tab, line feed and carriage return are its own): a binary file's bytes.
_BINARY_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _nul_refusal(line: int) -> CsvFileError:
    # PostgreSQL cannot store a NUL, and text files do not hold one: binary files (a spreadsheet, an image) do.
    return CsvFileError(f"{NOT_A_TEXT_FILE} It holds a NUL character (line {line}). {SAVE_AS_CSV}")


def _transcode(raw: Path, target: Path, encoding: str) -> int:
    """Copy ``raw`` as UTF-8; returns how many lines the copy has."""
    line = 1
    last = "\n"
    try:
        with raw.open("r", encoding=encoding, errors="strict", newline="") as source, \
                target.open("w", encoding="utf-8", newline="") as out:
            while True:
                text = source.read(CHUNK)
                if not text:
                    break
                if (nul := text.find("\x00")) >= 0:
                    raise _nul_refusal(line + text.count("\n", 0, nul))
                line += text.count("\n")
                last = text[-1]
                out.write(text)
    except UnicodeDecodeError as exc:
        raise CsvFileError(NOT_TEXT) from exc
    return line - 1 + (last != "\n")


def _transcode_lines(raw: Path, target: Path, *, bom: bool) -> Decoding:
    """A file that is not valid UTF-8, line by line: each line as UTF-8 when it is, else as
    Windows-1252, so that rows already in UTF-8 keep their "é" instead of becoming "Ã©"."""
    fallback: list[int] = []  # the first lines read as Windows-1252, for the notice
    fallback_count = 0
    utf8_beyond_ascii = False
    number = 0
    with raw.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        for number, data in enumerate(source, start=1):
            if number == 1 and bom:
                data = data[len(codecs.BOM_UTF8):]
            try:
                text = data.decode("utf-8")
                utf8_beyond_ascii = utf8_beyond_ascii or not data.isascii()
            except UnicodeDecodeError:
                try:
                    text = data.decode("cp1252")
                except UnicodeDecodeError as exc:
                    raise CsvFileError(NOT_TEXT) from exc
                fallback_count += 1
                if len(fallback) < 10:
                    fallback.append(number)
            if "\x00" in text:
                raise _nul_refusal(number)
            out.write(text)
    if not utf8_beyond_ascii and not bom:
        return Decoding("cp1252", "The file is not UTF-8; it was read as Windows-1252. If names look wrong, save "
                                  "the sheet as CSV UTF-8 and upload it again.", number)
    shown = ", ".join(map(str, fallback)) + (", …" if fallback_count > len(fallback) else "")
    one = fallback_count == 1
    return Decoding("utf-8-sig" if bom else "utf-8", (
        f"The file is not UTF-8 throughout: {fallback_count:,} line{'' if one else 's'} ({shown}) "
        f"{'was' if one else 'were'} read as Windows-1252, the others as UTF-8. Check the names on "
        f"{'that line' if one else 'those lines'}."), number)


def header_name(cell: str, columns: CsvColumns) -> str:
    """The column a header cell names: trimmed, lower case, spaces and dashes as underscores, an
    alias as the column it stands for."""
    name = cell.strip().strip("\ufeff").strip().lower().replace(" ", "_").replace("-", "_")
    return (columns.aliases or {}).get(name, name)


def read_layout(path: Path, decoding: Decoding, columns: CsvColumns) -> CsvLayout:
    """Detect the delimiter from the header line and map the header names (case-insensitive) to
    the known columns; other names are ``ignored``. Which columns a file must have is the caller's
    to check."""
    with path.open("r", encoding="utf-8", newline="") as handle:
        first_line = handle.readline()
    if _BINARY_CONTROLS.search(first_line):
        raise CsvFileError(f"{NOT_A_TEXT_FILE} Its first line holds control characters, as a binary file does. "
                           f"{SAVE_AS_CSV}")
    if not first_line.strip():
        raise CsvFileError(f"The first line is empty: the file needs {columns.needs}.")
    delimiter = max(DELIMITERS, key=lambda d: first_line.count(d))
    if first_line.count(delimiter) == 0:
        delimiter = ","
    header = next(csv.reader([first_line], delimiter=delimiter))
    found: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header):
        name = header_name(cell, columns)
        if name in columns.known:
            if name in found:
                raise CsvFileError(f"The header names the column {name!r} twice.")
            found[name] = index
        elif cell.strip():
            ignored.append(cell.strip())
    return CsvLayout(encoding=decoding.encoding, delimiter=delimiter, columns=found, ignored=ignored,
                     encoding_notice=decoding.notice)


BROKEN_QUOTING = ('The quoting of this row is broken: a cell that starts with a quote (") is not closed by a quote '
                  'at its end (CSV reader: {error}). Write a quote inside a cell as two (""). The lines after this '
                  "one are read as rows of their own.")
RUNS_OVER_LINES = ('The {column} cell runs over lines {first}–{last} of the file: a line break inside it, or a quote '
                   '(") that is not closed where the cell ends. Those lines are all in this row.')


def iter_records(path: Path, layout: CsvLayout) -> Iterator[tuple[int, CsvRecord]]:
    """(spreadsheet row number, cells) for every non-blank data row, in file order.

    A row whose quoting is broken comes with ``problem`` set, and the rows after it still come:
    - the CSV reader fails on it (a quote never closed before the end of the file, text after a
      closing quote): the row is its first line, and the lines after that are read again as rows
      of their own, so an unclosed quote costs one row, not the rest of the file;
    - it reads, but a known column's cell holds a line break (no known column's value has one: a
      username, an address, a serial number): a quote was closed lines later, or a line break was
      typed into the cell. The lines in between are not read again (they may be the rest of a
      cell: read as rows, they would create what nobody asked for); the problem names them (the
      first such column in the header's order).
    Every reader of a file reads it through here (the bulk preview and export), so their row
    numbers agree.
    """
    with path.open("r", encoding="utf-8", newline="") as handle:
        handle.readline()  # the header, as read_layout read it
        lines = _Lines(handle, first_number=2)
        reader = csv.reader(lines, delimiter=layout.delimiter, strict=True)
        row = 1
        while True:
            lines.taken.clear()
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                row += 1
                first_line = lines.taken[0][1].rstrip("\r\n") if lines.taken else ""
                record = _record(_lenient_cells(first_line, layout.delimiter), layout)
                record.problem = BROKEN_QUOTING.format(error=exc)
                yield row, record
                lines.read_again_after_first()
                reader = csv.reader(lines, delimiter=layout.delimiter, strict=True)
                continue
            row += 1
            if not any(cell.strip() for cell in cells):
                continue
            record = _record(cells, layout)
            if len(lines.taken) > 1:
                broken = next((name for name in layout.columns if "\n" in record.get(name, "")
                               or "\r" in record.get(name, "")), None)
                if broken:
                    record.problem = RUNS_OVER_LINES.format(column=broken, first=lines.taken[0][0],
                                                            last=lines.taken[-1][0])
            yield row, record


def _lenient_cells(line: str, delimiter: str) -> list[str]:
    """The cells of one line as a non-strict reader sees them, to show what a broken row held."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _record(cells: list[str], layout: CsvLayout) -> CsvRecord:
    return CsvRecord({name: cells[position].strip() if position < len(cells) else ""
                      for name, position in layout.columns.items()})


class _Lines:
    """The file's lines for csv.reader, numbered, keeping those of the record being read so that a
    record the reader fails on can be read again from its second line."""

    def __init__(self, handle: TextIO, *, first_number: int) -> None:
        self._handle = handle
        self._next_number = first_number
        self._again: list[tuple[int, str]] = []  # a stack: the next line to read is last
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._again:
            numbered = self._again.pop()
        else:
            numbered = (self._next_number, next(self._handle))
            self._next_number += 1
        self.taken.append(numbered)
        return numbered[1]

    def read_again_after_first(self) -> None:
        self._again.extend(reversed(self.taken[1:]))
        self.taken.clear()


def remove_quietly(path: str | os.PathLike[str] | None) -> None:
    if path:
        Path(path).unlink(missing_ok=True)

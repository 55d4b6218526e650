"""A Bulk Provision CSV: the columns it knows, where its uploads are kept, and its layout as a job
remembers it. Reading the file (encodings, delimiter, row numbers, broken quoting) is
``lib.csvfile``, which the corporate identifiers' import shares, so both accept the same files.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lib import csvfile
from lib.csvfile import CsvColumns, CsvFileError, CsvLayout, Decoding

KNOWN_COLUMNS = ("username", "email", "mobile", "ownership", "user_type", "first_name", "last_name", "language")
# Column names people type: "First Name", "e-mail", "user type" all mean a known column.
ALIASES = {"e-mail": "email", "e_mail": "email", "mail": "email", "phone": "mobile", "mobile_number": "mobile",
           "firstname": "first_name", "lastname": "last_name", "usertype": "user_type", "user": "username",
           "lang": "language"}
BULK_COLUMNS = CsvColumns(known=KNOWN_COLUMNS, needs="a header row with a username column", aliases=ALIASES)


def layout_to_json(layout: CsvLayout) -> dict[str, Any]:
    return {"encoding": layout.encoding, "delimiter": layout.delimiter, "columns": layout.columns,
            "ignored": layout.ignored, "encoding_notice": layout.encoding_notice}


def layout_from_json(data: dict[str, Any]) -> CsvLayout:
    return CsvLayout(encoding=data["encoding"], delimiter=data["delimiter"], columns=data["columns"],
                     ignored=data["ignored"], encoding_notice=data.get("encoding_notice", ""))


def bulk_dir() -> Path:
    """The folder of uploads and exports, open to the server's account only (0700)."""
    return csvfile.private_dir("bulk")


def store_upload(chunks: Iterable[bytes]) -> tuple[Path, Decoding]:
    """Write the uploaded bytes to a private UTF-8 copy in ``bulk_dir()``; returns (path, how it was
    decoded). Raises CsvFileError (and leaves no file behind) for empty or binary files."""
    return csvfile.store_upload(chunks, bulk_dir(), BULK_COLUMNS)


def read_layout(path: Path, decoding: Decoding) -> CsvLayout:
    """The header's delimiter and columns; CsvFileError when it has no username column."""
    layout = csvfile.read_layout(path, decoding, BULK_COLUMNS)
    if "username" not in layout.columns:
        raise CsvFileError(
            "The header row has no username column. The first row must name the columns: username (required), "
            "email, mobile, ownership, user_type, first_name, last_name, language."
        )
    return layout

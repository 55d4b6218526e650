"""CSV cells that spreadsheets must not run as formulas (CSV injection), and read back."""

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> str:
    """Text of ``value``; a cell starting with = + - @ tab or CR gets a leading apostrophe, which
    Excel and LibreOffice show as text instead of evaluating."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def spreadsheet_unescaped(text: str) -> str:
    """A cell read back from a file written with ``spreadsheet_safe``: the apostrophe it put before
    = + - @ tab or CR is dropped, so an export imports as what was exported."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text

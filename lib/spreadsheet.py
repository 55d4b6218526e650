"""CSV cells that spreadsheets must not run as formulas (CSV injection)."""

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> str:
    """Text of ``value``; a cell starting with = + - @ tab or CR gets a leading apostrophe, which
    Excel and LibreOffice show as text instead of evaluating."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text

"""Device identifiers as devices report them: one normalisation, used by redemption and by
anything that later compares identifiers (the allow-list of enrollment restrictions)."""

import re

IMEI_LENGTH = 15
_SEPARATORS = re.compile(r"[\s\-./]")


class BadIdentifier(ValueError):
    """The value is not an identifier of that kind; the message says why, in plain words."""


def imei_normalize(value: str) -> str:
    """The IMEI as its 15 digits, spaces, dashes, dots and slashes removed (how it is printed on
    boxes and in Settings: ``35-209900-176148-1``). Empty stays empty (not reported).

    Raises BadIdentifier unless it is exactly 15 digits whose last is the Luhn check digit of the
    first 14 (3GPP TS 23.003). A 16-digit IMEISV has no check digit and is refused: devices report
    the IMEI itself."""
    digits = _SEPARATORS.sub("", value)
    if not digits:
        return ""
    if not digits.isascii() or not digits.isdigit() or len(digits) != IMEI_LENGTH:
        raise BadIdentifier(f"must be {IMEI_LENGTH} digits (spaces and dashes are allowed).")
    if not _luhn_valid(digits):
        raise BadIdentifier("is not a valid IMEI: its last digit is not the Luhn check digit.")
    return digits


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        n = int(char)
        if position % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0

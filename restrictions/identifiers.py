"""Corporate identifiers as they are stored and compared: one normalisation for the Add form, the
CSV import and the check at redemption."""

from enrollment.identifiers import BadIdentifier, imei_normalize
from lib.text import text_problem
from restrictions.models import IdentifierKind

MAX_SERIAL = 100


def serial_normalize(value: str) -> str:
    """The serial number stripped and in capitals: serial numbers are printed in capitals and
    devices report them in either case. Empty stays empty."""
    return value.strip().upper()


def identifier_normalize(kind: str, value: str) -> str:
    """The stored form of ``value`` as an identifier of ``kind``; BadIdentifier with a reason a
    person can act on when it is not one."""
    if unstorable := text_problem(value):
        raise BadIdentifier(unstorable + ".")
    if kind == IdentifierKind.IMEI:
        digits = imei_normalize(value)
        if not digits:
            raise BadIdentifier("is empty.")
        return digits
    serial = serial_normalize(value)
    if not serial:
        raise BadIdentifier("is empty.")
    if len(serial) > MAX_SERIAL:
        raise BadIdentifier(f"is longer than {MAX_SERIAL} characters.")
    return serial

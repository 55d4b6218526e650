"""Corporate identifiers as they are stored and compared: one normalisation for the Add form, the
CSV import and the check at redemption."""

from enrollment.identifiers import BadIdentifier, imei_normalize
from lib.text import invisible_problem, text_problem
from restrictions.models import IdentifierKind

MAX_SERIAL = 100
# What a reason is the end of: "This IMEI is not valid: ...", "The IMEI “…” is not valid: ...".
SUBJECTS = {IdentifierKind.SERIAL: "serial number", IdentifierKind.IMEI: "IMEI"}
# imei_normalize words its reasons for the redeem API ("device.imei is not a valid IMEI: ..."); after
# "This IMEI" the second "IMEI" is one too many.
_IMEI_SAID_TWICE = "is not a valid IMEI: "


def serial_normalize(value: str) -> str:
    """The serial number stripped and in capitals: serial numbers are printed in capitals and
    devices report them in either case. Empty stays empty."""
    return value.strip().upper()


def identifier_normalize(kind: str, value: str) -> str:
    """The stored form of ``value`` as an identifier of ``kind``; BadIdentifier with a reason a
    person can act on when it is not one."""
    # A serial number "SN\u202eABC" shows as "SNCBA"; a zero-width space makes two that look alike.
    if unusable := text_problem(value) or invisible_problem(value.strip()):
        raise BadIdentifier(unusable + ".")
    if kind == IdentifierKind.IMEI:
        try:
            digits = imei_normalize(value)
        except BadIdentifier as exc:
            reason = str(exc)
            if reason.startswith(_IMEI_SAID_TWICE):
                reason = "is not valid: " + reason.removeprefix(_IMEI_SAID_TWICE)
            raise BadIdentifier(reason) from exc
        if not digits:
            raise BadIdentifier("is empty.")
        return digits
    serial = serial_normalize(value)
    if not serial:
        raise BadIdentifier("is empty.")
    if len(serial) > MAX_SERIAL:
        raise BadIdentifier(f"is longer than {MAX_SERIAL} characters.")
    return serial


def looks_like_imei(value: str) -> bool:
    """Whether ``value`` is an IMEI as ``imei_normalize`` reads one (15 digits, the last the Luhn
    check digit): typed as a serial number, it is more likely an IMEI in the wrong box."""
    try:
        return bool(imei_normalize(value))
    except BadIdentifier:
        return False

"""What a device reports about itself (``DeviceFacts``) and its identifiers: one normalisation, used by
redemption and by anything that later compares identifiers (the allow-list of enrollment restrictions)."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext

from enrollment.models import Platform
from lib.text import invisible_problem, problem_sentence, text_problem

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
        raise BadIdentifier(gettext("must be %(length)d digits (spaces and dashes are allowed).")
                            % {"length": IMEI_LENGTH})
    if not _luhn_valid(digits):
        raise BadIdentifier(gettext("is not a valid IMEI: its last digit is not the Luhn check digit."))
    return digits


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        n = int(char)
        if position % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


# The IMEI's limit is for what the device sends (with separators); 15 digits are stored.
DEVICE_LIMITS = {"serial_number": 100, "imei": 40, "manufacturer": 100, "model": 100, "os_version": 50}


def device_text_problem(value: str) -> str:
    """Why ``value`` cannot be a fact a device tells (``text_problem``'s wording, in the active language), or "".
    Shown in the console and compared by the enrollment restrictions: no NUL or surrogate (unstorable), nor a
    control or format character (a bidi override would show a reversed "Huawei" while the rules read something
    else). The activation page tells it under the field; the redeem API as its ``detail``."""
    return text_problem(value) or invisible_problem(value)


@dataclass(frozen=True)
class DeviceFacts:
    """What a device says about itself, as it said it (``cleaned()`` is what is stored). Only the
    platform is required; it is case-insensitive ("Android")."""

    platform: str
    serial_number: str = ""
    imei: str = ""
    manufacturer: str = ""
    model: str = ""
    os_version: str = ""

    def problem(self) -> str:
        for name in ("platform", *DEVICE_LIMITS):
            if unusable := device_text_problem(getattr(self, name)):
                return problem_sentence(f"device.{name}", unusable)
        if self.platform.strip().lower() not in Platform.values:
            return gettext("device.platform must be one of: %(platforms)s.") % {"platforms": ", ".join(Platform.values)}
        for name, limit in DEVICE_LIMITS.items():
            if len(getattr(self, name)) > limit:
                return gettext("device.%(name)s is longer than %(limit)d characters.") % {"name": name, "limit": limit}
        try:
            imei_normalize(self.imei)
        except BadIdentifier as exc:
            return f"device.imei {exc}"
        return ""

    def cleaned(self) -> "DeviceFacts":
        """The facts as stored: platform lower-case, IMEI digits only, the rest stripped. Only for
        facts whose ``problem()`` is empty."""
        return DeviceFacts(platform=self.platform.strip().lower(), serial_number=self.serial_number.strip(),
                           imei=imei_normalize(self.imei), manufacturer=self.manufacturer.strip(),
                           model=self.model.strip(), os_version=self.os_version.strip())

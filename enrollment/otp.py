"""OTP rules: generation from the policy (or an override), expiry, constant-time comparison.

The OTP rule: an OTP is stored only sealed (``lib.crypto``); it is compared with
``pyotp.utils.strings_equal`` (hmac.compare_digest) so the time taken does not depend on how
many leading characters match.
"""

import secrets
import string
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from pyotp.utils import strings_equal

from enrollment.models import OtpContent, OtpPolicy
from lib.crypto import SecretUnreadable, unseal

LOOKALIKES = set("0Oo1lI")
MIN_LENGTH, MAX_LENGTH = 4, 32
MIN_DIGITS = 6
TOO_FEW_DIGITS = f"Digit-only OTPs need at least {MIN_DIGITS} digits to resist guessing."


class OtpRuleError(ValueError):
    """A rule that cannot make OTPs. ``field`` names the OtpRule field at fault, so a form can put
    the message on its own field for it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class OtpRule:
    """How to make one OTP. ``validity_hours`` None means unlimited (never expires).

    The rule holds for every OTP, whether from the policy or an override (Define OTP on a QR code or
    a bulk job): a length from 4 to 32, and digit-only OTPs of at least 6 digits. A rule that breaks
    it is never built: OtpRuleError, whose message the forms show as it is."""

    content: str = OtpContent.DIGITS
    length: int = 8
    validity_hours: int | None = 72
    exclude_lookalikes: bool = True

    @classmethod
    def from_policy(cls, policy: OtpPolicy | None = None) -> "OtpRule":
        policy = policy or OtpPolicy.load()
        return cls(
            content=policy.content,
            length=policy.length,
            validity_hours=policy.validity_hours,
            exclude_lookalikes=policy.exclude_lookalikes,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "OtpRule":
        """The rule ``as_json`` stored (a bulk job's options hold it); refused like any other."""
        validity = data.get("validity_hours")
        return cls(content=str(data["content"]), length=int(data["length"]),
                   validity_hours=None if validity is None else int(validity),
                   exclude_lookalikes=bool(data.get("exclude_lookalikes", True)))

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def __post_init__(self) -> None:
        if not MIN_LENGTH <= self.length <= MAX_LENGTH:
            raise OtpRuleError("length", f"OTP length must be between {MIN_LENGTH} and {MAX_LENGTH}.")
        if self.content not in OtpContent.values:
            raise OtpRuleError("content", f"Unknown OTP content {self.content!r}.")
        if self.content == OtpContent.DIGITS and self.length < MIN_DIGITS:
            raise OtpRuleError("length", TOO_FEW_DIGITS)
        if self.validity_hours is not None and self.validity_hours < 1:
            raise OtpRuleError("validity_hours", "OTP validity must be at least one hour, or unlimited.")

    def alphabet(self) -> str:
        return _alphabet(OtpContent(self.content), self.exclude_lookalikes)[0]

    @sensitive_variables()
    def generate(self) -> str:
        """Uniform over the alphabet: random bytes at or above the largest multiple of its size are
        dropped (no modulo bias), each other byte b is the character at b modulo its size. One call to
        the OS generator per OTP, and the bytes are mapped by one translate with tables built once per
        alphabet, which matters when a bulk job makes 100,000 of them."""
        _, table, dropped = _alphabet(OtpContent(self.content), self.exclude_lookalikes)
        chars = b""
        while len(chars) < self.length:
            chars += secrets.token_bytes(2 * self.length).translate(table, dropped)
        return chars[: self.length].decode("ascii")

    def expires_at(self, now: datetime | None = None) -> datetime | None:
        if self.validity_hours is None:
            return None
        return (now or timezone.now()) + timedelta(hours=self.validity_hours)


@cache
def _alphabet(content: OtpContent, exclude_lookalikes: bool) -> tuple[str, bytes, bytes]:
    """The rule's characters, the byte → character table and the bytes to drop (at or above the
    largest multiple of the alphabet's size below 256)."""
    letters = string.ascii_uppercase + string.ascii_lowercase
    chars = {
        OtpContent.DIGITS: string.digits,
        OtpContent.LETTERS: letters,
        OtpContent.LETTERS_DIGITS: string.digits + letters,
    }[content]
    if exclude_lookalikes:
        chars = "".join(c for c in chars if c not in LOOKALIKES)
    size = len(chars)
    limit = 256 - 256 % size
    table = bytes(ord(chars[b % size]) for b in range(256))
    return chars, table, bytes(range(limit, 256))


@sensitive_variables()
def otp_matches(ciphertext: str, candidate: str) -> bool:
    """Constant-time comparison of a candidate with the sealed OTP."""
    try:
        stored = unseal(ciphertext)
    except SecretUnreadable:
        return False
    return strings_equal(stored, candidate.strip())

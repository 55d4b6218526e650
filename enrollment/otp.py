"""OTP rules: generation from the policy (or an override), expiry, constant-time comparison.

The OTP rule: an OTP is stored only sealed (``enrollment.crypto``); it is compared with
``pyotp.utils.strings_equal`` (hmac.compare_digest) so the time taken does not depend on how
many leading characters match.
"""

import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from pyotp.utils import strings_equal

from enrollment.crypto import SecretUnreadable, unseal
from enrollment.models import OtpContent, OtpPolicy

LOOKALIKES = set("0Oo1lI")
MIN_LENGTH, MAX_LENGTH = 4, 32


@dataclass(frozen=True)
class OtpRule:
    """How to make one OTP. ``validity_hours`` None means unlimited (never expires)."""

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

    def __post_init__(self) -> None:
        if not MIN_LENGTH <= self.length <= MAX_LENGTH:
            raise ValueError(f"OTP length must be between {MIN_LENGTH} and {MAX_LENGTH}.")
        if self.content not in OtpContent.values:
            raise ValueError(f"Unknown OTP content {self.content!r}.")
        if self.validity_hours is not None and self.validity_hours < 1:
            raise ValueError("OTP validity must be at least one hour, or unlimited.")

    def alphabet(self) -> str:
        letters = string.ascii_uppercase + string.ascii_lowercase
        chars = {
            OtpContent.DIGITS: string.digits,
            OtpContent.LETTERS: letters,
            OtpContent.LETTERS_DIGITS: string.digits + letters,
        }[OtpContent(self.content)]
        if self.exclude_lookalikes:
            chars = "".join(c for c in chars if c not in LOOKALIKES)
        return chars

    @sensitive_variables()
    def generate(self) -> str:
        """Uniform over the alphabet: random bytes at or above the largest multiple of its size are
        dropped (no modulo bias). One call to the OS generator per OTP instead of one per
        character, which matters when a bulk job makes 100,000 of them."""
        alphabet = self.alphabet()
        size = len(alphabet)
        limit = 256 - 256 % size
        chars: list[str] = []
        while len(chars) < self.length:
            chars.extend(alphabet[b % size] for b in secrets.token_bytes(2 * self.length) if b < limit)
        return "".join(chars[: self.length])

    def expires_at(self, now: datetime | None = None) -> datetime | None:
        if self.validity_hours is None:
            return None
        return (now or timezone.now()) + timedelta(hours=self.validity_hours)


@sensitive_variables()
def otp_matches(ciphertext: str, candidate: str) -> bool:
    """Constant-time comparison of a candidate with the sealed OTP."""
    try:
        stored = unseal(ciphertext)
    except SecretUnreadable:
        return False
    return strings_equal(stored, candidate.strip())

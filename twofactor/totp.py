"""TOTP (RFC 6238) through pyotp: SHA-1, 6 digits, 30-second steps, what every authenticator app reads
from an otpauth URI. A code is accepted one step either side of now (``WINDOW``: a phone's clock a little
off, a code typed as it turned over).

``now`` is the one clock the checks read, so tests set the time instead of waiting for it.
"""

import time

import pyotp
from django.views.decorators.debug import sensitive_variables

ISSUER = "Onramp"
DIGITS = 6
WINDOW = 1


def now() -> float:
    return time.time()


def secret_generate() -> str:
    """160 random bits in base32 (RFC 4226's recommended key size), as authenticator apps take it."""
    return pyotp.random_base32(32)


@sensitive_variables()
def provisioning_uri(secret: str, *, account: str) -> str:
    """The otpauth:// URI an authenticator app scans: ``account_label(account)`` with the secret."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def account_label(account: str) -> str:
    """The name an authenticator app shows for the account (the otpauth URI's label): ``Onramp:<account>``."""
    return f"{ISSUER}:{account}"


@sensitive_variables()
def matching_step(secret: str, code: str, *, at: float | None = None) -> int | None:
    """The time step (30-second counter) within ``WINDOW`` of ``at`` (default: now) whose code is
    ``code``, the latest if two match; None when none does."""
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now() if at is None else at)
    found = [step for step in range(current - WINDOW, current + WINDOW + 1)
             if pyotp.utils.strings_equal(code, totp.generate_otp(step))]
    return max(found) if found else None


def secret_display(secret: str) -> str:
    """The secret in groups of four, for a person typing it into an app that cannot scan."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))

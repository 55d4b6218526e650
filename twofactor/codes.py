"""Recovery codes: ten per user, each usable once, for signing in without the authenticator app.

A code is ten characters from an alphabet without look-alikes (no 0/o, 1/l/i), shown as ``xxxxx-xxxxx``:
about 49 random bits (``secrets``). Being random, not chosen by a person, a fast keyed hash is enough to
store it (HMAC-SHA256 under a key derived from SECRET_KEY, Django's ``salted_hmac``, as API keys are): a
slow password hash exists to slow down guessing of low-entropy secrets and would cost ten of them at every
regeneration. Codes made under a SECRET_KEY_FALLBACKS key keep working while it is listed.

``normalize`` reads every code a person types (the authenticator app's "123 456" or "123-456", a recovery
code): without case, spaces or dashes.
"""

import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.views.decorators.debug import sensitive_variables

COUNT = 10
LENGTH = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_SALT = "onramp.twofactor.recovery_code"


@sensitive_variables()
def codes_generate() -> list[str]:
    codes = ["".join(secrets.choice(ALPHABET) for _ in range(LENGTH)) for _ in range(COUNT)]
    return [f"{code[:5]}-{code[5:]}" for code in codes]


# The dashes people type or paste: hyphen-minus, hyphen, non-breaking hyphen, figure dash, en dash.
_DASHES = "-\u2010\u2011\u2012\u2013"


def normalize(typed: str) -> str:
    """A typed code as it is checked: lower case, without whitespace or dashes."""
    return "".join(ch for ch in typed.lower() if not ch.isspace() and ch not in _DASHES)


def looks_like_recovery_code(typed: str) -> bool:
    code = normalize(typed)
    return len(code) == LENGTH and all(ch in ALPHABET for ch in code)


@sensitive_variables()
def code_hashes(code: str) -> list[str]:
    """The stored form of ``code`` under SECRET_KEY first, then under each of SECRET_KEY_FALLBACKS."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [salted_hmac(_SALT, normalize(code), secret=key, algorithm="sha256").hexdigest() for key in keys]

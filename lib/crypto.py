"""Secrets at rest (OTPs, Wi-Fi passwords, message bodies that carry an OTP, cached QR images).

Fernet (AES-128-CBC with HMAC-SHA256) with keys from OTP_ENCRYPTION_KEY; MultiFernet so a new
key can be put first and the old ones still decrypt.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables


class SecretUnreadable(Exception):
    """The ciphertext was made with a key that is no longer configured, or was tampered with."""


@lru_cache(maxsize=4)
def _box(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "OTP_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64-encoded bytes), comma-separated. "
            "Make one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        ) from exc


@sensitive_variables()
def seal(plaintext: str) -> str:
    return seal_bytes(plaintext.encode()).decode()


@sensitive_variables()
def unseal(ciphertext: str) -> str:
    return unseal_bytes(ciphertext.encode()).decode()


@sensitive_variables()
def seal_bytes(plaintext: bytes) -> bytes:
    return _box(tuple(settings.OTP_ENCRYPTION_KEYS)).encrypt(plaintext)


@sensitive_variables()
def unseal_bytes(ciphertext: bytes) -> bytes:
    try:
        return _box(tuple(settings.OTP_ENCRYPTION_KEYS)).decrypt(ciphertext)
    except InvalidToken as exc:
        raise SecretUnreadable("The stored secret cannot be decrypted with the configured keys.") from exc

"""SHA-256 checksums for the companion app, as Android wants them in the QR payload.

Admins paste what apksigner prints ("Signer #1 certificate SHA-256 digest": hex, maybe with
colons) or a base64url value (padded or not). Android decodes with ``Base64.URL_SAFE``, which
accepts both paddings, but some setup wizards compare the padded string, so we always store and
emit padded URL-safe base64: 44 characters that decode to exactly 32 bytes.
"""

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable

HEX_RE = re.compile(r"^[0-9a-fA-F]{64}$")
B64URL_RE = re.compile(r"^[A-Za-z0-9_-]{43}=?$")


class ChecksumError(ValueError):
    """The value is neither a SHA-256 in hex nor in URL-safe base64."""


def sha256_to_base64url(value: str) -> str:
    """Normalise a SHA-256 digest entered as hex (with or without colons or spaces, any case)
    or as URL-safe base64 (padded or not) to padded URL-safe base64."""
    cleaned = value.strip()
    as_hex = re.sub(r"[\s:]", "", cleaned)
    if HEX_RE.match(as_hex):
        digest = bytes.fromhex(as_hex)
    elif B64URL_RE.match(cleaned):
        try:
            digest = base64.urlsafe_b64decode(cleaned.rstrip("=") + "=")
        except (binascii.Error, ValueError) as exc:
            raise ChecksumError("This is not valid URL-safe base64.") from exc
    elif re.match(r"^[A-Za-z0-9+/]{43}=?$", cleaned):
        raise ChecksumError("Use the URL-safe base64 alphabet (- and _ instead of + and /).")
    else:
        raise ChecksumError(
            "Enter a SHA-256 digest: 64 hex digits as apksigner prints them (colons allowed), "
            "or 43/44 characters of URL-safe base64."
        )
    if len(digest) != 32:
        raise ChecksumError("A SHA-256 digest is 32 bytes long.")
    return base64.urlsafe_b64encode(digest).decode("ascii")


def file_sha256_base64url(chunks: Iterable[bytes]) -> str:
    """PACKAGE_CHECKSUM of a file: SHA-256 over its exact bytes, padded URL-safe base64."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return base64.urlsafe_b64encode(digest.digest()).decode("ascii")


def is_padded_base64url_sha256(value: str) -> bool:
    if len(value) != 44 or not B64URL_RE.match(value):
        return False
    return len(base64.urlsafe_b64decode(value)) == 32

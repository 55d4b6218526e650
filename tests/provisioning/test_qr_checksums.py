import base64
import hashlib

import pytest

from provisioning.qr.checksums import ChecksumError, is_padded_base64url_sha256, sha256_to_base64url

DIGEST = hashlib.sha256(b"companion signing certificate").digest()
PADDED = base64.urlsafe_b64encode(DIGEST).decode()


def apksigner_hex(digest: bytes) -> str:
    return digest.hex()


@pytest.mark.parametrize("entered", [
    DIGEST.hex(),
    DIGEST.hex().upper(),
    ":".join(f"{b:02X}" for b in DIGEST),
    ":".join(f"{b:02x}" for b in DIGEST),
    f"  {DIGEST.hex()}  ",
    PADDED,
    PADDED.rstrip("="),
])
def test_every_accepted_form_becomes_padded_url_safe_base64(entered):
    stored = sha256_to_base64url(entered)
    assert stored == PADDED
    assert len(stored) == 44
    assert base64.urlsafe_b64decode(stored) == DIGEST
    assert is_padded_base64url_sha256(stored)


def test_a_digest_with_url_unsafe_characters_keeps_the_url_safe_alphabet():
    digest = bytes([0xFB, 0xFF] * 16)
    stored = sha256_to_base64url(digest.hex())
    assert "-" in stored or "_" in stored
    assert "+" not in stored and "/" not in stored
    assert base64.urlsafe_b64decode(stored) == digest


def test_standard_base64_is_refused_with_a_hint_about_the_alphabet():
    standard = base64.b64encode(bytes([0xFB, 0xFF] * 16)).decode()
    with pytest.raises(ChecksumError, match="URL-safe"):
        sha256_to_base64url(standard)


@pytest.mark.parametrize("entered", ["", "abc", DIGEST.hex()[:-2], hashlib.sha1(b"x").hexdigest(),
                                     DIGEST.hex() + "00", "z" * 64])
def test_values_that_are_not_a_sha256_are_refused(entered):
    with pytest.raises(ChecksumError):
        sha256_to_base64url(entered)

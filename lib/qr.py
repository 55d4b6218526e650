"""QR rendering: the one module that draws QR codes (qrcode builds the matrix; Pillow draws the
PNG, the SVG is one path written here). A rendered code is cached for a day and never drawn twice.

The cache: codes hold secrets (an activation link's token; a provisioning code's OTP and Wi-Fi
password) and production's cache is Redis, which writes to disk. So a cached image is sealed with
the database's Fernet keys (``lib.crypto``), under a key that is an HMAC of its *owner* and
format and so names nothing. The owner (default: the data) is a name the caller can give again
when the code dies: ``forget(owner)`` deletes its images (both formats). The sealed value starts
with a digest of data and options, so an owner whose code changed misses instead of showing the
old one. A Redis outage costs a render, never the page: the cache fails open (``lib.cache``).

Speed: the codewords (data and error correction) come from ``lib.qr_codewords``, forty times
faster than qrcode's own, which were three quarters of the rest. qrcode would also spend most of
its time trying all eight mask patterns and scoring each (pure Python), about 4x the rest. Every
mask is valid and its number is written in the code's format information, so scanners read any of
them; we use one fixed mask (0, the checkerboard, which breaks up long runs well). The Android QR
feature decodes every code it offers back with zxing-cpp, which guards the result.
"""

import hashlib
import io
from typing import Literal

import qrcode
import qrcode.constants
import qrcode.util
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from PIL import Image

from lib.crypto import SecretUnreadable, seal_bytes, unseal_bytes
from lib.qr_codewords import codewords

Format = Literal["png", "svg"]
FORMATS: tuple[Format, ...] = ("png", "svg")
ERROR_CORRECTION = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
CACHE_SECONDS = 24 * 3600
MASK_PATTERN = 0
DIGEST_SIZE = hashlib.sha256().digest_size


class QrRenderError(Exception):
    pass


def render(data: str, fmt: Format, *, owner: str = "", box_size: int = 8, border: int = 4,
           error_correction: str = "M") -> bytes:
    """PNG or SVG bytes of ``data``: error correction M, 8 px per module and a 4-module quiet
    zone by default (scanners need at least 4 modules of white around the code). Cached sealed
    under ``owner`` (default: ``data``); ``forget(owner)`` drops it."""
    key = _cache_key(owner or data, fmt)
    digest = hashlib.sha256(f"{box_size}|{border}|{error_correction}|{data}".encode()).digest()
    cached = _cache_read(key, digest)
    if cached is not None:
        return cached
    try:
        raw = data.encode("utf-8")
        level = ERROR_CORRECTION[error_correction]
        code = qrcode.QRCode(version=_version_for(len(raw), level), error_correction=level, box_size=box_size,
                             border=border, mask_pattern=MASK_PATTERN)
        code.add_data(raw, optimize=0)
        code.data_cache = codewords(raw, code.version, level)  # what make() would compute, faster
        code.make(fit=False)
    except (ValueError, qrcode.exceptions.DataOverflowError) as exc:
        raise QrRenderError(f"The data does not fit in a QR code: {exc}") from exc
    matrix = code.get_matrix()
    if fmt == "png":
        buffer = io.BytesIO()
        _png(matrix, box_size).save(buffer, format="PNG", compress_level=1)
        rendered = buffer.getvalue()
    else:
        rendered = _svg(matrix, box_size)
    cache.set(key, seal_bytes(digest + rendered), CACHE_SECONDS)
    return rendered


def forget(*owners: str) -> None:
    """Delete the cached images (both formats) of ``owners``: call it when their code stops
    being valid (deleted, OTP reset), so no copy of its secrets outlives it in the cache."""
    cache.delete_many([_cache_key(owner, fmt) for owner in owners for fmt in FORMATS])


def _cache_key(owner: str, fmt: str) -> str:
    return "qr:" + salted_hmac("onramp.qr.cache", f"{fmt}|{owner}", algorithm="sha256").hexdigest()


def _cache_read(key: str, digest: bytes) -> bytes | None:
    """The cached image under ``key`` if it is the one ``digest`` names, else None."""
    sealed = cache.get(key)
    if sealed is None:
        return None
    try:
        plain = unseal_bytes(bytes(sealed))
    except SecretUnreadable:  # sealed with a key no longer configured
        return None
    if plain[:DIGEST_SIZE] != digest:
        return None
    return plain[DIGEST_SIZE:]


def symbol_version(data: str, error_correction: str = "M") -> int:
    """The QR version (1-40) ``render`` draws ``data`` at: what decides how hard the code is to scan."""
    return _version_for(len(data.encode("utf-8")), ERROR_CORRECTION[error_correction])


def _version_for(length: int, level: int) -> int:
    """The smallest version holding ``length`` bytes in byte mode. qrcode's own fitting re-encodes
    the data once per candidate version, which costs as much as the rest of the encoding."""
    for version in range(1, 41):
        bits = 4 + qrcode.util.length_in_bits(qrcode.util.MODE_8BIT_BYTE, version) + 8 * length
        if bits <= qrcode.util.BIT_LIMIT_TABLE[level][version]:
            return version
    raise QrRenderError(f"The data does not fit in a QR code: {length} bytes is more than version 40 holds.")


def _png(matrix: list[list[bool]], box_size: int) -> Image.Image:
    """One pixel per module (the matrix already holds the quiet zone), then scaled up without
    smoothing: a 1-bit image, far faster than drawing each module as a rectangle."""
    size = len(matrix)
    image = Image.new("1", (size, size), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    return image.resize((size * box_size, size * box_size), Image.Resampling.NEAREST)


def _svg(matrix: list[list[bool]], box_size: int) -> bytes:
    """One path, one rectangle per horizontal run of dark modules, in module units (viewBox), on a
    white background so the quiet zone stays white whatever the page behind it."""
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    pixels = size * box_size
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'width="{pixels}" height="{pixels}" viewBox="0 0 {size} {size}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{"".join(runs)}"/></svg>\n'
    ).encode()


CONTENT_TYPES: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml"}

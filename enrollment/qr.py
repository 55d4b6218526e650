"""QR rendering: the one module that draws QR codes (qrcode + Pillow for PNG, qrcode's SVG path
image for SVG). A rendered code is cached by its content and options and never drawn twice."""

import hashlib
import io
from typing import Literal

import qrcode
import qrcode.constants
from django.core.cache import cache
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage

Format = Literal["png", "svg"]
ERROR_CORRECTION = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
CACHE_SECONDS = 24 * 3600


class QrRenderError(Exception):
    pass


def render(data: str, fmt: Format, *, box_size: int = 8, border: int = 4, error_correction: str = "M") -> bytes:
    """PNG or SVG bytes of ``data``: error correction M, 8 px per module and a 4-module quiet
    zone by default (scanners need at least 4 modules of white around the code)."""
    key = "qr:" + hashlib.sha256(f"{fmt}|{box_size}|{border}|{error_correction}|{data}".encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return bytes(cached)
    try:
        code = qrcode.QRCode(error_correction=ERROR_CORRECTION[error_correction], box_size=box_size, border=border)
        code.add_data(data.encode("utf-8"))
        code.make(fit=True)
    except (ValueError, qrcode.exceptions.DataOverflowError) as exc:
        raise QrRenderError(f"The data does not fit in a QR code: {exc}") from exc
    factory = PilImage if fmt == "png" else SvgPathImage
    image = code.make_image(image_factory=factory)
    buffer = io.BytesIO()
    image.save(buffer)
    rendered = buffer.getvalue()
    cache.set(key, rendered, CACHE_SECONDS)
    return rendered


CONTENT_TYPES: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml"}

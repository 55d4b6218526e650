"""QR images of a payload, checked before they are offered.

Drawing stays in ``lib.qr`` (cached sealed). Here a rendered PNG is decoded back with
zxing-cpp and compared byte for byte with the payload text: a code that does not scan back to
exactly what we meant is refused rather than handed to a device.

An Automatic Provisioning code (``enrollment_token`` given) is cached under its pending enrollment,
so deleting that or resetting its OTP drops the image; a Self Service Portal code under its
payload, which ``forget`` drops when the code is deleted.
"""

import io

import zxingcpp
from PIL import Image

from enrollment.links import qr_owner
from lib import qr

# Error correction M by default (L on request, for large payloads), 8 px per module (>= 6),
# 4-module quiet zone (reference §5).
BOX_SIZE = 8
BORDER = 4
ERROR_CORRECTION = "M"


class QrImageError(Exception):
    """The code could not be drawn, or it does not decode back to its payload."""


def render(text: str, fmt: qr.Format, *, enrollment_token: str = "", error_correction: str = ERROR_CORRECTION) -> bytes:
    try:
        return qr.render(text, fmt, owner=_owner(text, enrollment_token), box_size=BOX_SIZE, border=BORDER,
                         error_correction=error_correction)
    except qr.QrRenderError as exc:
        raise QrImageError(str(exc)) from exc


def forget(text: str, *, enrollment_token: str = "") -> None:
    """Drop the cached images of the code with payload ``text``."""
    qr.forget(_owner(text, enrollment_token))


def _owner(text: str, enrollment_token: str) -> str:
    return qr_owner(enrollment_token, "provisioning") if enrollment_token else text


def decode_png(png: bytes) -> list[str]:
    """The text of every QR code zxing-cpp finds in ``png``."""
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    return [result.text for result in results]


def verified_png(text: str, *, enrollment_token: str = "", error_correction: str = ERROR_CORRECTION) -> bytes:
    """The PNG of ``text``, after checking it decodes to exactly ``text``."""
    png = render(text, "png", enrollment_token=enrollment_token, error_correction=error_correction)
    check_png(png, text)
    return png


def check_png(png: bytes, text: str) -> None:
    """Raise QrImageError unless ``png`` holds exactly one QR code reading exactly ``text``."""
    if decode_png(png) != [text]:
        raise QrImageError(
            "The generated QR code did not decode back to its payload, so it was not offered. "
            "Try again; if this persists, shorten the Wi-Fi settings or report it."
        )

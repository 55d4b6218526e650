"""The HTTP answer for a QR image, shared by every view that serves one."""

from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

from lib.qr import CONTENT_TYPES, Format


def qr_image_response(body: bytes, fmt: Format, *, download_name: str = "") -> HttpResponse:
    """The image, never cached by the browser (a code carries a token, perhaps an OTP and a Wi-Fi
    password). With ``download_name`` it is an attachment under that name, which may hold quotes
    or non-ASCII letters (a username): Django quotes and encodes it."""
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    if download_name:
        response["Content-Disposition"] = content_disposition_header(True, download_name)
    add_never_cache_headers(response)
    return response

"""Site-wide response headers Django and django-csp do not send."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

# No page uses these browser features: the portal and the activation page show a QR code but never
# scan one, so a page (or anything injected into it) cannot ask for the camera either.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer", "microphone",
    "midi", "payment", "usb",
))


class PermissionsPolicyMiddleware:
    """Adds ``Permissions-Policy`` to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

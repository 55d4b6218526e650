"""Site-wide response headers Django and django-csp do not send, and the end user's language."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers

from lib.languages import DEFAULT_LANGUAGE, language_from_cookie, language_from_header

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


# The end user's pages (enrollment/public_urls.py): the portal, the activation link and the device API.
# Everything else is the console, which stays English whatever the browser asks for.
END_USER_PATH_PREFIXES = ("/portal/", "/enroll/", "/api/v1/enrollments/redeem")


def is_end_user_path(path: str) -> bool:
    return path.startswith(END_USER_PATH_PREFIXES)


class EndUserLanguageMiddleware:
    """Activates the end user's language on their pages: the one chosen with the language switch (its
    cookie), else the first supported one of Accept-Language, else English. The activation page and the
    redeem API then refine it with the enrollment's language (``enrollment.languages``). Console requests
    are always English. Django's LocaleMiddleware is not used: it would turn the console German too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        end_user = is_end_user_path(request.path_info)
        if end_user:
            language = language_from_cookie(request) or language_from_header(request) or DEFAULT_LANGUAGE
        else:
            language = DEFAULT_LANGUAGE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # Django's name for it
        try:
            response = self.get_response(request)
            if end_user:
                # What a view activated last (the enrollment's language on the activation page).
                response.headers.setdefault("Content-Language", translation.get_language() or language)
                patch_vary_headers(response, ("Accept-Language", "Cookie"))
        finally:
            translation.deactivate()
        return response

"""Which language an end user reads the activation page and the redeem API's answers in (SPEC F17).

The activation page: the language the viewer chose with the language switch (its cookie), else the
enrollment's (the one it was created for: Provision User, the bulk CSV's column, the API, the portal),
else the browser's (Accept-Language), else English. The redeem API: the request's Accept-Language,
else the enrollment's, else English; a request that cannot be redeemed as sent (a bad device platform,
say) is refused before any enrollment is read, so in the header's language or English. Only a token
names the enrollment whose language is used: by username the answer is never in the user's language,
or its language would tell that the username exists (``enrollment.redeem``: an unknown username and a
wrong OTP answer alike).
"""

from django.http import HttpRequest
from django.utils import translation

from enrollment.models import PendingEnrollment
from lib.languages import DEFAULT_LANGUAGE, language_from_cookie, language_from_header
from lib.text import text_problem


def enrollment_language(token: str | None) -> str | None:
    """The language of the pending enrollment with ``token``, or None (no token, none has it)."""
    if not token or len(token) > 64 or text_problem(token):
        return None  # no enrollment has it (and PostgreSQL cannot even compare a NUL)
    return PendingEnrollment.objects.filter(token=token).values_list("language", flat=True).first()


def _activate(request: HttpRequest, language: str) -> None:
    # Active until the end of the request (lib.middleware.EndUserLanguageMiddleware deactivates it).
    translation.activate(language)
    request.LANGUAGE_CODE = language


def activation_language_activate(request: HttpRequest, token: str) -> str:
    language = (language_from_cookie(request) or enrollment_language(token) or language_from_header(request)
                or DEFAULT_LANGUAGE)
    _activate(request, language)
    return language


def redeem_language_activate(request: HttpRequest, *, enrollment_language: str) -> str:
    """Before the answer is rendered (its ``detail`` is lazy): the enrollment's language comes with the
    redemption's result, read under its row lock, so it costs no query of its own."""
    language = language_from_header(request) or enrollment_language or DEFAULT_LANGUAGE
    _activate(request, language)
    return language

"""The end user's language switch (``includes/language_switch.html`` on every portal and activation page)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from lib.languages import LanguageError, language_parse
from lib.middleware import is_end_user_path
from lib.text import text_problem


def _back_to(target: str) -> str:
    """The end-user page the switch was pressed on (a path of this site); else the portal."""
    if (target.startswith("/") and not target.startswith(("//", "/\\")) and not text_problem(target)
            and target.isprintable() and is_end_user_path(target)):
        return target
    return reverse("portal_home")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Remember the chosen language in the language cookie and go back to the page. The cookie outranks
    the browser's Accept-Language and the enrollment's language on the end user's pages only."""
    response = HttpResponseRedirect(_back_to(request.POST.get("next", "")))
    try:
        language = language_parse(request.POST.get("language"), default="")
    except LanguageError:
        language = ""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite="Lax",
        )
    return response

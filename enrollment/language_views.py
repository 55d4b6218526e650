"""The end user's language switch (``includes/language_switch.html`` on every portal and activation page)."""

import posixpath

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from lib.languages import LanguageError, language_parse
from lib.middleware import is_end_user_path
from lib.text import text_problem


def _back_to(target: str) -> str:
    """The end-user page the switch was pressed on (a path of this site, no longer than an address a
    redirect may carry, and an end-user path once "." and ".." are resolved); else the portal."""
    if (len(target) <= MAX_NEXT and target.startswith("/") and not target.startswith(("//", "/\\"))
            and not text_problem(target) and target.isprintable() and "\\" not in target):
        path = target.split("?", 1)[0].split("#", 1)[0]
        normal = posixpath.normpath(path) + ("/" if path.endswith("/") else "")
        if "%" not in path and normal == path and is_end_user_path(normal):
            return target
    return reverse("portal_home")


# Django refuses to redirect to a longer address (DisallowedRedirect, answered 400).
MAX_NEXT = 2048


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

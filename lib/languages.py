"""The languages end users meet Onramp in (SPEC F17): the one list and the one rule that reads a language
code, used by the Provision User form, the integration API, the bulk import, the message templates and
the end-user pages' language switch. The console itself stays English.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header


class Language(models.TextChoices):
    # Console labels (the console is English); NATIVE_NAMES are what an end user picks from.
    EN = "en", "English"
    DE = "de", "German"
    FR = "fr", "French"
    IT = "it", "Italian"


DEFAULT_LANGUAGE = Language.EN
# Each language in its own words: the language switch shows these, so a person finds their own.
NATIVE_NAMES: dict[str, str] = {Language.EN: "English", Language.DE: "Deutsch", Language.FR: "Français",
                                Language.IT: "Italiano"}
LANGUAGE_HELP = "One of en, de, fr, it (upper or lower case)."


class LanguageError(ValueError):
    """Not one of the supported language codes; the message says which are."""


def language_parse(value: str | None, *, default: str = DEFAULT_LANGUAGE) -> str:
    """The language code ``value`` names: en, de, fr or it, in any case, spaces around ignored;
    ``default`` when empty. Raises LanguageError for anything else (``de-CH`` too: a code is asked for)."""
    text = (value or "").strip().lower()
    if not text:
        return default
    if text not in Language.values:
        raise LanguageError(f"Unknown language {value.strip()!r} (use {', '.join(Language.values)})."
                            if value else "Unknown language.")
    return text


def language_for_locale(locale: str) -> str:
    """The end-user language of a device locale such as ``de_CH`` or ``it_IT`` (a QR code's Localization):
    its language when supported, else English."""
    code = (locale or "").replace("_", "-").split("-", 1)[0].strip().lower()
    return code if code in Language.values else DEFAULT_LANGUAGE


def language_from_header(request: HttpRequest) -> str | None:
    """The first supported language of the request's Accept-Language (``de-CH`` counts as ``de``; an
    entry with ``q=0`` means "not this one" and is skipped), or None when it names none: then the caller
    decides (the enrollment's language, or English)."""
    for code, quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if quality <= 0:
            break  # sorted by quality: "q=0" and everything after it is "not wanted"
        if code == "*":
            break
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def language_from_cookie(request: HttpRequest) -> str | None:
    """The language the viewer chose with the language switch (its cookie), when it is a supported one."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in Language.values else None


def language_context(request: HttpRequest) -> dict[str, object]:
    """Template context: the languages of the language switch, each in its own words, and whether the page is
    one of the end user's (its brand link then leads to the portal, not to the console's sign-in)."""
    from lib.middleware import is_end_user_path  # lib.middleware imports this module

    return {"end_user_languages": list(NATIVE_NAMES.items()), "end_user_page": is_end_user_path(request.path_info)}


class LanguageField(forms.ChoiceField):
    """A language chosen in a form or sent to the API, read by ``language_parse`` (any case; empty: English)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Language")
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", DEFAULT_LANGUAGE)
        kwargs.setdefault("choices", Language.choices)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        try:
            return language_parse(str(value) if value is not None else "")
        except LanguageError as exc:
            raise forms.ValidationError(str(exc), code="invalid_choice") from exc

    def validate(self, value: Any) -> None:
        # to_python checked it (the choices are the same list, but case-sensitive).
        pass

"""One CSV row checked and normalised, at preview. The preview writes the rows that pass to a
private file beside the upload (``preview.valid_rows_path``), which is what the worker creates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from accounts.end_users import mobile_problem
from accounts.models import UserType
from enrollment.models import Ownership
from lib.languages import DEFAULT_LANGUAGE, LanguageError, language_parse
from lib.text import username_problem


class RowError(Exception):
    """Why a row cannot be provisioned, in words for the preview and the export."""


@dataclass(frozen=True)
class BulkRow:
    row: int
    username: str
    user_type: str
    email: str
    mobile: str
    ownership: str
    first_name: str
    last_name: str
    # Last, with a default: a job checked before the column existed reads its rows back without it.
    language: str = DEFAULT_LANGUAGE

    def as_row(self) -> list[object]:
        # Field order, as BulkRow(*row) reads it back (dataclasses.astuple deep-copies: slow).
        return [self.row, self.username, self.user_type, self.email, self.mobile, self.ownership, self.first_name,
                self.last_name, self.language]


class _EmailValidator(EmailValidator):
    """Django's validate_email, its patterns compiled at import instead of read through the lazy
    objects Django keeps them in (their proxied attribute reads were two thirds of each address's
    check). The same class, patterns and flags, so the same answers."""

    user_regex = re.compile(EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags)
    domain_regex = re.compile(EmailValidator.domain_regex.pattern, EmailValidator.domain_regex.flags)
    literal_regex = re.compile(EmailValidator.literal_regex.pattern, EmailValidator.literal_regex.flags)


_validate_email = _EmailValidator()


def normalise_mobile(value: str) -> str:
    """E.164 from what people type, by the one parser (``accounts.end_users.mobile_readings``):
    ``+49 171 2345678``, ``491712345678`` (spreadsheets drop the plus), ``(0171) 2345678``
    (PHONE_DEFAULT_REGION). Raises RowError for a bad number or one that could be two."""
    text = value.strip()
    e164, problem = _mobile_cached(text, settings.PHONE_DEFAULT_REGION)
    if problem:
        raise RowError(f"Bad mobile number {text!r}: it {problem}.")
    return e164


@lru_cache(maxsize=65536)
def _mobile_cached(text: str, region: str) -> tuple[str, str]:
    # Each distinct cell is parsed once per process: sheets repeat numbers (a team's shared phone),
    # and parsing is the costliest check of a row.
    return mobile_problem(text, region)


@lru_cache(maxsize=8)
def _words(choices: type[Ownership] | type[UserType]) -> dict[str, str]:
    # What a person may write for each choice (its value or its label, any case). Built once:
    # ``choices.choices`` builds its list afresh on every access, once per cell of every row.
    words: dict[str, str] = {}
    for choice_value, label in choices.choices:
        words[str(choice_value)] = words[str(label).lower()] = str(choice_value)
    return words


def _choice(value: str, choices: type[Ownership] | type[UserType], default: str, what: str) -> str:
    text = value.strip().lower()
    if not text:
        return default
    if text in (words := _words(choices)):
        return words[text]
    allowed = ", ".join(str(v) for v in choices.values)
    raise RowError(f"Unknown {what} {value.strip()!r} (use {allowed}).")


def build_row(row: int, cells: dict[str, str], *, default_ownership: str,
              default_language: str = DEFAULT_LANGUAGE) -> BulkRow:
    """A checked row, or RowError naming the first problem."""
    username = cells.get("username", "").strip()
    if not username:
        raise RowError("Missing username.")
    user_type = _choice(cells.get("user_type", ""), UserType, UserType.LOCAL, "user type")
    # Local users are created from the row: the console's rule. LDAP users are the directory's own
    # names, only looked up (the directory answers "not found" for a name it does not hold).
    if problem := username_problem(username, lookup=user_type == UserType.LDAP):
        raise RowError(f"The username {problem}.")
    email = cells.get("email", "").strip()
    if email:
        try:
            _validate_email(email)
        except ValidationError:
            raise RowError(f"Bad email address {email!r}.") from None
    return BulkRow(
        row=row,
        username=username,
        user_type=user_type,
        email=email,
        mobile=normalise_mobile(cells.get("mobile", "")),
        ownership=_choice(cells.get("ownership", ""), Ownership, default_ownership, "ownership"),
        first_name=cells.get("first_name", "").strip()[:150],
        last_name=cells.get("last_name", "").strip()[:150],
        language=_language(cells.get("language", ""), default_language),
    )


def _language(value: str, default: str) -> str:
    """The row's language by the one rule (``lib.languages``: en, de, fr, it, any case); empty: the job's."""
    try:
        return language_parse(value, default=default)
    except LanguageError as exc:
        raise RowError(str(exc)) from None

"""One CSV row checked and normalised, at preview. The preview writes the rows that pass to a
private file beside the upload (``preview.valid_rows_path``), which is what the worker creates.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.end_users import EndUserError, mobile_e164
from accounts.models import UserType
from config.text import username_problem
from enrollment.models import Ownership

MAX_USERNAME = 150


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

    def as_row(self) -> list[object]:
        # Field order, as BulkRow(*row) reads it back (dataclasses.astuple deep-copies: slow).
        return [self.row, self.username, self.user_type, self.email, self.mobile, self.ownership, self.first_name,
                self.last_name]


def normalise_mobile(value: str) -> str:
    """E.164 from what people type: ``+49 171 2345678``, ``(0171) 2345678`` (PHONE_DEFAULT_REGION)
    and, as spreadsheets often drop the plus, ``491712345678``. Raises RowError otherwise."""
    text = value.strip()
    try:
        return mobile_e164(text)
    except EndUserError:
        digits = "".join(ch for ch in text if ch.isdigit())
        # Without a "+" a number is national ("0171 ...") or international without its plus.
        if digits and not text.startswith(("+", "0", "(")):
            try:
                return mobile_e164("+" + digits)
            except EndUserError:
                pass
    raise RowError(f"Bad mobile number {text!r}.")


def _choice(value: str, choices: type[Ownership] | type[UserType], default: str, what: str) -> str:
    text = value.strip().lower()
    if not text:
        return default
    for choice_value, label in choices.choices:
        if text in (str(choice_value), str(label).lower()):
            return str(choice_value)
    allowed = ", ".join(str(v) for v in choices.values)
    raise RowError(f"Unknown {what} {value.strip()!r} (use {allowed}).")


def build_row(row: int, cells: dict[str, str], *, default_ownership: str) -> BulkRow:
    """A checked row, or RowError naming the first problem."""
    username = cells.get("username", "").strip()
    if not username:
        raise RowError("Missing username.")
    if len(username) > MAX_USERNAME:
        raise RowError(f"The username is longer than {MAX_USERNAME} characters.")
    if problem := username_problem(username):
        raise RowError(f"The username {problem}.")
    email = cells.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise RowError(f"Bad email address {email!r}.") from None
    return BulkRow(
        row=row,
        username=username,
        user_type=_choice(cells.get("user_type", ""), UserType, UserType.LOCAL, "user type"),
        email=email,
        mobile=normalise_mobile(cells.get("mobile", "")),
        ownership=_choice(cells.get("ownership", ""), Ownership, default_ownership, "ownership"),
        first_name=cells.get("first_name", "").strip()[:150],
        last_name=cells.get("last_name", "").strip()[:150],
    )

"""Message templates: the documented placeholders, validation on save, and rendering.

Templates are Django template source, but only ``{{ name }}`` with a documented name is allowed,
and one tag: ``{% if name %}…{% else %}…{% endif %}`` on a documented name, so a line such as
"Mobile:" can be left out when there is no value. No other tags, no filters, no attribute lookups.
Validation parses the source with Django's own lexer so what is checked is exactly what the engine
will render.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import Lexer, TokenType
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.views.decorators.debug import sensitive_variables

from enrollment.links import activation_link
from lib.languages import DEFAULT_LANGUAGE
from notifications.models import Channel

if TYPE_CHECKING:
    from audit.actor import Actor
    from enrollment.models import PendingEnrollment

PLACEHOLDERS: dict[str, str] = {
    "username": "The user the device is enrolled for",
    "first_name": "The user's first name (if known)",
    "last_name": "The user's last name (if known)",
    "email": "The user's email address",
    "otp": "The one-time password",
    "token": "The enrollment token",
    "activation_url": "The activation link the device opens",
    "expires": "When the OTP expires (or “never”)",
    "mobile": "The user's mobile number",
    "ownership": "Corporate, Personal or Unknown",
    "usage_count": "How many devices may enroll with this OTP",
    "provisioned_by": "The console user who provisioned the device",
    "authorizer": "The user who authorized the provisioning",
}

SAMPLE_TOKEN = "sAmPlEtOkEn0123456789abcdefGHIJ_"
# The preview's sample values; ``activation_url`` is added by ``sample_context`` from the configured
# Activation URL, so the preview shows the link devices will really open.
SAMPLE_CONTEXT: dict[str, str] = {
    "username": "jdoe",
    "first_name": "Jane",
    "last_name": "Doe",
    "email": "jane.doe@example.com",
    "otp": "K7P3M9QX",
    "token": SAMPLE_TOKEN,
    "expires": "24 Nov 2026, 09:00 UTC",
    "mobile": "+491712345678",
    "ownership": "Corporate",
    "usage_count": "1",
    "provisioned_by": "admin",
    "authorizer": "helpdesk.lead",
}

SAMPLE_EXPIRES = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def sample_context() -> dict[str, str]:
    """The preview's values, read when the preview is made (Admin > General may have changed)."""
    return {**SAMPLE_CONTEXT, "activation_url": activation_link(SAMPLE_TOKEN)}


# Plain-text messages: no HTML escaping. debug off, no loaders: the template can reach nothing.
_ENGINE = Engine(autoescape=False, debug=False, libraries={}, builtins=[], loaders=[])


def validate_template_source(source: str, *, field: str = "Body") -> list[str]:
    """The placeholders the source uses. Raises ValidationError naming what is not allowed."""
    problems: list[str] = []
    used: list[str] = []
    tokens = Lexer(source).tokenize()
    for token in tokens:
        if token.token_type == TokenType.BLOCK:
            words = token.contents.split()
            if words in (["else"], ["endif"]):
                continue
            if len(words) == 2 and words[0] == "if" and words[1] in PLACEHOLDERS:
                continue  # a condition prints nothing: it does not count as using the placeholder
            if len(words) == 2 and words[0] == "if":
                problems.append(f"“{words[1]}” in “{{% {token.contents} %}}” is not a known placeholder")
            else:
                problems.append(f"template tags such as “{{% {token.contents} %}}” are not allowed "
                                "(only {% if placeholder %}…{% endif %})")
        elif token.token_type == TokenType.VAR:
            name = token.contents.strip()
            if "|" in name:
                problems.append(f"filters such as “{{{{ {name} }}}}” are not allowed")
            elif name not in PLACEHOLDERS:
                problems.append(f"“{{{{ {name} }}}}” is not a known placeholder")
            else:
                used.append(name)
    # Stray braces that the lexer did not take as a variable (e.g. "{{ otp }" or "{% x") are typos.
    text_only = "".join(t.contents for t in tokens if t.token_type == TokenType.TEXT)
    for opener in ("{{", "{%", "{#"):
        if opener in text_only:
            problems.append(f"an unclosed “{opener}”")
    if problems:
        allowed = ", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS)
        raise ValidationError(f"{field}: {'; '.join(dict.fromkeys(problems))}. Allowed placeholders: {allowed}.")
    try:
        _ENGINE.from_string(source)
    except TemplateSyntaxError as exc:
        raise ValidationError(f"{field}: {exc}") from exc
    return used


def validate_template(*, channel: str, subject: str, body: str) -> None:
    errors: dict[str, list[str]] = {}
    if channel == Channel.EMAIL:
        if not subject.strip():
            errors.setdefault("subject", []).append("An email needs a subject.")
        else:
            try:
                validate_template_source(subject, field="Subject")
            except ValidationError as exc:
                errors.setdefault("subject", []).extend(exc.messages)
    if not body.strip():
        errors.setdefault("body", []).append("The message body cannot be empty.")
    else:
        try:
            used = validate_template_source(body)
        except ValidationError as exc:
            errors.setdefault("body", []).extend(exc.messages)
        else:
            if channel == Channel.SMS and "activation_url" not in used:
                errors.setdefault("body", []).append(
                    "The SMS must keep {{ activation_url }}: without the link the user cannot enroll."
                )
    if errors:
        raise ValidationError(errors)


@sensitive_variables()
def render_template(source: str, context: dict[str, Any]) -> str:
    """Render validated template source as plain text: a plain ``str``, never a SafeString.

    ``Template.render`` marks its output safe for HTML, but this text is what an admin typed plus
    unescaped values: an HTML page that shows it (the preview) must escape it like any other text.
    """
    rendered = _compiled(source).render(Context(context, autoescape=False))
    return str.__str__(rendered)  # str(rendered) would return the SafeString itself


@lru_cache(maxsize=64)
def _compiled(source: str) -> Template:
    # Keyed by the source text, so an edited template compiles afresh; bulk jobs compile once.
    return _ENGINE.from_string(source)


def format_expires(value: datetime | None) -> str:
    """When the OTP expires, in the active language's words and date format (includes/when.html's format)."""
    if value is None:
        return gettext("never")
    return _expires_text(value, timezone.get_current_timezone_name(), get_language())


@lru_cache(maxsize=256)
def _expires_text(value: datetime, zone: str, language: str | None) -> str:
    # A bulk batch's rows share one expiry: formatted once, not once per message (and language).
    # Translators: a date and time in Django's date format letters (j day, M/F month, Y year, H:i time, T zone).
    return date_format(timezone.localtime(value), gettext("j M Y, H:i T"))


@sensitive_variables()
def enrollment_context(
    enrollment: PendingEnrollment,
    *,
    otp: str,
    actor: Actor,
    authorizer: str = "",
    base_url: str | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> dict[str, str]:
    """The placeholders' values for a message about ``enrollment``, dates and words in ``language``."""
    with translation.override(language):
        return _enrollment_values(enrollment, otp=otp, actor=actor, authorizer=authorizer, base_url=base_url)


@sensitive_variables()
def _enrollment_values(enrollment: PendingEnrollment, *, otp: str, actor: Actor, authorizer: str,
                       base_url: str | None) -> dict[str, str]:
    end_user = enrollment.end_user
    return {
        "username": enrollment.username,
        "first_name": getattr(end_user, "first_name", "") or "",
        "last_name": getattr(end_user, "last_name", "") or "",
        "email": enrollment.email,
        "otp": otp,
        "token": enrollment.token,
        "activation_url": activation_link(enrollment.token, base_url),
        "expires": format_expires(enrollment.otp_expires_at),
        "mobile": enrollment.mobile,
        "ownership": str(enrollment.get_ownership_display()),
        "usage_count": str(enrollment.usage_count),
        "provisioned_by": actor.name,
        "authorizer": authorizer or actor.name,
    }

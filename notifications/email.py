"""The one module that talks SMTP: Django's mail backend configured from the environment
(EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
EMAIL_USE_SSL, DEFAULT_FROM_EMAIL)."""

from __future__ import annotations

import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

if TYPE_CHECKING:
    from notifications.services import Attachment


class EmailDeliveryError(Exception):
    """The mail server refused the message or could not be reached."""


def send_email(*, to: str, subject: str, body: str, attachments: list[Attachment] | None = None) -> str:
    """Send one plain-text email. Returns the Message-ID."""
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    for attachment in attachments or []:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    message_id = message.message()["Message-ID"] or ""
    message.extra_headers["Message-ID"] = message_id
    try:
        connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
        sent = connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as exc:  # OSError covers refused connections and timeouts
        raise EmailDeliveryError(f"Email to {to} failed: {exc}") from exc
    if not sent:
        raise EmailDeliveryError(f"Email to {to} was not accepted by the mail server.")
    return str(message_id)

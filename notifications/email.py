"""The one module that talks SMTP: Django's mail backend configured from the environment
(EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
EMAIL_USE_SSL, DEFAULT_FROM_EMAIL)."""

from __future__ import annotations

import smtplib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME

if TYPE_CHECKING:
    from notifications.outbox import Attachment


class EmailDeliveryError(Exception):
    """The mail server refused the message or could not be reached."""


# The server refused this message and answered in order (smtplib resets the transaction): the
# connection is still good for the next one.
_MESSAGE_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class EmailSession:
    """One connection to the mail server for many messages (a batch from the outbox): the
    connection opens with the first message and closes when the session ends. A message the
    server refuses leaves it open; any other failure drops it, so the next message starts on a
    fresh connection instead of a broken one."""

    def __init__(self) -> None:
        self._connection: Any = None

    def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                connection.close()
            except (smtplib.SMTPException, OSError):
                pass  # the server went away first; nothing is left to close

    def send(self, *, to: str, subject: str, body: str, attachments: list[Attachment] | None = None) -> str:
        """Send one plain-text email over the session's connection. Returns the Message-ID."""
        # The Message-ID is chosen here (as Django would) so the MIME message is built once, when sent.
        message_id = make_msgid(domain=DNS_NAME)
        message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to],
                               headers={"Message-ID": message_id})
        for attachment in attachments or []:
            message.attach(attachment.filename, attachment.content, attachment.mimetype)
        try:
            if self._connection is None:
                self._connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
                self._connection.open()
            sent = self._connection.send_messages([message])
        except (smtplib.SMTPException, OSError) as exc:  # OSError covers refused connections and timeouts
            if not isinstance(exc, _MESSAGE_REFUSED):
                self.close()
            raise EmailDeliveryError(f"Email to {to} failed: {exc}") from exc
        if not sent:
            self.close()
            raise EmailDeliveryError(f"Email to {to} was not accepted by the mail server.")
        return str(message_id)

"""Opening one message of the Delivery log (Administrators): subject and body, every OTP masked.

A message row keeps its subject and body sealed and does not record which OTP it carries. What is
masked, and why that is enough:

- the pending enrollment's current OTP, wherever the text holds it (an admin may have edited the
  template to put it anywhere). It is the only OTP of that enrollment that still works: a reset makes
  the old one stop working, and a deleted or fully used enrollment accepts none;
- in any case, the value after a "One-time password:", "OTP:" or "Password:" label (also in the other
  template languages), so an OTP from before a reset, or of an enrollment that is gone, is not shown
  either.

Every opening is audited, like "View OTP".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.views.decorators.debug import sensitive_variables

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from lib.crypto import SecretUnreadable, unseal
from notifications.models import Message

OTP_MASK = "••••"
UNREADABLE = "This text cannot be decrypted with the configured keys."

_LABELS = ("one-time password", "one time password", "otp", "password", "einmalpasswort", "passwort",
           "mot de passe à usage unique", "mot de passe", "password monouso", "codice monouso")
# A label, a colon, and the value up to the next white space: what the shipped templates print.
_LABELLED_OTP = re.compile(
    r"(?i)(?<![\w-])(" + "|".join(re.escape(label) for label in sorted(_LABELS, key=len, reverse=True))
    + r")(\s*[:：]\s*)(\S+)"
)


@dataclass(frozen=True)
class MessageText:
    subject: str
    body: str


@sensitive_variables()
def mask_otps(text: str, *, otp: str | None) -> str:
    """``text`` with ``otp`` (when known) and every labelled OTP value replaced by ``OTP_MASK``."""
    if otp:
        text = text.replace(otp, OTP_MASK)
    return _LABELLED_OTP.sub(lambda m: f"{m.group(1)}{m.group(2)}{OTP_MASK}", text)


@sensitive_variables()
def message_text_open(*, message: Message, actor: Actor) -> MessageText:
    """The subject and body of ``message`` with its OTPs masked. Audited."""
    otp = _current_otp(message)
    subject = _unseal_or_note(message.subject_sealed) if message.subject_sealed else ""
    body = _unseal_or_note(message.body_sealed)
    audit_record(actor=actor, action=AuditAction.MESSAGE_BODY_VIEWED, **message.audit_target())
    return MessageText(subject=mask_otps(subject, otp=otp), body=mask_otps(body, otp=otp))


@sensitive_variables()
def _current_otp(message: Message) -> str | None:
    if message.enrollment is None or not message.enrollment.otp_ciphertext:
        return None
    try:
        return unseal(message.enrollment.otp_ciphertext)
    except SecretUnreadable:
        return None  # the labelled values are still masked


def _unseal_or_note(sealed: str) -> str:
    try:
        return unseal(sealed)
    except SecretUnreadable:
        return UNREADABLE

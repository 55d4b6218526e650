"""Delivering outbox messages in batches: claim many at once, send every email of the batch over one
SMTP connection and every SMS over one Twilio HTTP session, record each message's outcome on its row.

Invariant: only the caller whose claim moves a row queued → sending sends it, so a message published
twice (the sweep, a redelivery) is still sent once. A row stays in sending only while its batch runs;
the sweep takes back rows left in sending longer than NOTIFICATION_SENDING_TIMEOUT_SECONDS, which the
app check keeps longer than the send tasks' time limit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from enrollment.crypto import unseal
from notifications.email import EmailSession
from notifications.models import Channel, Message, MessageStatus, SmsSettings
from notifications.services import _unseal_attachments
from notifications.sms import SmsSession


@dataclass
class Transports:
    """The open connections of one batch; the SMS sender label is read once per batch."""

    email: EmailSession = field(default_factory=EmailSession)
    sms: SmsSession = field(default_factory=SmsSession)
    _sender: str | None = None

    def sender_label(self) -> str:
        if self._sender is None:
            self._sender = SmsSettings.load().sender_label
        return self._sender


@contextmanager
def open_transports() -> Iterator[Transports]:
    transports = Transports()
    try:
        yield transports
    finally:
        transports.email.close()


def messages_claim(*, message_ids: Sequence[int]) -> list[Message]:
    """Move the queued messages among ``message_ids`` to sending and count this attempt; returns
    the rows this caller claimed, in id order. Two workers claiming overlapping batches never both
    get a row: on PostgreSQL the rows are locked (another worker skips them), and SQLite's
    IMMEDIATE transactions let one writer in at a time."""
    if not message_ids:
        return []
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(id__in=list(message_ids), status=MessageStatus.QUEUED)
            .order_by("id")
            .values_list("id", flat=True)
        )
        Message.objects.filter(id__in=ids, status=MessageStatus.QUEUED).update(
            status=MessageStatus.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
    return list(Message.objects.filter(id__in=ids).order_by("id"))


@sensitive_variables()
def message_deliver(*, message: Message, transports: Transports) -> None:
    """Deliver one claimed message over the batch's open connections and mark it sent (each row at
    once, so a worker that dies mid-batch never leaves a sent message to be sent again). Raises the
    transport's error on failure: the task decides whether to retry or fail."""
    if message.channel == Channel.EMAIL:
        provider_id = transports.email.send(
            to=message.recipient,
            subject=unseal(message.subject_sealed) if message.subject_sealed else "",
            body=unseal(message.body_sealed),
            attachments=_unseal_attachments(message.attachments_sealed),
        )
    else:
        provider_id = transports.sms.send(
            to=message.recipient, body=unseal(message.body_sealed), sender=transports.sender_label()
        )
    Message.objects.filter(id=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.SENT, sent_at=timezone.now(), error="", provider_id=(provider_id or "")[:64]
    )


def messages_release(*, message_ids: Sequence[int]) -> None:
    """Put claimed messages that were not attempted back to queued, uncounting the attempt their
    claim counted (the batch ran out of time before them)."""
    Message.objects.filter(id__in=list(message_ids), status=MessageStatus.SENDING).update(
        status=MessageStatus.QUEUED, claimed_at=None, attempts=F("attempts") - 1
    )

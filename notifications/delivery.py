"""Delivering outbox messages in batches: claim many at once, send every email of the batch over one
SMTP connection and every SMS over one Twilio HTTP session, record each message's outcome on its row.

Invariant: only the caller whose claim moves a row queued → sending sends it, so a message published
twice (the sweep, a redelivery) is still sent once. A row stays in sending only while its batch runs;
the sweep takes back rows left in sending longer than NOTIFICATION_SENDING_TIMEOUT_SECONDS, which the
app check keeps longer than the send tasks' time limit.

Sent marks are written in groups (``SENT_MARK_GROUP`` messages, and whatever is left when the batch's
connections close, also after a failure or the soft time limit): one UPDATE instead of one per
message, which was most of the cost of a message on a local mail server. The price: a worker
killed outright (SIGKILL, power) between a send and its group's mark leaves at most that many sent
messages in sending, and the sweep sends those again after the timeout. Email gives no stronger
promise anyway: a crash between the server's 250 and any mark re-sends the message.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from lib.crypto import unseal
from notifications.email import EmailSession
from notifications.models import Channel, Message, MessageStatus, SmsSettings
from notifications.outbox import enqueue_after_commit, unseal_attachments
from notifications.sms import SmsSession


class ResendRefused(Exception):
    """Only a failed message can be re-sent."""


SENT_MARK_GROUP = 25


@dataclass
class Transports:
    """The open connections of one batch, and its sent marks not written yet; the SMS sender label
    is read once per batch."""

    email: EmailSession = field(default_factory=EmailSession)
    sms: SmsSession = field(default_factory=SmsSession)
    _sender: str | None = None
    _sent: dict[int, str] = field(default_factory=dict)

    def sender_label(self) -> str:
        if self._sender is None:
            self._sender = SmsSettings.load().sender_label
        return self._sender

    def mark_sent(self, message_id: int, provider_id: str) -> None:
        self._sent[message_id] = provider_id[:64]
        if len(self._sent) >= SENT_MARK_GROUP:
            self.write_sent_marks()

    def write_sent_marks(self) -> None:
        """Mark the messages sent so far sent, in one UPDATE (each with its provider's id)."""
        if not self._sent:
            return
        sent, self._sent = self._sent, {}
        # UPDATE ... FROM a VALUES list: the ORM's Case/When for per-row values cost more CPU than
        # sending the messages did. Only rows still in sending change (the claim's invariant).
        table = connection.ops.quote_name(Message._meta.db_table)
        values = ", ".join(["(%s, %s)"] * len(sent))
        with transaction.atomic():
            _commit_without_waiting_for_disk()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"WITH v (id, provider_id) AS (VALUES {values}) "
                    f"UPDATE {table} SET status = %s, sent_at = %s, error = '', provider_id = v.provider_id "
                    f"FROM v WHERE {table}.id = v.id AND {table}.status = %s",
                    [*(p for item in sent.items() for p in item), MessageStatus.SENT.value, timezone.now(),
                     MessageStatus.SENDING.value],
                )


@contextmanager
def open_transports() -> Iterator[Transports]:
    transports = Transports()
    try:
        yield transports
    finally:
        try:
            transports.write_sent_marks()
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
        claimed = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(id__in=list(message_ids), status=MessageStatus.QUEUED)
            .order_by("id")
        )
        if not claimed:
            return []
        now = timezone.now()
        Message.objects.filter(id__in=[m.pk for m in claimed], status=MessageStatus.QUEUED).update(
            status=MessageStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    # The rows are locked until the UPDATE commits: what it wrote is what they hold now.
    for message in claimed:
        message.status, message.claimed_at, message.attempts = MessageStatus.SENDING, now, message.attempts + 1
    return claimed


@sensitive_variables()
def message_deliver(*, message: Message, transports: Transports) -> None:
    """Deliver one claimed message over the batch's open connections; its sent mark is written with
    its group's (``Transports.mark_sent``). Raises the transport's error on failure: the task
    decides whether to retry or fail."""
    if message.channel == Channel.EMAIL:
        provider_id = transports.email.send(
            to=message.recipient,
            subject=unseal(message.subject_sealed) if message.subject_sealed else "",
            body=unseal(message.body_sealed),
            attachments=unseal_attachments(message.attachments_sealed),
        )
    else:
        provider_id = transports.sms.send(
            to=message.recipient, body=unseal(message.body_sealed), sender=transports.sender_label()
        )
    transports.mark_sent(message.pk, provider_id or "")


def _commit_without_waiting_for_disk() -> None:
    """Sent marks commit without waiting for their WAL flush (PostgreSQL's per-transaction
    synchronous_commit off): other sessions see them at once; only a crash of the database server
    itself within a fraction of a second could lose them, and the sweep would then send those
    messages once more."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def messages_release(*, message_ids: Sequence[int]) -> None:
    """Put claimed messages that were not attempted back to queued, uncounting the attempt their
    claim counted (the batch ran out of time before them)."""
    Message.objects.filter(id__in=list(message_ids), status=MessageStatus.SENDING).update(
        status=MessageStatus.QUEUED, claimed_at=None, attempts=F("attempts") - 1
    )


# --- one message's state: claim, failure, the sweep, re-send ------------------------------


def message_claim(*, message_id: int) -> bool:
    """Move a queued message to sending. True for exactly one caller; a message is never sent twice."""
    now = timezone.now()
    changed = Message.objects.filter(id=message_id, status=MessageStatus.QUEUED).update(
        status=MessageStatus.SENDING, claimed_at=now
    )
    return changed == 1


def message_record_failure(*, message_id: int, error: str) -> int | None:
    """A failed attempt. With attempts left the message goes back to queued, due after an
    exponential backoff, and the backoff in seconds is returned; otherwise it is marked failed
    with the error and None is returned."""
    attempts = Message.objects.filter(id=message_id).values_list("attempts", flat=True).first() or 0
    if attempts > settings.NOTIFICATION_MAX_RETRIES:
        message_fail(message_id=message_id, error=error)
        return None
    countdown = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    # queued_at is when the message is due: the sweep leaves a message waiting for its retry alone.
    Message.objects.filter(id=message_id, status=MessageStatus.SENDING).update(
        status=MessageStatus.QUEUED, queued_at=timezone.now() + timedelta(seconds=countdown), error=error[:2000]
    )
    return int(countdown)


def message_fail(*, message_id: int, error: str) -> None:
    Message.objects.filter(id=message_id, status=MessageStatus.SENDING).update(
        status=MessageStatus.FAILED, error=error[:2000]
    )


def messages_requeue_stuck() -> int:
    """The sweep: re-publish messages left queued (broker down, lost publish) or left sending
    (worker died mid-send). Returns how many were re-queued."""
    now = timezone.now()
    stuck = Message.objects.stuck(
        queued_before=now - timedelta(seconds=settings.NOTIFICATION_STUCK_SECONDS),
        sending_before=now - timedelta(seconds=settings.NOTIFICATION_SENDING_TIMEOUT_SECONDS),
    )
    ids = list(stuck.values_list("id", flat=True)[:5000])
    if not ids:
        return 0
    with transaction.atomic():
        # Sending rows go back to queued so a worker can claim them again; the queued_at bump keeps
        # the next sweep from publishing the same rows while this publish is in flight.
        Message.objects.filter(id__in=ids, status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]).update(
            status=MessageStatus.QUEUED, queued_at=now, claimed_at=None
        )
        enqueue_after_commit(ids)
    return len(ids)


def message_resend(*, message: Message, actor: Actor) -> None:
    """Delivery log "Re-send": a failed message goes back to queued with fresh attempts."""
    with transaction.atomic():
        changed = Message.objects.filter(id=message.pk, status=MessageStatus.FAILED).update(
            status=MessageStatus.QUEUED, queued_at=timezone.now(), attempts=0, error="", claimed_at=None
        )
        if changed != 1:
            raise ResendRefused("Only a failed message can be re-sent.")
        audit_record(actor=actor, action=AuditAction.MESSAGE_RESENT, **message.audit_target())
        enqueue_after_commit([message.pk])

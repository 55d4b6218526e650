"""Celery adapters: ids in, claim, call the service, own the retries."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from notifications import delivery
from notifications.apps import SEND_TASK_TIME_LIMIT
from notifications.email import EmailDeliveryError
from notifications.models import Message
from notifications.sms import SmsDeliveryError, SmsNotConfigured

logger = logging.getLogger(__name__)

DELIVERY_ERRORS = (EmailDeliveryError, SmsDeliveryError)


@dataclass(frozen=True)
class _Retry:
    countdown: int
    error: Exception


def _deliver(message: Message, transports: delivery.Transports) -> str | _Retry:
    """Send one claimed message and record the outcome on its row: "sent", "failed", or a retry
    due after the row's backoff. Attempts are counted on the row, not in the Celery request, so a
    sweep re-publish does not reset the budget."""
    message_id = message.pk
    try:
        delivery.message_deliver(message=message, transports=transports)
    except SoftTimeLimitExceeded:
        raise
    except SmsNotConfigured as exc:
        delivery.message_fail(message_id=message_id, error=str(exc))
        return "failed"
    except DELIVERY_ERRORS as exc:
        countdown = delivery.message_record_failure(message_id=message_id, error=str(exc))
        return "failed" if countdown is None else _Retry(countdown, exc)
    except Exception as exc:
        # An unexpected error (bug, unreadable secret): fail visibly rather than retry forever.
        logger.exception("Message %s could not be sent", message_id)
        delivery.message_fail(message_id=message_id, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    return "sent"


@shared_task(  # type: ignore[untyped-decorator]
    bind=True,
    max_retries=None,  # the row's attempts decide (NOTIFICATION_MAX_RETRIES), see message_record_failure
    time_limit=SEND_TASK_TIME_LIMIT,
    soft_time_limit=SEND_TASK_TIME_LIMIT - 20,
    acks_late=True,
    ignore_result=True,
)
def send_message(self, message_id: int) -> str:  # type: ignore[no-untyped-def]
    """Send one message at most once: only the caller that moves it queued → sending sends it.
    A failure puts it back to queued and retries with exponential backoff; after
    NOTIFICATION_MAX_RETRIES it is marked failed with the error."""
    claimed = delivery.messages_claim(message_ids=[message_id])
    if not claimed:
        return "skipped"
    try:
        with delivery.open_transports() as transports:
            outcome = _deliver(claimed[0], transports)
    except SoftTimeLimitExceeded:
        delivery.message_fail(message_id=message_id, error="Sending took longer than the time limit.")
        return "failed"
    if isinstance(outcome, _Retry):
        raise self.retry(exc=outcome.error, countdown=outcome.countdown) from outcome.error
    return outcome


@shared_task(  # type: ignore[untyped-decorator]
    time_limit=SEND_TASK_TIME_LIMIT, soft_time_limit=SEND_TASK_TIME_LIMIT - 20, acks_late=True, ignore_result=True
)
def send_messages(message_ids: list[int]) -> int:
    """A batch (bulk jobs, the sweep): claim up to NOTIFICATION_SEND_BATCH_SIZE messages at once and
    send them over one SMTP connection (and one Twilio session). Each message keeps its own outcome
    and its own retries (``send_message`` with the row's backoff). Returns how many were sent."""
    ids = [int(i) for i in message_ids]
    size = settings.NOTIFICATION_SEND_BATCH_SIZE
    for start in range(size, len(ids), size):
        # A longer list (published before batching existed): the rest as batches of their own.
        try:
            send_messages.delay(ids[start:start + size])
        except Exception:  # noqa: BLE001 - broker down: those rows stay queued for the sweep
            logger.exception("Could not publish a batch of %d message(s); the sweep will re-queue them.", size)
    claimed = delivery.messages_claim(message_ids=ids[:size])
    sent = 0
    with delivery.open_transports() as transports:
        for position, message in enumerate(claimed):
            try:
                outcome = _deliver(message, transports)
            except SoftTimeLimitExceeded:
                # Out of time: this message counts as a failed attempt (due again after its backoff);
                # those not tried yet go back to queued as they were. The sweep publishes them again.
                delivery.message_record_failure(message_id=message.pk, error="Sending took longer than the time limit.")
                delivery.messages_release(message_ids=[m.pk for m in claimed[position + 1:]])
                logger.warning("A batch ran out of time; %d message(s) go back to queued.", len(claimed) - position)
                break
            if isinstance(outcome, _Retry):
                _publish_retry(message.pk, outcome.countdown)
            elif outcome == "sent":
                sent += 1
    return sent


def _publish_retry(message_id: int, countdown: int) -> None:
    try:
        send_message.apply_async(args=[message_id], countdown=countdown)
    except Exception:  # noqa: BLE001 - broker down: the row is queued, the sweep sends it when due
        logger.exception("Could not publish the retry of message %s; the sweep will re-queue it.", message_id)


@shared_task(time_limit=120, soft_time_limit=100, ignore_result=True)  # type: ignore[untyped-decorator]
def requeue_stuck_messages() -> int:
    """Celery beat: re-publish messages stuck in queued or sending."""
    return delivery.messages_requeue_stuck()

"""Celery adapters: ids in, claim, call the service, own the retries."""

from __future__ import annotations

import logging

from celery import shared_task

from notifications import services
from notifications.apps import SEND_TASK_TIME_LIMIT
from notifications.email import EmailDeliveryError
from notifications.sms import SmsDeliveryError, SmsNotConfigured

logger = logging.getLogger(__name__)

DELIVERY_ERRORS = (EmailDeliveryError, SmsDeliveryError)


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
    if not services.message_claim(message_id=message_id):
        return "skipped"
    try:
        services.message_send(message_id=message_id)
    except SmsNotConfigured as exc:
        services.message_fail(message_id=message_id, error=str(exc))
        return "failed"
    except DELIVERY_ERRORS as exc:
        # Attempts are counted on the row, not in the Celery request, so a sweep re-publish does
        # not reset the budget.
        countdown = services.message_record_failure(message_id=message_id, error=str(exc))
        if countdown is None:
            return "failed"
        raise self.retry(exc=exc, countdown=countdown) from exc
    except Exception as exc:
        # An unexpected error (bug, unreadable secret): fail visibly rather than retry forever.
        logger.exception("Message %s could not be sent", message_id)
        services.message_fail(message_id=message_id, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    return "sent"


@shared_task(time_limit=300, soft_time_limit=280, ignore_result=True)  # type: ignore[untyped-decorator]
def send_messages(message_ids: list[int]) -> int:
    """A batch (bulk jobs, the sweep): one task per message, so each retries on its own."""
    for message_id in message_ids:
        send_message.delay(message_id)
    return len(message_ids)


@shared_task(time_limit=120, soft_time_limit=100, ignore_result=True)  # type: ignore[untyped-decorator]
def requeue_stuck_messages() -> int:
    """Celery beat: re-publish messages stuck in queued or sending."""
    return services.messages_requeue_stuck()

"""Celery adapters: ids in, claim, deliver, publish the retries."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from webhooks import delivery
from webhooks.apps import SEND_TASK_TIME_LIMIT
from webhooks.transport import HttpSession

logger = logging.getLogger(__name__)


@shared_task(time_limit=SEND_TASK_TIME_LIMIT, soft_time_limit=SEND_TASK_TIME_LIMIT - 20, acks_late=True,
             ignore_result=True)  # type: ignore[untyped-decorator]
def deliver_webhook(delivery_id: int) -> int:
    """One delivery (an event of one endpoint, a retry, a re-send, a test event). Returns 1 when delivered."""
    return deliver(delivery_ids=[delivery_id])


@shared_task(time_limit=SEND_TASK_TIME_LIMIT, soft_time_limit=SEND_TASK_TIME_LIMIT - 20, acks_late=True,
             ignore_result=True)  # type: ignore[untyped-decorator]
def deliver_webhooks(delivery_ids: list[int]) -> int:
    """A batch (a bulk job's events, the sweep): claimed at once, sent over one connection per receiver.
    Returns how many were delivered."""
    ids, size = [int(i) for i in delivery_ids], settings.WEBHOOK_SEND_BATCH_SIZE
    if len(ids) > size:  # published under a larger batch size: the rest as batches of their own
        _publish(ids[size:], 0)
    return deliver(delivery_ids=ids[:size])


def deliver(*, delivery_ids: list[int]) -> int:
    """Claim and attempt ``delivery_ids`` in order. A receiver that does not answer at all is not tried
    again in this batch: its other deliveries wait with the first (no attempt counted). Retries due
    alike are published together. Out of time, the deliveries not tried go back to queued and are
    published again."""
    claimed = delivery.deliveries_claim(delivery_ids=delivery_ids)
    delivered = 0
    retries: dict[int, list[int]] = defaultdict(list)  # countdown -> ids
    unreachable: dict[int, int] = {}  # endpoint id -> the countdown of its first delivery
    waiting: dict[int, list[int]] = defaultdict(list)  # countdown -> ids not tried: their receiver is unreachable
    session = HttpSession()
    try:
        for position, item in enumerate(claimed):
            if item.endpoint_id in unreachable:
                waiting[unreachable[item.endpoint_id]].append(item.pk)
                continue
            try:
                outcome = delivery.delivery_attempt(delivery=item, session=session)
            except SoftTimeLimitExceeded:
                rest = [d.pk for d in claimed[position:]]
                delivery.deliveries_release(delivery_ids=rest)
                logger.warning("A webhook batch ran out of time; %d delivery(ies) go back to queued.", len(rest))
                retries[0] += rest
                break
            except Exception as exc:
                # An unexpected error (a bug, a secret sealed with a key no longer configured): fail
                # visibly rather than retry for ever.
                logger.exception("Webhook delivery %s could not be sent", item.pk)
                delivery.delivery_fail(delivery=item, error=f"{type(exc).__name__}: {exc}")
                continue
            if outcome.status == "delivered":
                delivered += 1
            elif outcome.status == "retry":
                retries[outcome.countdown].append(item.pk)
            if outcome.unreachable:
                unreachable[item.endpoint_id] = outcome.countdown
    finally:
        session.close()
        for countdown, ids in waiting.items():
            delivery.deliveries_release(delivery_ids=ids, until=timezone.now() + timedelta(seconds=countdown))
            retries[countdown] += ids
    for countdown, ids in retries.items():
        _publish(ids, countdown)
    return delivered


def _publish(ids: list[int], countdown: int) -> None:
    size = settings.WEBHOOK_SEND_BATCH_SIZE
    try:
        for start in range(0, len(ids), size):
            chunk = ids[start:start + size]
            if len(chunk) == 1:
                deliver_webhook.apply_async(args=[chunk[0]], countdown=countdown)
            else:
                deliver_webhooks.apply_async(args=[chunk], countdown=countdown)
    except Exception:  # noqa: BLE001 - broker down: the rows are queued, the sweep publishes them when due
        logger.exception("Could not publish %d webhook retry(ies); the sweep will re-queue them.", len(ids))


@shared_task(time_limit=120, soft_time_limit=100, ignore_result=True)  # type: ignore[untyped-decorator]
def requeue_stuck_deliveries() -> int:
    """Celery beat: re-publish deliveries stuck in queued or sending."""
    return delivery.deliveries_requeue_stuck()

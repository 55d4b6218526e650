"""Delivering the webhook outbox: claim deliveries atomically, POST each signed body, record the
answer on its row, retry with backoff, and the sweep.

Invariants:
- Only the caller whose claim moves a row queued → sending sends it, and only once it is due
  (``next_attempt_at``): a delivery published twice (the sweep, a broker redelivery, a retry) is
  still attempted once per claim. The promise is at least once: a worker killed between a
  receiver's 2xx and the delivered mark leaves the row in sending, and the sweep sends it again
  after WEBHOOK_SENDING_TIMEOUT_SECONDS, with the same ``webhook-id`` (receivers drop duplicates).
- Retries: a timeout, a failed connection or a non-2xx answer puts the row back to queued, due after
  WEBHOOK_RETRY_BASE_SECONDS * 2^(attempts - 1), at most WEBHOOK_RETRY_MAX_SECONDS; a retry that
  would be due after ``retry_until`` (WEBHOOK_RETRY_HOURS after the event, or after a Re-send) marks
  the row failed instead. A test event is tried once.
- A disabled endpoint is sent nothing: its queued deliveries fail when it is disabled, and a claim
  that finds the endpoint disabled fails the row (test events excepted: they check an endpoint
  before it is enabled).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from lib.crypto import unseal
from webhooks import payloads
from webhooks.events import enqueue_after_commit, payload_json, retry_deadline
from webhooks.models import TEST_EVENT, Delivery, DeliveryStatus, Endpoint
from webhooks.redact import answer_excerpt, redact
from webhooks.signing import signed_headers
from webhooks.transport import HttpSession, Response, WebhookTransportError

# A task published with a countdown may arrive a little before its row is due (clocks, rounding).
EARLY = timedelta(seconds=1)
DISABLED = "Not sent: the endpoint is disabled."


class ResendRefused(Exception):
    """Only a delivered or failed delivery of an enabled endpoint can be re-sent; the message says why."""


@dataclass(frozen=True)
class Outcome:
    """What an attempt left the row as: "delivered", "failed", or "retry" due in ``countdown`` seconds;
    ``unreachable``: no answer at all (the receiver's other deliveries in a batch wait with this one)."""

    status: str
    countdown: int = 0
    unreachable: bool = False


def retry_backoff(attempts: int) -> int:
    """Seconds from a failed attempt (the ``attempts``-th) to the next."""
    return int(min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), settings.WEBHOOK_RETRY_MAX_SECONDS))


def deliveries_claim(*, delivery_ids: Sequence[int]) -> list[Delivery]:
    """Move the due queued deliveries among ``delivery_ids`` to sending and count this attempt; returns
    those this caller claimed, in id order, with their endpoints. Two workers never both get a row:
    on PostgreSQL the rows are locked (another worker skips them), SQLite lets one writer in at a time."""
    if not delivery_ids:
        return []
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",)).select_related("endpoint")
            .filter(id__in=list(delivery_ids), status=DeliveryStatus.QUEUED, next_attempt_at__lte=now + EARLY)
            .order_by("id")
        )
        if not claimed:
            return []
        Delivery.objects.filter(id__in=[d.pk for d in claimed]).update(
            status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    for delivery in claimed:
        delivery.status, delivery.claimed_at, delivery.attempts = DeliveryStatus.SENDING, now, delivery.attempts + 1
    return claimed


@sensitive_variables("secret")
def delivery_attempt(*, delivery: Delivery, session: HttpSession) -> Outcome:
    """POST one claimed delivery, signed, and record the answer on its row."""
    endpoint = delivery.endpoint
    if not endpoint.enabled and delivery.event != TEST_EVENT:
        _finish(delivery, DeliveryStatus.FAILED, error=DISABLED)
        return Outcome("failed")
    now = timezone.now()
    secret = unseal(endpoint.secret_sealed)
    headers = signed_headers(secret=secret, webhook_id=delivery.webhook_id, body=delivery.payload, at=now)
    try:
        response = session.post(endpoint.url, delivery.payload.encode(), headers)
    except WebhookTransportError as exc:
        return _failed(delivery, now, error=redact(str(exc)), response=None)
    if response.ok:
        _finish(delivery, DeliveryStatus.DELIVERED, at=now, response=response)
        return Outcome("delivered")
    return _failed(delivery, now, error=f"The receiver answered {response.status}.", response=response)


def _failed(delivery: Delivery, at: datetime, *, error: str, response: Response | None) -> Outcome:
    countdown = retry_backoff(delivery.attempts)
    due = at + timedelta(seconds=countdown)
    if due > delivery.retry_until:
        _finish(delivery, DeliveryStatus.FAILED, at=at, response=response, error=error)
        return Outcome("failed", unreachable=response is None, countdown=countdown)
    _finish(delivery, DeliveryStatus.QUEUED, at=at, response=response, error=error, next_attempt_at=due)
    return Outcome("retry", countdown=countdown, unreachable=response is None)


def _finish(delivery: Delivery, status: str, *, at: datetime | None = None, response: Response | None = None,
            error: str = "", next_attempt_at: datetime | None = None) -> None:
    """Write an attempt's outcome; only a row still in sending changes (the claim's invariant)."""
    fields: dict[str, object] = {"status": status, "error": error[:2000], "claimed_at": None}
    if at is not None:
        fields.update(last_attempt_at=at, response_code=response.status if response else None,
                      response_excerpt=answer_excerpt(response.body) if response else "")
    if status == DeliveryStatus.DELIVERED:
        fields["delivered_at"] = at
    if next_attempt_at is not None:
        fields["next_attempt_at"] = next_attempt_at
    Delivery.objects.filter(id=delivery.pk, status=DeliveryStatus.SENDING).update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)


def delivery_fail(*, delivery: Delivery, error: str) -> None:
    """An attempt that went wrong on this side: failed with the error, not retried."""
    _finish(delivery, DeliveryStatus.FAILED, error=redact(error))


def deliveries_release(*, delivery_ids: Sequence[int], until: datetime | None = None) -> None:
    """Put claimed deliveries that were not attempted back to queued, uncounting the attempt their
    claim counted; due at ``until`` (their receiver just failed to answer) or as they were."""
    fields: dict[str, object] = {"status": DeliveryStatus.QUEUED, "claimed_at": None, "attempts": F("attempts") - 1}
    if until is not None:
        fields["next_attempt_at"] = until
    Delivery.objects.filter(id__in=list(delivery_ids), status=DeliveryStatus.SENDING).update(**fields)


def deliveries_requeue_stuck() -> int:
    """The sweep (Celery beat): re-publish deliveries due for WEBHOOK_STUCK_SECONDS and still queued
    (broker down, a lost publish) or left sending longer than WEBHOOK_SENDING_TIMEOUT_SECONDS (the
    worker died). Returns how many were re-queued."""
    now = timezone.now()
    stuck = Delivery.objects.stuck(due_before=now - timedelta(seconds=settings.WEBHOOK_STUCK_SECONDS),
                                   sending_before=now - timedelta(seconds=settings.WEBHOOK_SENDING_TIMEOUT_SECONDS))
    ids = list(stuck.order_by("next_attempt_at").values_list("id", flat=True)[:5000])
    if not ids:
        return 0
    with transaction.atomic():
        # Due now: the next sweep leaves them alone while this publish is on its way.
        Delivery.objects.filter(id__in=ids, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]).update(
            status=DeliveryStatus.QUEUED, next_attempt_at=now, claimed_at=None)
        enqueue_after_commit(ids)
    return len(ids)


def endpoint_deliveries_stop(endpoint: Endpoint) -> int:
    """An endpoint was disabled: its queued deliveries fail (Re-send brings one back once it is enabled)."""
    return Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.QUEUED).exclude(event=TEST_EVENT).update(
        status=DeliveryStatus.FAILED, error=DISABLED)


def delivery_resend(*, delivery: Delivery, actor: Actor) -> None:
    """The delivery log's Re-send: the same event (same ``webhook-id``, same body) again, with a new
    WEBHOOK_RETRY_HOURS of retries."""
    if not Endpoint.objects.filter(pk=delivery.endpoint_id, enabled=True).exists():
        raise ResendRefused("The endpoint is disabled: enable it to re-send its deliveries.")
    now = timezone.now()
    with transaction.atomic():
        changed = Delivery.objects.filter(
            id=delivery.pk, status__in=[DeliveryStatus.DELIVERED, DeliveryStatus.FAILED]
        ).update(status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=now, retry_until=retry_deadline(now),
                 claimed_at=None, error="")
        if changed != 1:
            raise ResendRefused("This delivery is being sent already.")
        audit_record(actor=actor, action=AuditAction.WEBHOOK_RESENT,
                     details={**delivery.endpoint.audit_details(), "delivery_id": delivery.pk, "event": delivery.event,
                              "webhook_id": delivery.webhook_id})
        enqueue_after_commit([delivery.pk])


def webhook_test_send(*, endpoint: Endpoint, actor: Actor) -> Delivery:
    """"Send test event": a ``webhook.test`` delivery to this endpoint only, sent at once and tried once."""
    now = timezone.now()
    with transaction.atomic():
        body = payload_json(TEST_EVENT, now, payloads.webhook_test(endpoint_name=endpoint.name, actor=actor.name))
        delivery = Delivery.objects.create(endpoint=endpoint, event=TEST_EVENT, payload=body, created_at=now,
                                           next_attempt_at=now, retry_until=now)
        audit_record(actor=actor, action=AuditAction.WEBHOOK_TEST_SENT,
                     details={**endpoint.audit_details(), "delivery_id": delivery.pk,
                              "webhook_id": delivery.webhook_id})
        enqueue_after_commit([delivery.pk])
    return delivery

"""Webhook endpoints (Admin > Webhooks) and their deliveries: the webhook outbox.

A ``Delivery`` is one event for one endpoint, written in the transaction of the change that caused
it (``webhooks.events``) and sent after commit by a Celery task (``webhooks.delivery``). Its body is
stored as the exact JSON that is signed and sent; it never holds an OTP or a password. Status moves
queued → sending (claimed by exactly one worker) → delivered | queued (a retry, due at
``next_attempt_at``) | failed (no 2xx answer before ``retry_until``).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

from lib.querysets import RestrictedQuerySet


class Event(models.TextChoices):
    """The events an endpoint can subscribe to (SPEC F15)."""

    ENROLLMENT_CREATED = "enrollment.created", "Enrollment created"
    ENROLLMENT_OTP_RESET = "enrollment.otp_reset", "OTP reset"
    ENROLLMENT_DELETED = "enrollment.deleted", "Enrollment deleted"
    ENROLLMENT_EXPIRED = "enrollment.expired", "Enrollment expired"
    ENROLLMENT_LOCKED = "enrollment.locked", "Enrollment locked"
    DEVICE_ENROLLED = "device.enrolled", "Device enrolled"
    BULK_JOB_FINISHED = "bulk_job.finished", "Bulk job finished"


# "Send test event": delivered to one endpoint on request, never subscribed to.
TEST_EVENT = "webhook.test"
EVENT_LABELS = {**dict(Event.choices), TEST_EVENT: "Test event"}
# A delivery due this soon is followed live in the log (htmx); one due later shows when it is due.
LIVE_WITHIN = timedelta(seconds=60)


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


# Plain http only to this machine, for trying a receiver out; anything else must be https.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def validate_webhook_url(value: str) -> None:
    """An https URL, or http to localhost; no user name or password in it (the URL is shown and
    audited; a receiver checks the signature instead)."""
    URLValidator(schemes=["http", "https"], message="Enter a full URL, such as https://hr.example.com/hooks/onramp.")(
        value)
    parts = urlsplit(value)
    if parts.username is not None or parts.password is not None:
        raise ValidationError("Leave the user name and password out of the URL: receivers check the signature.")
    if parts.scheme == "http" and (parts.hostname or "") not in LOCAL_HOSTS:
        raise ValidationError("Use an https URL (http is allowed only for localhost and 127.0.0.1, for testing).")


class EndpointQuerySet(RestrictedQuerySet["Endpoint"]):
    pass


class Endpoint(models.Model):
    """Where events are POSTed. The secret signs them (Standard Webhooks), so it is stored sealed
    (``lib.crypto``), not hashed; it is shown once, when made or rotated."""

    name = models.CharField("Name", max_length=100)
    url = models.CharField("URL", max_length=500, validators=[validate_webhook_url])
    secret_sealed = models.TextField()
    events = models.JSONField("Events", default=list)  # Event values, in Event's order
    enabled = models.BooleanField("Enabled", default=True)
    created_at = models.DateTimeField("Created", default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    secret_rotated_at = models.DateTimeField("Secret made", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def event_labels(self) -> list[str]:
        return [EVENT_LABELS.get(event, event) for event in self.events]

    def audit_details(self) -> dict[str, object]:
        """What an audit entry names of the endpoint: never its secret."""
        return {"endpoint_id": self.pk, "name": self.name, "url": self.url, "events": list(self.events),
                "enabled": self.enabled}


class DeliveryQuerySet(RestrictedQuerySet["Delivery"]):
    # The delivery log is part of the endpoint's page: who may see endpoints sees their deliveries.
    view_permission = "webhooks.view_endpoint"

    def stuck(self, *, due_before: object, sending_before: object) -> DeliveryQuerySet:
        return self.filter(
            models.Q(status=DeliveryStatus.QUEUED, next_attempt_at__lt=due_before)
            | models.Q(status=DeliveryStatus.SENDING, claimed_at__lt=sending_before)
        )


class Delivery(models.Model):
    """One event for one endpoint (the outbox row). ``event_id`` is the Standard Webhooks
    ``webhook-id`` (``msg_<hex>``): the same for every endpoint the event went to and for every
    attempt and re-send, so a receiver can drop a duplicate."""

    # No index of its own: (endpoint, created_at, id) below starts with it.
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    event_id = models.UUIDField(default=uuid.uuid4)
    event = models.CharField("Event", max_length=40)
    payload = models.TextField("Body")
    status = models.CharField("Status", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField("Attempts", default=0)
    created_at = models.DateTimeField("Created", default=timezone.now)
    next_attempt_at = models.DateTimeField("Next attempt", default=timezone.now)
    retry_until = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField("Last attempt", null=True, blank=True)
    delivered_at = models.DateTimeField("Delivered", null=True, blank=True)
    response_code = models.PositiveSmallIntegerField("Response", null=True, blank=True)
    response_excerpt = models.TextField("Answer", blank=True)  # redacted (webhooks.redact)
    error = models.TextField("Error", blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        # The endpoint's delivery log pages by (created_at, id) within the endpoint (lib.pagination);
        # (status, next_attempt_at) serves the sweep.
        indexes = [
            models.Index(fields=["endpoint", "created_at", "id"], name="delivery_endpoint_created_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_status_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id}"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.event_id.hex}"

    def get_event_display(self) -> str:
        return EVENT_LABELS.get(self.event, self.event)

    @property
    def live(self) -> bool:
        """Being sent, or queued and due within LIVE_WITHIN: the log's row polls it until it is not."""
        return self.status == DeliveryStatus.SENDING or (
            self.status == DeliveryStatus.QUEUED and self.next_attempt_at <= timezone.now() + LIVE_WITHIN)

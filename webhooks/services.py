"""Admin > Webhooks writes: create, change, rotate the secret of, delete an endpoint. Each is one
transaction with its audit entry (Webhook endpoint changed), which names the endpoint, its URL and
events, never its secret. The secret is returned once, to be shown once; it stays sealed at rest
(``lib.crypto``) because every delivery is signed with it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from lib.crypto import seal
from webhooks.delivery import endpoint_deliveries_stop
from webhooks.models import Endpoint, Event
from webhooks.signing import new_secret


@dataclass(frozen=True)
class EndpointWithSecret:
    endpoint: Endpoint
    secret: str = field(repr=False)  # kept out of logs and error reports


def _ordered(events: list[str]) -> list[str]:
    chosen = set(events)
    return [event for event in Event.values if event in chosen]


def _audit(actor: Actor, endpoint: Endpoint, change: str, **details: object) -> None:
    audit_record(actor=actor, action=AuditAction.WEBHOOK_CHANGED,
                 details={**endpoint.audit_details(), "change": change, **details})


@sensitive_variables("secret")
def endpoint_create(*, name: str, url: str, events: list[str], enabled: bool, actor: Actor) -> EndpointWithSecret:
    """A new endpoint with a new secret (``url`` checked by the form: ``validate_webhook_url``)."""
    secret = new_secret()
    with transaction.atomic():
        endpoint = Endpoint.objects.create(name=name, url=url, events=_ordered(events), enabled=enabled,
                                           secret_sealed=seal(secret), created_by=actor.user)
        _audit(actor, endpoint, "created")
    return EndpointWithSecret(endpoint=endpoint, secret=secret)


def endpoint_update(*, endpoint: Endpoint, name: str, url: str, events: list[str], enabled: bool,
                    actor: Actor) -> Endpoint:
    """Change name, URL, events or Enabled. Disabling it fails its queued deliveries: nothing more is
    sent to it (a test event excepted) until it is enabled again."""
    with transaction.atomic():
        locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        before = locked.audit_details()
        locked.name, locked.url, locked.events, locked.enabled = name, url, _ordered(events), enabled
        locked.save(update_fields=["name", "url", "events", "enabled", "updated_at"])
        stopped = endpoint_deliveries_stop(locked) if before["enabled"] and not enabled else 0
        changes = {key: [before[key], value] for key, value in locked.audit_details().items() if before[key] != value}
        _audit(actor, locked, "updated", changes=changes, **({"deliveries_stopped": stopped} if stopped else {}))
    return locked


@sensitive_variables("secret")
def endpoint_rotate_secret(*, endpoint: Endpoint, actor: Actor) -> EndpointWithSecret:
    """A new secret, in use from the next attempt on: deliveries still queued are signed with it."""
    secret = new_secret()
    with transaction.atomic():
        locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.secret_sealed = seal(secret)
        locked.secret_rotated_at = timezone.now()
        locked.save(update_fields=["secret_sealed", "secret_rotated_at", "updated_at"])
        _audit(actor, locked, "secret_rotated")
    return EndpointWithSecret(endpoint=locked, secret=secret)


def endpoint_delete(*, endpoint: Endpoint, actor: Actor) -> None:
    """Delete the endpoint and its delivery log; queued deliveries are never sent."""
    with transaction.atomic():
        locked = Endpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
        if locked is None:
            return
        _audit(actor, locked, "deleted")
        locked.delete()

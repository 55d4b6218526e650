"""API keys: create (the key is returned once and never stored), revoke, and note a key's use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from integrations.keys import SHOWN_PREFIX, key_generate, key_hashes
from integrations.models import ApiKey, Scope

# A key's last use is written at most this often: most calls then write nothing to the key's row.
LAST_USED_EVERY = timedelta(minutes=1)


class ApiKeyError(Exception):
    """A refusal a person can act on; ``field`` names the form field it is about."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CreatedKey:
    api_key: ApiKey
    key: str = field(repr=False)  # shown once, never stored or logged


@sensitive_variables()
def api_key_create(*, actor: Actor, name: str, scopes: list[str], expires_at: datetime | None = None) -> CreatedKey:
    """A new key with ``scopes``; audited (name, scopes, expiry, prefix: never the key)."""
    name = name.strip()
    if not name:
        raise ApiKeyError("Enter a name.", field="name")
    unknown = set(scopes) - set(Scope.values)
    if unknown or not scopes:
        raise ApiKeyError("Choose at least one scope." if not scopes else f"Unknown scopes: {sorted(unknown)}.",
                          field="scopes")
    if expires_at is not None and expires_at <= timezone.now():
        raise ApiKeyError("The expiry must be in the future.", field="expires_at")
    key = key_generate()
    try:
        with transaction.atomic():
            api_key = ApiKey.objects.create(
                name=name, prefix=key[:SHOWN_PREFIX], key_hash=key_hashes(key)[0],
                scopes=[scope for scope in Scope.values if scope in scopes], expires_at=expires_at,
                created_by=actor.user, created_by_name=actor.name[:150],
            )
            audit_record(actor=actor, action=AuditAction.API_KEY_CREATED, details={
                "key": api_key.name, "prefix": api_key.prefix, "scopes": api_key.scopes,
                "expires_at": expires_at.isoformat() if expires_at else None,
            })
    except IntegrityError as exc:
        raise ApiKeyError(f"A key named “{name}” exists already: revoke it or choose another name.",
                          field="name") from exc
    return CreatedKey(api_key=api_key, key=key)


def api_key_revoke(*, api_key: ApiKey, actor: Actor) -> bool:
    """Revoke ``api_key`` for good: its next call is refused. False when it was revoked already."""
    with transaction.atomic():
        revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by_name=actor.name[:150])
        if revoked:
            audit_record(actor=actor, action=AuditAction.API_KEY_REVOKED,
                         details={"key": api_key.name, "prefix": api_key.prefix})
    return bool(revoked)


def api_key_used(*, api_key: ApiKey, ip: str | None, now: datetime | None = None) -> None:
    """Note that ``api_key`` was used from ``ip``: at most once per LAST_USED_EVERY per key (the
    conditional UPDATE lets one of several concurrent calls write it)."""
    now = now or timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_EVERY:
        return
    stale = now - LAST_USED_EVERY
    ApiKey.objects.filter(pk=api_key.pk).exclude(last_used_at__gt=stale).update(last_used_at=now, last_used_ip=ip)

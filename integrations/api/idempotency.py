"""``Idempotency-Key`` on ``POST /api/v1/enrollments``: a retried create answers as the first one did
and creates nothing more, also when both arrive at once.

The (API key, Idempotency-Key) row is inserted first, in the transaction that creates the enrollment.
A second request with the same pair blocks on the unique index until the first commits, then fails
to insert, reads the committed row and answers with its status and body (kept sealed: it holds the
OTP). When the first create is refused, its transaction (row included) rolls back: nothing was made,
and the waiting request runs the create itself. The same key with another body is refused (422
``idempotency_key_reused``). Rows live RETENTION (24 hours); an older one no longer counts and the
beat task ``purge_idempotent_creates`` deletes it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from integrations.api.errors import ApiError
from integrations.models import ApiKey, IdempotentCreate
from lib.crypto import SecretUnreadable, seal, unseal

RETENTION = timedelta(hours=24)
Answer = tuple[int, dict[str, Any]]


def fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@sensitive_variables()
def idempotent(*, api_key: ApiKey, key: str | None, payload: dict[str, Any], create: Callable[[], Answer]) -> Answer:
    """``create()``'s answer, or the first answer given to (``api_key``, ``key``) within RETENTION.
    ``create`` raises ApiError for a refusal, which rolls the row back with everything else."""
    if key is None:
        return create()
    digest = fingerprint(payload)
    with transaction.atomic():
        IdempotentCreate.objects.filter(api_key=api_key, key=key, created_at__lt=timezone.now() - RETENTION).delete()
        try:
            with transaction.atomic():
                row = IdempotentCreate.objects.create(api_key=api_key, key=key, fingerprint=digest)
        except IntegrityError:
            # Another request holds (or held) this key: its row is committed now, with its answer.
            return _replay(IdempotentCreate.objects.get(api_key=api_key, key=key), digest)
        status, body = create()
        row.status, row.body_sealed = status, seal(json.dumps(body))
        row.save(update_fields=["status", "body_sealed"])
    return status, body


@sensitive_variables()
def _replay(row: IdempotentCreate, digest: str) -> Answer:
    if row.fingerprint != digest:
        raise ApiError(422, "idempotency_key_reused", "This Idempotency-Key was used for a request with another "
                                                      "body. Send a new key for a new request.", fields={})
    try:
        return row.status, json.loads(unseal(row.body_sealed))
    except SecretUnreadable as exc:
        raise ApiError(409, "idempotency_key_unreadable", "The first answer to this Idempotency-Key cannot be read "
                                                          "with the configured keys. Send a new key.") from exc


def purge_expired(now: Any = None) -> int:
    """Delete the rows older than RETENTION; how many."""
    cutoff = (now or timezone.now()) - RETENTION
    deleted, _ = IdempotentCreate.objects.filter(created_at__lt=cutoff).delete()
    return deleted

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Model

from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from config.bulkinsert import insert_rows
from config.text import storable


def audit_record(
    *,
    actor: Actor,
    action: AuditAction,
    enrollment_token: str = "",
    target_username: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry. Call it inside the transaction of the change it records, so the
    entry and the change commit or roll back together."""
    return AuditEntry.objects.create(**_fields(actor, action, enrollment_token, target_username, details))


def audit_record_many(
    *, actor: Actor, action: AuditAction, targets: Iterable[tuple[str, str]], details: dict[str, Any] | None = None
) -> int:
    """One entry per (enrollment_token, username) pair, written in one statement (COPY on
    PostgreSQL: a bulk job writes thousands)."""
    entries = [AuditEntry(**_fields(actor, action, token, username, details)) for token, username in targets]
    insert_rows(AuditEntry, entries)
    return len(entries)


def settings_save(*, row: Model, actor: Actor, name: str, changed: list[str]) -> None:
    """Save a settings row (already validated by its form), audited with the fields that changed."""
    with transaction.atomic():
        row.save()
        audit_record(actor=actor, action=AuditAction.SETTINGS_CHANGED,
                     details={"settings": name, "changed": {f: str(getattr(row, f)) for f in changed}})


def _fields(
    actor: Actor, action: AuditAction, token: str, username: str, details: dict[str, Any] | None
) -> dict[str, Any]:
    # A refusal is audited with what was sent, which may be what the database cannot store (a NUL,
    # a lone surrogate in the redeem API's JSON): recorded with U+FFFD in their place, never a 500.
    return {
        "actor": actor.user,
        "actor_name": storable(actor.name[:150]),
        "action": action,
        "enrollment_token": storable(token[:64]),
        "target_username": storable(username[:150]),
        "ip": actor.ip,
        "user_agent": storable(actor.user_agent[:400]),
        "details": details or {},
    }

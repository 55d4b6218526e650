from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Model

from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from lib import rows
from lib.bulkinsert import insert_plain
from lib.text import storable


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
    return rows.insert(AuditEntry(**_fields(actor, action, enrollment_token, target_username, details)))


def audit_record_many(
    *, actor: Actor, action: AuditAction, targets: Iterable[tuple[str, str]], details: dict[str, Any] | None = None
) -> int:
    """One entry per (enrollment_token, username) pair, written in one statement (COPY on
    PostgreSQL: a bulk job writes thousands), as plain rows: only the token and username differ,
    made storable as ``audit_record`` makes them."""
    shared = _fields(actor, action, "", "", details)
    del shared["enrollment_token"], shared["target_username"]
    entries = [(storable(token[:64]), storable(username[:150])) for token, username in targets]
    insert_plain(AuditEntry, ("enrollment_token", "target_username"), entries, constant=shared)
    return len(entries)


# A settings field whose name holds one of these words is a secret: its values are masked in the
# audit entry. The companion app's checksums are public digests, not secrets, and are recorded.
SECRET_WORDS = ("password", "secret", "token", "key")
SECRET_MASK = "(hidden)"


def settings_save(*, row: Model, actor: Actor, name: str, fields: Iterable[str]) -> dict[str, list[Any]]:
    """Save a settings row (already validated by its form, which copied the new values onto it),
    audited as SETTINGS_CHANGED with ``{"settings": name, "changes": {field: [old, new]}}``; returns
    the changes. A save that changes none of the fields writes no entry (an entry saying "Settings
    changed" with nothing under it is noise in the log).

    ``fields`` are the fields the page edits (a form's other fields, such as an uploaded file, are
    skipped); only those whose value differs are recorded. Old values are read from the stored row
    under a row lock, so of two admins saving at once each entry shows what the other had saved.
    A secret field (see ``settings_changes``) is recorded as changed without its values."""
    model = type(row)
    columns = {field.name: field.attname for field in model._meta.concrete_fields}
    edited = [field for field in fields if field in columns]
    with transaction.atomic():
        stored = model._default_manager.select_for_update().filter(pk=row.pk).values(*edited).first() or {}
        row.save()
        new = {field: getattr(row, columns[field]) for field in edited}
        changes = settings_changes(old=stored, new=new)
        if changes:
            audit_record(actor=actor, action=AuditAction.SETTINGS_CHANGED,
                         details={"settings": name, "changes": changes})
    return changes


def settings_changes(*, old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value differs, as JSON values (a JSON field's
    list stays a list, ``["android", "ios"]``, not its Python text; anything else, a date say, as
    text). A field named like a secret (password, secret, token, key) shows only whether it was
    empty: a non-empty value becomes "(hidden)"."""
    changes: dict[str, list[Any]] = {}
    for field, value in new.items():
        pair = [_plain(old.get(field)), _plain(value)]
        if pair[0] == pair[1]:
            continue
        if any(word in field.lower() for word in SECRET_WORDS):
            pair = [SECRET_MASK if item not in ("", None) else item for item in pair]
        changes[field] = pair
    return changes


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


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

"""Writing webhook events into the outbox: one ``Delivery`` row per enabled endpoint subscribed to
the event, written in the caller's transaction, sent after commit.

Invariant: a rolled-back change sends nothing (the rows roll back with it, and the publish is an
``on_commit`` callback); a broker outage leaves the rows queued for the sweep
(``webhooks.delivery.deliveries_requeue_stuck``). Payloads carry identifiers, usernames, states and
device facts (``webhooks.payloads``), never an OTP or a password.

``event_record`` is on the redemption's hot path: when no enabled endpoint subscribes to the event
(the usual case) it costs one small statement (SELECT 1 ... LIMIT 1, built once per database vendor,
one parameter bound; no ORM query compiled) and builds no payload; only when one does is the payload
serialised and written by a second statement (INSERT ... SELECT ... RETURNING, built once too), which
checks the subscription again, and the publish registered.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from lib.bulkinsert import insert_plain
from webhooks.models import Delivery, Endpoint, Event

__all__ = ["Event", "enqueue_after_commit", "event_record", "events_record", "payload_json", "retry_deadline"]

logger = logging.getLogger(__name__)


def payload_json(event: str, at: datetime, data: dict[str, Any]) -> str:
    """The body sent for ``event``: ``{"type", "timestamp", "data"}`` (Standard Webhooks' shape),
    compact JSON; dates in ISO 8601 (UTC: ``Z``)."""
    return json.dumps({"type": event, "timestamp": at, "data": data}, cls=DjangoJSONEncoder, separators=(",", ":"),
                      ensure_ascii=False)


def event_record(event: str, data: dict[str, Any]) -> int:
    """Queue ``event`` with ``data`` for every enabled endpoint subscribed to it. Call inside the
    transaction of the change it reports. Returns how many deliveries were written."""
    vendor = connection.vendor
    subscribed = _subscribed_param(event, vendor)
    with connection.cursor() as cursor:
        cursor.execute(_probe_sql(vendor), [subscribed])
        if cursor.fetchone() is None:
            return 0
        now = timezone.now()
        cursor.execute(_insert_sql(vendor), [*_values(now, uuid.uuid4(), event, payload_json(event, now, data)),
                                             subscribed])
        ids = [pk for (pk,) in cursor.fetchall()]
    enqueue_after_commit(ids)
    return len(ids)


def events_record(event: str, items: Iterable[dict[str, Any]]) -> int:
    """Queue one ``event`` per item of ``items`` (each its ``data``) for every subscribed endpoint:
    a bulk job's batch, an expiry run, a delete of many. One read of the subscribers; only when there
    are any are the items read (pass a generator: nothing is built otherwise) and their rows written
    in one statement (COPY on PostgreSQL). Returns how many deliveries were written."""
    with connection.cursor() as cursor:
        cursor.execute(_subscribers_sql(connection.vendor), [_subscribed_param(event, connection.vendor)])
        endpoints = [pk for (pk,) in cursor.fetchall()]
    if not endpoints:
        return 0
    now = timezone.now()
    rows = []
    for data in items:
        body, event_id = payload_json(event, now, data), uuid.uuid4()
        rows += [(endpoint, event_id, body) for endpoint in endpoints]
    ids = insert_plain(Delivery, ("endpoint_id", "event_id", "payload"), rows, with_ids=True,
                       constant={"event": event, "created_at": now, "next_attempt_at": now,
                                 "retry_until": retry_deadline(now)})
    enqueue_after_commit(ids)
    return len(ids)


def retry_deadline(start: datetime) -> datetime:
    """When a delivery started at ``start`` stops being retried (WEBHOOK_RETRY_HOURS later)."""
    return start + timedelta(hours=settings.WEBHOOK_RETRY_HOURS)


def enqueue_after_commit(delivery_ids: Sequence[int]) -> None:
    """Publish the deliveries after the surrounding transaction commits: one task for one, batches of
    WEBHOOK_SEND_BATCH_SIZE for more. A broker failure is logged and swallowed: the rows stay queued
    and the sweep publishes them later."""
    ids = [int(i) for i in delivery_ids]
    if not ids:
        return

    def publish() -> None:
        from webhooks.tasks import deliver_webhook, deliver_webhooks

        try:
            if len(ids) == 1:
                deliver_webhook.delay(ids[0])
                return
            size = settings.WEBHOOK_SEND_BATCH_SIZE
            for start in range(0, len(ids), size):
                deliver_webhooks.delay(ids[start:start + size])
        except Exception:  # noqa: BLE001 - any broker error; the sweep recovers the rows
            logger.exception("Could not publish %d webhook delivery(ies); the sweep will re-queue them.", len(ids))

    transaction.on_commit(publish)


# --- SQL built once per vendor ------------------------------------------------------------------------


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column, f"{model.__name__}.{name} is not a column"
    return _quote(field.column)


# The columns an event's INSERT gives values for; every other column takes its model default (a constant).
_GIVEN = ("event_id", "event", "payload", "created_at", "next_attempt_at", "retry_until")


@cache
def _inserted_fields() -> tuple[models.Field[Any, Any], ...]:
    # Every column but the id (the database numbers the row) and the endpoint (the SELECT gives it).
    return tuple(f for f in Delivery._meta.concrete_fields if not f.primary_key and f.attname != "endpoint_id")


@cache
def _given_fields() -> tuple[models.Field[Any, Any], ...]:
    fields = tuple(f for f in _inserted_fields() if f.attname in _GIVEN)
    # The values follow _GIVEN's order: so must the columns that take them.
    assert [f.attname for f in fields] == list(_GIVEN), "list _GIVEN in the order of Delivery's fields"
    return fields


def _values(now: datetime, event_id: uuid.UUID, event: str, body: str) -> list[Any]:
    given = (event_id, event, body, now, now, retry_deadline(now))
    return [f.get_db_prep_save(value, connection) for f, value in zip(_given_fields(), given, strict=True)]


def _literal(field: models.Field[Any, Any]) -> str:
    """A column's model default as an SQL literal: the constants a new delivery starts with (queued, no
    attempt, no answer). A default of another kind must be given as a value (``_GIVEN``)."""
    value = field.get_default()
    if value is None:
        return "NULL"
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"Delivery.{field.name}: give its value in webhooks.events._GIVEN")
    return str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"


def _subscribed(vendor: str) -> str:
    """The endpoints an event goes to: enabled, with the event (the one parameter) among their events."""
    table = _quote(Endpoint._meta.db_table)
    events, enabled = f"{table}.{_column(Endpoint, 'events')}", f"{table}.{_column(Endpoint, 'enabled')}"
    if vendor == "postgresql":
        return f"{enabled} AND {events} @> %s::jsonb"
    return f"{enabled} AND EXISTS (SELECT 1 FROM json_each({events}) WHERE json_each.value = %s)"


@cache
def _subscribed_param(event: str, vendor: str) -> str:
    return json.dumps([event]) if vendor == "postgresql" else event


@cache
def _insert_sql(vendor: str) -> str:
    table = _quote(Endpoint._meta.db_table)
    fields = _inserted_fields()
    columns = [_column(Delivery, "endpoint"), *(_column(Delivery, f.name) for f in fields)]
    values = ["%s" if f in _given_fields() else _literal(f) for f in fields]
    return (f"INSERT INTO {_quote(Delivery._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {table}.{_quote('id')}, {', '.join(values)} FROM {table} WHERE {_subscribed(vendor)} "
            f"RETURNING {_quote('id')}")


@cache
def _probe_sql(vendor: str) -> str:
    table = _quote(Endpoint._meta.db_table)
    return f"SELECT 1 FROM {table} WHERE {_subscribed(vendor)} LIMIT 1"


@cache
def _subscribers_sql(vendor: str) -> str:
    table = _quote(Endpoint._meta.db_table)
    return f"SELECT {table}.{_quote('id')} FROM {table} WHERE {_subscribed(vendor)} ORDER BY {table}.{_quote('id')}"

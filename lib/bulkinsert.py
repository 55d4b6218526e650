"""Inserting many rows fast: PostgreSQL COPY, else ``bulk_create``.

COPY skips the per-value SQL compilation of ``bulk_create``, the largest cost of a bulk job after
encryption. The columns are read from the model, so a column added later is copied too; values are
what an INSERT would write (``pre_save``: model defaults and auto_now fields applied). Primary keys
are not read back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def insert_rows(model: type[models.Model], objects: Sequence[models.Model], *, table: str | None = None) -> None:
    """Insert ``objects`` into ``table`` (default: the model's table) in one statement."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=1000)
        return
    with connection.cursor() as cursor:
        copy_rows(cursor.cursor, model, table or model._meta.db_table, objects)


def concrete_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def copy_rows(raw: Any, model: type[models.Model], table: str, objects: Sequence[Any]) -> None:
    """COPY ``objects`` into ``table`` through the raw psycopg cursor ``raw``."""
    from psycopg.types.json import Jsonb

    fields = concrete_fields(model)
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column or f.attname) for f in fields)
    with raw.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
        for obj in objects:
            values = [f.pre_save(obj, True) for f in fields]
            copy.write_row([Jsonb(v) if f.attname in json_fields else v
                            for f, v in zip(fields, values, strict=True)])

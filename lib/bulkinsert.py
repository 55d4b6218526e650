"""Inserting many rows fast: PostgreSQL COPY, else ``bulk_create``.

COPY skips the per-value SQL compilation of ``bulk_create``, the largest cost of a bulk job after
encryption. The columns are read from the model, so a column added later is copied too; values are
what an INSERT would write (``pre_save``: model defaults and auto_now fields applied). Primary keys
are not read back unless asked for (``with_ids``): then they are taken from the table's sequence
first and copied with the rows, so no second query finds them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from typing import Any

from django.db import connection, models


def insert_rows(model: type[models.Model], objects: Sequence[models.Model], *, table: str | None = None,
                with_ids: bool = False) -> None:
    """Insert ``objects`` into ``table`` (default: the model's table) in one statement; with
    ``with_ids`` each object's ``pk`` is set."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=1000)
        return
    with connection.cursor() as cursor:
        if with_ids:
            assign_ids(cursor.cursor, model, objects)
        copy_rows(cursor.cursor, model, table or model._meta.db_table, objects, with_ids=with_ids)


def concrete_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def new_instances(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> list[Any]:
    """Unsaved instances of ``model`` from {attname: value} dicts, fields left out taking their
    defaults: what ``model(**row)`` gives, through the positional constructor (several times faster
    for thousands of rows, which is what a bulk job builds in each batch)."""
    fields = list(model._meta.concrete_fields)
    constant: dict[str, Any] = {}
    per_row: list[models.Field[Any, Any]] = []
    for field in fields:
        if field.has_default() and callable(field.default):
            per_row.append(field)
        else:
            constant[field.attname] = field.get_default()
    names = [f.attname for f in fields]
    objects = []
    for row in rows:
        values = {**constant, **{f.attname: f.get_default() for f in per_row if f.attname not in row}, **row}
        objects.append(model(*[values[name] for name in names]))
    return objects


def assign_ids(raw: Any, model: type[models.Model], objects: Sequence[Any]) -> None:
    """Take ``len(objects)`` ids from the primary key's sequence and set them on the objects (the
    rows are then copied with their ids)."""
    table = model._meta.db_table
    column = model._meta.pk.column if model._meta.pk else "id"
    raw.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, len(objects)])
    for obj, (pk,) in zip(objects, raw.fetchall(), strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def _getter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    # pre_save of most fields is a plain attribute read; only those that override it (auto_now
    # dates, for one) are called, which saves a method call per value on thousands of rows.
    if type(field).pre_save is models.Field.pre_save:
        return attrgetter(field.attname)
    return lambda obj: field.pre_save(obj, True)


def copy_rows(raw: Any, model: type[models.Model], table: str, objects: Sequence[Any], *,
              with_ids: bool = False) -> None:
    """COPY ``objects`` into ``table`` through the raw psycopg cursor ``raw`` (with their ``pk``
    when ``with_ids``)."""
    from psycopg.types.json import Jsonb

    fields = concrete_fields(model)
    if with_ids and model._meta.pk is not None:
        fields = [model._meta.pk, *fields]
    getters = [_getter(f) for f in fields]
    json_positions = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    # A batch's rows often share one details dict: dumped once, not once per row.
    dumped: dict[int, Any] = {}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column or f.attname) for f in fields)
    with raw.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
        for obj in objects:
            values = [get(obj) for get in getters]
            for i in json_positions:
                value = values[i]
                key = id(value)
                if key not in dumped:
                    dumped[key] = (Jsonb(value), value)  # the value is kept so its id stays its own
                values[i] = dumped[key][0]
            copy.write_row(values)

"""Inserting many rows fast: PostgreSQL COPY, else ``bulk_create``.

COPY skips the per-value SQL compilation of ``bulk_create``, the largest cost of a bulk job after
encryption. The columns are read from the model, so a column added later is copied too; values are
what an INSERT would write (``pre_save``: model defaults and auto_now fields applied). Primary keys
are not read back unless asked for (``with_ids``): then they are taken from the table's sequence
first and copied with the rows, so no second query finds them. ``insert_plain`` takes rows as plain
tuples and builds no model instance at all (a bulk job's batch writes thousands of rows to three tables).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from operator import attrgetter
from typing import Any

from django.db import connection, models
from django.utils import timezone


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
    for obj, pk in zip(objects, _take_ids(raw, model, len(objects)), strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def _take_ids(raw: Any, model: type[models.Model], count: int) -> list[int]:
    table = model._meta.db_table
    column = model._meta.pk.column if model._meta.pk else "id"
    raw.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count])
    return [pk for (pk,) in raw.fetchall()]


def insert_plain(model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]], *,
                 constant: Mapping[str, Any] | None = None, table: str | None = None,
                 with_ids: bool = False) -> list[int]:
    """Insert ``rows``, each the values of the fields ``names`` in that order, in one statement,
    without building a model instance. ``constant`` gives every row the same values; any other
    field is what an unsaved instance would hold (its default, called per row when callable; an
    auto_now date the time of its row). Fields are named by attname, or by name with a model
    instance for a foreign key. Returns the new ids with ``with_ids`` (from the sequence), else [].
    For models whose primary key is an auto-incremented id (the database numbers the rows)."""
    if not rows:
        return []
    fields = list(model._meta.concrete_fields)
    given = _by_attname(model, constant or {})
    position = {name: index for index, name in enumerate(names)}
    # A date's pre_save only sets auto_now dates (whatever value they were given); any other field
    # that computes its value at save (a file, say) needs the instance.
    auto = [f for f in fields if _is_auto_date(f)]
    custom = [f for f in fields
              if type(f).pre_save is not models.Field.pre_save and not isinstance(f, models.DateField)]
    if connection.vendor != "postgresql" or custom:
        # Instances where a field computes its value at save (or no COPY): the same rows, slower.
        objects = new_instances(model, ({**given, **dict(zip(names, row, strict=True))} for row in rows))
        insert_rows(model, objects, table=table, with_ids=with_ids)
        return [obj.pk for obj in objects] if with_ids else []
    if not with_ids:
        fields = [f for f in fields if not f.primary_key]
    template: list[Any] = []
    from_row: list[tuple[int, int]] = []
    per_row: list[tuple[int, Callable[[], Any]]] = []
    for index, field in enumerate(fields):
        template.append(None)
        if field.primary_key and with_ids:
            continue  # filled from the sequence
        if field in auto:
            per_row.append((index, _now_of(field)))
        elif field.attname in position:
            from_row.append((index, position[field.attname]))
        elif field.attname in given:
            template[index] = given[field.attname]
        elif field.has_default() and callable(field.default):
            per_row.append((index, field.get_default))
        else:
            template[index] = field.get_default()
    json_positions = [(i, f) for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    with connection.cursor() as cursor:
        ids = _take_ids(cursor.cursor, model, len(rows)) if with_ids else []
        pk_index = next((i for i, f in enumerate(fields) if f.primary_key), None)
        dumped = _JsonOnce()
        with _copy(cursor.cursor, table or model._meta.db_table, fields) as copy:
            for number, row in enumerate(rows):
                values = template.copy()
                for index, source in from_row:
                    values[index] = row[source]
                for index, make in per_row:
                    values[index] = make()
                for index, field in json_positions:
                    values[index] = dumped(values[index], field)
                if pk_index is not None and with_ids:
                    values[pk_index] = ids[number]
                copy.write_row(values)
    return ids


def _by_attname(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, Any]:
    by_name = {f.name: f for f in model._meta.concrete_fields}
    out: dict[str, Any] = {}
    for key, value in values.items():
        field = by_name.get(key)
        if field is not None and field.is_relation and isinstance(value, models.Model | None):
            out[field.attname] = value.pk if value is not None else None
        else:
            out[field.attname if field is not None else key] = value
    return out


def _is_auto_date(field: models.Field[Any, Any]) -> bool:
    return isinstance(field, models.DateField) and bool(getattr(field, "auto_now", False)
                                                         or getattr(field, "auto_now_add", False))


def _now_of(field: models.Field[Any, Any]) -> Callable[[], Any]:
    # What DateField.pre_save / DateTimeField.pre_save set on an instance being added.
    return timezone.now if isinstance(field, models.DateTimeField) else date.today


class _JsonOnce:
    """A JSON value as the text COPY reads into a json column, dumped once per object (a batch's
    rows often share one details dict: wrapping it as Jsonb dumped it again for every row). None
    is SQL NULL, as the ORM stores it."""

    def __init__(self) -> None:
        self._dumped: dict[int, tuple[str, Any]] = {}

    def __call__(self, value: Any, field: models.JSONField[Any]) -> str | None:
        if value is None:
            return None
        key = id(value)
        if key not in self._dumped:
            # the value is kept so its id stays its own
            self._dumped[key] = (json.dumps(value, cls=field.encoder), value)
        return self._dumped[key][0]


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
    fields = concrete_fields(model)
    if with_ids and model._meta.pk is not None:
        fields = [model._meta.pk, *fields]
    getters = [_getter(f) for f in fields]
    json_positions = [(i, f) for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    dumped = _JsonOnce()
    with _copy(raw, table, fields) as copy:
        for obj in objects:
            values = [get(obj) for get in getters]
            for i, field in json_positions:
                values[i] = dumped(values[i], field)
            copy.write_row(values)


def _copy(raw: Any, table: str, fields: Sequence[models.Field[Any, Any]]) -> Any:
    """The COPY ... FROM STDIN of ``fields``' columns into ``table``, through the raw psycopg cursor ``raw``."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column or f.attname) for f in fields)
    return raw.copy(f"COPY {quote(table)} ({columns}) FROM STDIN")

"""One row read, written or deleted by SQL built once per model, for the hot path of a redemption.

The ORM compiles every statement anew from a QuerySet: on these machines ~0.5 ms of CPU for one
``create()`` or ``select_for_update().first()``, several times what PostgreSQL spends running it,
which made a redemption (six statements) cost as much CPU as six requests of a one-INSERT view. The
statements here are built from the model's concrete fields on first use and then only get values
bound, so a column added to a model is written and read here too.

They do what ``save()``, ``delete()`` and a QuerySet do for one row, and no more: values are
``pre_save`` then ``get_db_prep_save`` of each field (defaults, auto_now, JSON, UUIDs as ``save()``
writes them), rows read are converted as a QuerySet converts them and become instances through
``Model.from_db``; no model signals are sent (the project has no receivers), and ``delete`` handles
only relations that are ``on_delete=SET_NULL`` or ``DO_NOTHING`` (a model with any other falls back
to ``Model.delete()`` and its collector).

``together()`` sends the writes made inside it as one statement on PostgreSQL (one round trip and one
parse instead of one per row: a redemption's five writes); see its docstring for what that allows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)
N = TypeVar("N", bound=models.Model)


@dataclass(frozen=True)
class _Write:
    sql: str
    params: list[Any]
    inserted: models.Model | None = None  # gets the primary key the statement returns


_queue: ContextVar[list[_Write] | None] = ContextVar("lib.rows queue", default=None)


def _write(write: _Write) -> None:
    queue = _queue.get()
    if queue is not None:
        queue.append(write)
        return
    with connection.cursor() as cursor:
        cursor.execute(write.sql, write.params)
        if write.inserted is not None:
            _inserted(write.inserted, cursor.fetchone()[0])


def _inserted(obj: models.Model, pk: Any) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


@contextmanager
def together() -> Iterator[None]:
    """Hold back the ``insert``, ``update`` and ``delete`` calls made inside the block and send them
    when it ends, on PostgreSQL as one statement (each a data-modifying WITH query; they run once
    each, in no set order, all on the snapshot the statement starts with). So the writes inside must
    not depend on each other (no row reads another's, no two touch one row) and nothing inside may
    read what they write; foreign keys are checked at commit (Django makes them DEFERRABLE
    INITIALLY DEFERRED). Primary keys of inserted objects are set when the block ends. Elsewhere
    (SQLite) the writes go one by one at the end. An exception inside drops them all."""
    if _queue.get() is not None:
        yield  # already inside a block: its end sends them
        return
    queue: list[_Write] = []
    marker = _queue.set(queue)
    try:
        yield
    finally:
        _queue.reset(marker)
    if connection.vendor != "postgresql" or len(queue) < 2:
        for write in queue:
            _write(write)
        return
    parts = ", ".join(f"w{i} AS ({write.sql})" for i, write in enumerate(queue))
    returned = [(f"(SELECT * FROM w{i})", write.inserted) for i, write in enumerate(queue) if write.inserted]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {parts} SELECT {', '.join(sql for sql, _ in returned) or '1'}",
                       [param for write in queue for param in write.params])
        row = cursor.fetchone()
    for (_, obj), pk in zip(returned, row, strict=False):
        assert obj is not None
        _inserted(obj, pk)


def _name(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(field: Any) -> str:
    return connection.ops.quote_name(field.column)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{model.__name__}.{name} is not a column"
    return field


def _pk(model: type[models.Model]) -> models.Field[Any, Any]:
    pk = model._meta.pk
    assert pk is not None
    return pk


def _inserted_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    # Every concrete field but an auto-incremented primary key, as save() inserts them.
    return [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]


@cache
def _insert_sql(model: type[models.Model], vendor: str) -> str:
    fields = _inserted_fields(model)
    return (f"INSERT INTO {_name(model._meta.db_table)} ({', '.join(_column(f) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {_column(_pk(model))}")


def insert(obj: M) -> M:
    """INSERT ``obj``, a new instance, and set its primary key: what ``save()`` does for a new row."""
    model = type(obj)
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in _inserted_fields(model)]
    _write(_Write(_insert_sql(model, connection.vendor), values, inserted=obj))
    return obj


@cache
def _select_sql(model: type[models.Model], shape: tuple[tuple[str, ...], ...], lock: bool, vendor: str) -> str:
    columns = ", ".join(_column(f) for f in model._meta.concrete_fields)
    where = _where(model, shape)
    locking = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    return (f"SELECT {columns} FROM {_name(model._meta.db_table)} WHERE {where} "
            f"ORDER BY {_column(_pk(model))}{locking}")


@cache
def _converters(model: type[models.Model], vendor: str) -> list[tuple[int, list[Any], Any]]:
    """(position, converters, column) of each field whose database value a QuerySet converts
    (SQLite's dates and JSON are text, for one)."""
    found = []
    for i, f in enumerate(model._meta.concrete_fields):
        converters = f.get_db_converters(connection) + connection.ops.get_db_converters(f.cached_col)
        if converters:
            found.append((i, converters, f.cached_col))
    return found


def _where(model: type[models.Model], shape: tuple[tuple[str, ...], ...], table: str = "") -> str:
    prefix = f"{_name(table)}." if table else ""
    return " OR ".join("(" + " AND ".join(f"{prefix}{_column(_field(model, name))} = %s" for name in group) + ")"
                       for group in shape)


def _params(model: type[models.Model], groups: tuple[dict[str, Any], ...]) -> list[Any]:
    return [_field(model, name).get_db_prep_value(value, connection)
            for group in groups for name, value in group.items()]


def _instance(model: type[M], row: Any) -> M:
    """The instance of ``model`` whose concrete fields' database values are ``row``, as a QuerySet makes it."""
    values = list(row)
    for i, converters, column in _converters(model, connection.vendor):
        for converter in converters:
            values[i] = converter(values[i], column, connection)
    return model.from_db(connection.alias, [f.attname for f in model._meta.concrete_fields], values)


def select(model: type[M], *groups: dict[str, Any], lock: bool = False) -> list[M]:
    """The rows matching any of ``groups`` (each: field → value, all equal), in primary-key order;
    ``lock``: locked until the transaction ends (SELECT ... FOR UPDATE; on SQLite the transaction
    holds the database's write lock from BEGIN, see config/settings.py), and then it must run
    inside ``transaction.atomic``."""
    with connection.cursor() as cursor:
        cursor.execute(_select_sql(model, tuple(tuple(g) for g in groups), lock, connection.vendor),
                       _params(model, groups))
        return [_instance(model, row) for row in cursor.fetchall()]


@cache
def _pair_sql(one: type[models.Model], one_shape: tuple[str, ...], many: type[models.Model],
              many_shape: tuple[tuple[str, ...], ...], vendor: str) -> str:
    a, b = one._meta.db_table, many._meta.db_table
    columns = ", ".join([f"{_name(a)}.{_column(f)}" for f in one._meta.concrete_fields]
                        + [f"{_name(b)}.{_column(f)}" for f in many._meta.concrete_fields])
    return (f"SELECT {columns} FROM (SELECT 1) AS {_name('one')} "
            f"LEFT JOIN {_name(a)} ON {_where(one, (one_shape,), a)} "
            f"LEFT JOIN {_name(b)} ON {_where(many, many_shape, b)} ORDER BY {_name(b)}.{_column(_pk(many))}")


def select_pair(one: type[M], where: dict[str, Any], many: type[N],
                *groups: dict[str, Any]) -> tuple[M | None, list[N]]:
    """Two unrelated reads in one statement (one round trip): the row of ``one`` matching ``where``
    (unique: at most one), and the rows of ``many`` matching any of ``groups`` as ``select`` reads
    them (without a lock). Either may find nothing."""
    if not groups:
        found = select(one, where)
        return (found[0] if found else None), []
    width = len(one._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(_pair_sql(one, tuple(where), many, tuple(tuple(g) for g in groups), connection.vendor),
                       _params(one, (where,)) + _params(many, groups))
        fetched = cursor.fetchall()
    first = fetched[0][:width]
    found_one = _instance(one, first) if first[_pk_position(one)] is not None else None
    found_many = [_instance(many, row[width:]) for row in fetched if row[width + _pk_position(many)] is not None]
    return found_one, found_many


def _pk_position(model: type[models.Model]) -> int:
    return list(model._meta.concrete_fields).index(_pk(model))


def get_for_update(model: type[M], field: str, value: Any) -> M | None:
    """The row whose unique ``field`` equals ``value``, locked until the transaction ends, or None.
    Must run inside ``transaction.atomic``."""
    found = select(model, {field: value}, lock=True)
    return found[0] if found else None


def update(obj: models.Model, fields: list[str]) -> None:
    """UPDATE ``fields`` of ``obj``'s row with the values on ``obj``: ``save(update_fields=fields)``."""
    model = type(obj)
    chosen = [_field(model, name) for name in fields]
    values = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in chosen]
    assignments = ", ".join(f"{_column(f)} = %s" for f in chosen)
    _write(_Write(f"UPDATE {_name(model._meta.db_table)} SET {assignments} WHERE {_column(_pk(model))} = %s",
                  [*values, obj.pk]))


@cache
def _delete_sql(model: type[models.Model], vendor: str) -> list[str] | None:
    """The statements that delete one row of ``model``, its pk their one parameter: NULL into each
    SET_NULL relation, then the DELETE. None when something needs the collector (another kind of
    relation, many-to-many fields, a parent model)."""
    if model._meta.many_to_many or model._meta.parents:
        return None
    statements = []
    for relation in model._meta.related_objects:
        if relation.on_delete is models.DO_NOTHING:
            continue
        remote = relation.field
        if relation.on_delete is not models.SET_NULL or relation.many_to_many or remote.target_field != _pk(model):
            return None
        statements.append(f"UPDATE {_name(relation.related_model._meta.db_table)} SET {_column(remote)} = NULL "
                          f"WHERE {_column(remote)} = %s")
    statements.append(f"DELETE FROM {_name(model._meta.db_table)} WHERE {_column(_pk(model))} = %s")
    return statements


def delete(obj: models.Model) -> None:
    """DELETE ``obj``'s row as ``obj.delete()`` would (rows pointing at it through a SET_NULL
    relation keep NULL) and clear its primary key."""
    statements = _delete_sql(type(obj), connection.vendor)
    if statements is None:
        if _queue.get() is not None:
            raise RuntimeError(f"{type(obj).__name__} needs Model.delete(), which cannot wait inside together()")
        obj.delete()
        return
    for sql in statements:
        _write(_Write(sql, [obj.pk]))
    obj.pk = None

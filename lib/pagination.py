"""Keyset (cursor) pagination for the console's lists: every page costs the same with 1,000,000 rows
as with 10.

A page is read by its position in the ordering ``(key, id)``, never by an OFFSET: the first page reads
the ordering from its start, the last page reads it reversed from its end, and Next / Previous read on
from the last / before the first row shown (``WHERE (key, id) > (value, id) ... LIMIT size + 1``). With
an index on ``(key, id)`` each is an index range scan of one page. A position is a ``page`` query
parameter: empty (or anything not understood) is the first page, ``last`` the last one,
``after.<cursor>`` / ``before.<cursor>`` the page after / before a row. The cursor holds that row's key
and id, so a row inserted or deleted between two requests neither repeats nor skips a row on the next
page (it shows up, or not, where it sorts).

Invariants: the key is never NULL (a nullable column sorts through ``Coalesce`` to a value past every
real one, with an index on that expression), and ``id`` breaks ties, so the ordering is total.

There are no page numbers: a page number needs an OFFSET and a count of every matching row, both
growing with the table. The count shown is exact up to ``COUNT_CAP`` and "more than" above
(``SELECT COUNT(*) FROM (... LIMIT COUNT_CAP + 1)``), so it too reads at most ``COUNT_CAP + 1`` index
entries.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Combinable, Expression
from django.db.models.sql.compiler import SQLCompiler

_M = TypeVar("_M", bound=models.Model)

COUNT_CAP = 1000
LAST = "last"
AFTER = "after."
BEFORE = "before."
# The value an absent date sorts as: later than every real one (Unlimited after every expiry).
FAR_FUTURE = datetime.fromisoformat("9999-12-31T00:00:00+00:00")

_KEY = "_keyset_key"


class RowCompare(Expression):
    """``(a, b) > (x, y)`` (or ``<``): the row comparison an index on ``(a, b)`` answers as one range.
    PostgreSQL and SQLite (3.15+) compare rows natively."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, lhs: list[Any], rhs: list[Any], operator: str) -> None:
        if operator not in ("<", ">"):
            raise ValueError(operator)
        super().__init__()
        self.lhs, self.rhs, self.operator = lhs, rhs, operator

    def get_source_expressions(self) -> list[Any]:
        return [*self.lhs, *self.rhs]

    def set_source_expressions(self, exprs: Sequence[Combinable | Expression]) -> None:
        self.lhs, self.rhs = list(exprs[: len(self.lhs)]), list(exprs[len(self.lhs):])

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, tuple[Any, ...]]:
        sides: list[str] = []
        params: list[Any] = []
        for side in (self.lhs, self.rhs):
            parts = []
            for expr in side:
                sql, part_params = compiler.compile(expr)
                parts.append(sql)
                params.extend(part_params)
            sides.append(f"({', '.join(parts)})")
        return f"{sides[0]} {self.operator} {sides[1]}", tuple(params)


@dataclass(frozen=True)
class KeysetPage(Generic[_M]):
    """One page of a list, in list order. ``count`` is exact up to COUNT_CAP; above it is COUNT_CAP + 1
    and ``count_capped`` is true."""

    rows: list[_M]
    has_previous: bool
    has_next: bool
    previous_position: str
    next_position: str
    count: int

    @property
    def count_capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def count_cap(self) -> int:
        return COUNT_CAP

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def __iter__(self) -> Iterator[_M]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def keyset_page(
    qs: models.QuerySet[_M],
    *,
    key: str | Combinable,
    descending: bool,
    position: str,
    page_size: int,
    key_field: models.Field[Any, Any] | None = None,
) -> KeysetPage[_M]:
    """The page of ``qs`` at ``position`` (see the module docstring), ordered by ``key`` then ``id``, both
    descending when ``descending``. ``key`` is a field name or a non-null expression (``key_field`` then
    names its type, used to read a cursor back). Two queries whatever the size: the capped count and
    the page."""
    count = qs.order_by()[: COUNT_CAP + 1].count()
    if isinstance(key, str):
        model_field = qs.model._meta.get_field(key)
        if not isinstance(model_field, models.Field):
            raise ValueError(f"{key} is not a column.")
        field = model_field
        qs = qs.annotate(**{_KEY: models.F(key)})
    else:
        if key_field is None:
            raise ValueError("An expression key needs its key_field.")
        field = key_field
        qs = qs.annotate(**{_KEY: key})

    backwards, cursor = _parse(position, field)
    ascending = descending == backwards  # the direction this read walks the index in
    ordering = [models.F(_KEY).asc(), models.F("pk").asc()] if ascending else \
        [models.F(_KEY).desc(), models.F("pk").desc()]
    read = qs.order_by(*ordering)
    if cursor is not None:
        value, pk = cursor
        read = read.filter(RowCompare([models.F(_KEY), models.F("pk")],
                                      [models.Value(value, output_field=field), models.Value(pk)],
                                      ">" if ascending else "<"))
    rows = list(read[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
    if cursor is None:
        has_previous, has_next = (more, False) if backwards else (False, more)
    else:
        has_previous, has_next = (more, True) if backwards else (True, more)
    return KeysetPage(
        rows=rows, has_previous=has_previous and bool(rows), has_next=has_next and bool(rows),
        previous_position=BEFORE + _encode(rows[0]) if rows else "",
        next_position=AFTER + _encode(rows[-1]) if rows else "", count=count,
    )


def _parse(position: str, field: models.Field[Any, Any]) -> tuple[bool, tuple[Any, int] | None]:
    """(reading backwards, cursor) of a position; anything not understood is the first page."""
    if position == LAST:
        return True, None
    for prefix, backwards in ((AFTER, False), (BEFORE, True)):
        if position.startswith(prefix):
            cursor = _decode(position.removeprefix(prefix), field)
            if cursor is not None:
                return backwards, cursor
    return False, None


def position_after(value: Any, pk: int) -> str:
    """The position of the page after the row whose key is ``value`` and id ``pk``."""
    return AFTER + _token(value, pk)


def _encode(row: models.Model) -> str:
    return _token(getattr(row, _KEY), row.pk)


def _token(value: Any, pk: int) -> str:
    if isinstance(value, datetime | date):
        value = value.isoformat()
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, field: models.Field[Any, Any]) -> tuple[Any, int] | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value, pk = json.loads(raw)
        if isinstance(pk, bool) or not isinstance(pk, int) or not isinstance(value, str | int):
            return None
        value = field.to_python(value)
    except (binascii.Error, ValueError, TypeError, ValidationError, RecursionError):
        return None
    if value is None or (isinstance(value, datetime) and value.tzinfo is None):
        return None
    return value, pk

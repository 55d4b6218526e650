"""A filter against a long list of values in one query parameter:
``Model.objects.filter(OneOf("value", values))``, ``OneOf(Upper("serial_number"), values)``.

``field__in=[...]`` binds every value as a parameter of its own, which the ORM prepares and psycopg
quotes one by one: for the 100,000 identifiers of an import, seconds of CPU per lookup. Here the
list is one text parameter. On PostgreSQL it is an array literal, ``expression = ANY('{...}'::text[])``:
a constant the planner sees the length of, so it probes an index for a few values and hashes the list
for many; a subquery (``IN (SELECT unnest(...))`` or one reading JSON) is estimated at 100 or 200 rows
whatever it holds, and with 50,000 values that chose 50,000 trigram index scans over one pass of the
table. SQLite reads the list as JSON (``json_each``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, F
from django.db.models.expressions import Combinable
from django.db.models.sql.compiler import SQLCompiler


def array_literal(values: Sequence[str]) -> str:
    """``values`` as a PostgreSQL array literal: each element quoted, its backslashes and quotes
    escaped, so any text stays one element."""
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


class OneOf(Expression):
    """True where ``expression`` (a field name or a text expression) is one of ``values``."""

    output_field = BooleanField()

    def __init__(self, expression: str | Combinable, values: Sequence[str]) -> None:
        super().__init__()
        self.expression: Any = F(expression) if isinstance(expression, str) else expression
        self.values = list(values)

    def get_source_expressions(self) -> list[Any]:
        return [self.expression]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.expression,) = exprs

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.expression)
        if connection.vendor == "postgresql":
            return f"{sql} = ANY(%s::text[])", (*params, array_literal(self.values))
        return f"{sql} IN (SELECT value FROM json_each(%s))", (*params, json.dumps(self.values))

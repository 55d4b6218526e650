"""Trigram indexes for the lists' "contains" searches, on PostgreSQL only.

Django's ``icontains`` on PostgreSQL is ``UPPER(column::text) LIKE UPPER('%term%')``; a B-tree cannot
answer a pattern that starts with ``%``, a pg_trgm GIN index on ``UPPER(column::text)`` can (terms of three
characters or more), so a search reads the matching rows instead of the whole table. SQLite, the
embedded default, has no such index and scans, which is fine at its sizes. pg_trgm is a trusted
extension: the database owner may create it.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def trigram_indexes(table: str, indexes: dict[str, str]) -> migrations.RunPython:
    """A migration operation creating (reversed: dropping) ``{index name: column}`` on ``table``."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, column in indexes.items():
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}"::text) gin_trgm_ops)'
            )

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in indexes:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(forwards, backwards)

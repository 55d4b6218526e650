"""Named locks held until the transaction ends, for writes that no row lock orders (a count that
must not be passed by two at once, a check-then-insert)."""

from django.db import connection


def hold_until_commit(name: str) -> None:
    """Wait for, then hold, the lock called ``name`` until the surrounding transaction ends: a
    PostgreSQL advisory transaction lock on a 64-bit hash of the name (two names may share one,
    which only makes them wait for each other). On SQLite a write transaction already excludes
    every other writer (see config/settings.py), so there is nothing to take. Call inside
    ``transaction.atomic``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])

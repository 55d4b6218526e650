"""How the suite's PostgreSQL test databases are made and emptied (registered in tests/conftest.py).

Made: copied from a migrated template instead of being migrated each run. Migrating a test database takes
2-4 s per pytest-xdist worker; ``CREATE DATABASE ... TEMPLATE`` a fraction of a second. The template is
named after a hash of every migration file of every installed app, Django's version and the settings
modules, so a new or edited migration gets a template of its own (built by the first worker that needs it,
under a lock, and renamed into place only once migrated); the three newest are kept. Django's test
database set-up still runs ``migrate`` on the copy: with nothing left to apply it only checks the plan and
makes any missing content types and permissions, as on a fresh database.

Emptied: a transactional test (``transaction=True``, live_server) ends with Django's flush, which empties
every table with one TRUNCATE (PostgreSQL then makes new files for every table and index, about 0.15 s, far
more while the server is busy) and then sends post_migrate, whose two receivers make every content type and
permission again (another 0.1-0.2 s). The tables of a test hold a few rows, so DELETE FROM each, in the
same transaction, is a few milliseconds; the user triggers of those tables (the audit log's append-only
rule, the licence tally's bookkeeping) are switched off for it, as TRUNCATE does not fire them either.
Foreign keys are deferred, and checked once every table is empty. Sequences are not reset, as before. The
content types and permissions stay (nothing in a test changes them; the models and migrations make them),
so the flush sends no post_migrate: what remains is what it would have made again. The roles' groups go, as
before, and make_console_user puts them back (tests/conftest.py: ensure_roles).
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

import django
import pytest
from django.db import DatabaseError

SETTINGS_MODULES = ("config.settings", "config.test_settings")
TEMPLATES_KEPT = 3
# What post_migrate makes from the models (its only receivers: contenttypes and auth), kept by the flush.
KEPT_BY_FLUSH = frozenset({"django_content_type", "auth_permission"})


def migrations_digest() -> str:
    """A hash of everything the migrated schema and data come from."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    digest = hashlib.sha256(django.get_version().encode())
    for app_config in sorted(apps.get_app_configs(), key=lambda config: config.label):
        module_name, _ = MigrationLoader.migrations_module(app_config.label)
        if module_name is None:
            continue
        try:
            module = import_module(module_name)
        except ModuleNotFoundError:
            continue
        for path in sorted(Path(next(iter(module.__path__))).glob("*.py")):
            digest.update(f"{app_config.label}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    for name in SETTINGS_MODULES:
        file = import_module(name).__file__
        assert file is not None
        digest.update(Path(file).read_bytes())
    return digest.hexdigest()[:12]


def ensure_template(connection: Any) -> str:
    """The name of a migrated template for this connection's test databases, built first if missing."""
    from django.core.management import call_command

    quote = connection.ops.quote_name
    prefix = f"test_{connection.settings_dict['NAME']}_tmpl_"
    name = prefix + migrations_digest()
    with connection._nodb_cursor() as cursor:
        # One builder at a time (both pytest-xdist workers start at once); the other waits, then finds it.
        lock = zlib.crc32(prefix.encode())
        cursor.execute("SELECT pg_advisory_lock(%s)", [lock])
        try:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                building = f"{name}_build_{os.getpid()}"
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(building)}")
                cursor.execute(f"CREATE DATABASE {quote(building)}")
                saved = connection.settings_dict["NAME"]
                connection.close()
                connection.settings_dict["NAME"] = building
                try:
                    call_command("migrate", verbosity=0, interactive=False, database=connection.alias,
                                 run_syncdb=True)
                finally:
                    connection.close()
                    connection.settings_dict["NAME"] = saved
                cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(name)}")
                # The newest few stay: another checkout's run (other migrations) may be about to copy one.
                cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY oid DESC OFFSET %s",
                               [prefix.replace("_", r"\_") + "%", TEMPLATES_KEPT])
                for (old,) in cursor.fetchall():
                    try:
                        cursor.execute(f"DROP DATABASE IF EXISTS {quote(old)}")
                    except DatabaseError:
                        pass  # in use: it goes next time
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock])
    return name


def delete_flush(original: Any) -> Any:
    """PostgreSQL's ``sql_flush`` with DELETE FROM each table instead of one TRUNCATE (the module's text)."""

    def sql_flush(self: Any, style: Any, tables: list[str], *, reset_sequences: bool = False,
                  allow_cascade: bool = False) -> list[str]:
        if not tables or reset_sequences or allow_cascade:
            return list(original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade))
        tables = [table for table in tables if table not in KEPT_BY_FLUSH]
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")
            triggered = sorted({name.strip('"') for (name,) in cursor.fetchall()} & set(tables))
        quote = self.quote_name
        return ([f"ALTER TABLE {quote(table)} DISABLE TRIGGER USER;" for table in triggered]
                + [f"DELETE FROM {quote(table)};" for table in tables]
                # The deferred foreign key checks now (every table is empty): a table with pending ones
                # cannot be altered.
                + ["SET CONSTRAINTS ALL IMMEDIATE;"]
                + [f"ALTER TABLE {quote(table)} ENABLE TRIGGER USER;" for table in triggered])

    return sql_flush


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete() -> Iterator[None]:
    from django.core.management.commands import flush
    from django.db import connections
    from django.db.backends.postgresql.operations import DatabaseOperations

    if connections["default"].vendor != "postgresql":
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", delete_flush(DatabaseOperations.sql_flush))
        # Only the flush command's post_migrate (migrate sends its own, unchanged).
        patch.setattr(flush, "emit_post_migrate_signal", lambda *args, **kwargs: None)
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None,
                                 django_db_blocker: Any) -> None:
    """pytest-django's hook for the test database settings (after its per-worker name suffix): on
    PostgreSQL, create the test database from the migrated template."""
    from django.db import connections

    connection = connections["default"]
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        connection.settings_dict["TEST"]["TEMPLATE"] = ensure_template(connection)

"""Trigram indexes so a search of the pending list (username or mobile contains ...) stays fast
with 100,000 rows on PostgreSQL. Django's icontains compares UPPER(column), so index that."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS pending_username_trgm ON enrollment_pendingenrollment "
    "USING gin (UPPER(username::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS pending_mobile_trgm ON enrollment_pendingenrollment "
    "USING gin (UPPER(mobile::text) gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS pending_username_trgm",
    "DROP INDEX IF EXISTS pending_mobile_trgm",
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

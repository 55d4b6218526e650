"""Inserting a batch's new end users fast: PostgreSQL COPY (``lib.bulkinsert``), else bulk_create.
The batch's enrollments are plain rows for ``lib.bulkinsert.insert_plain``."""

from __future__ import annotations

from django.db import connection, models

from accounts.models import EndUser
from lib.bulkinsert import concrete_fields, insert_plain, new_instances

# The end user columns a bulk row gives; the others take their defaults.
END_USER_NAMES = ("username", "user_type", "email", "mobile", "first_name", "last_name")


def end_user_ids(keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """{(user_type, username): id} of the end users that exist among ``keys``."""
    if not keys:
        return {}
    if connection.vendor != "postgresql":
        query = models.Q()
        for user_type in {t for t, _ in keys}:
            query |= models.Q(user_type=user_type, username__in=[u for t, u in keys if t == user_type])
        return {(t, u): pk for pk, t, u in EndUser.objects.filter(query).values_list("pk", "user_type", "username")}
    # One probe of the (user_type, username) unique index per key, forced by LATERAL ... LIMIT 1.
    # A plain IN list or join was planned as a scan of every end user (the statistics go stale
    # while a job fills the table), which made each batch slower than the one before.
    types, names = zip(*keys, strict=True)
    table = connection.ops.quote_name(EndUser._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.id, k.user_type, k.username FROM unnest(%s::text[], %s::text[]) AS k(user_type, username) "
            f"CROSS JOIN LATERAL (SELECT id FROM {table} WHERE user_type = k.user_type AND username = k.username "
            "LIMIT 1) AS e",
            [list(types), list(names)],
        )
        return {(t, u): pk for pk, t, u in cursor.fetchall()}


def insert_end_users(rows: list[tuple[str, ...]]) -> dict[tuple[str, str], int]:
    """Insert end users (values of END_USER_NAMES), skipping any that exist already (same user
    type and username, e.g. created meanwhile by the portal): COPY into a temporary table, then
    one INSERT ... ON CONFLICT DO NOTHING. Returns {(user_type, username): id} of those it
    inserted; the caller looks up the others."""
    if not rows:
        return {}
    if connection.vendor != "postgresql":
        end_users = new_instances(EndUser, (dict(zip(END_USER_NAMES, row, strict=True)) for row in rows))
        EndUser.objects.bulk_create(end_users, ignore_conflicts=True)
        return {}
    quote = connection.ops.quote_name
    table = quote(EndUser._meta.db_table)
    columns = ", ".join(quote(f.column or f.attname) for f in concrete_fields(EndUser))
    with connection.cursor() as cursor:
        # ON COMMIT DELETE ROWS: empty again when the batch commits (or rolls back).
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS bulk_new_endusers ON COMMIT DELETE ROWS AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        insert_plain(EndUser, END_USER_NAMES, rows, table="bulk_new_endusers")
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM bulk_new_endusers "
                       "ON CONFLICT DO NOTHING RETURNING id, user_type, username")
        # No TRUNCATE: the batch's commit empties the table (a second call in one transaction would
        # offer the first call's rows again, which the conflict skips).
        return {(t, u): pk for pk, t, u in cursor.fetchall()}

"""Inserting a batch of pending enrollments (and new end users) fast: PostgreSQL COPY
(``lib.bulkinsert``), else bulk_create."""

from __future__ import annotations

from django.db import connection, models

from accounts.models import EndUser
from enrollment.models import PendingEnrollment
from lib.bulkinsert import concrete_fields, copy_rows, insert_rows


def insert_enrollments(enrollments: list[PendingEnrollment], *, need_ids: bool) -> None:
    """Insert ``enrollments`` (all of one bulk job). With ``need_ids`` their ``pk`` is set."""
    insert_rows(PendingEnrollment, enrollments, with_ids=need_ids)


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


def insert_end_users(end_users: list[EndUser]) -> None:
    """Insert end users, skipping any that exist already (same user type and username, e.g.
    created meanwhile by the portal): COPY into a temporary table, then one INSERT ... ON
    CONFLICT DO NOTHING. The caller reads the ids back."""
    if not end_users:
        return
    if connection.vendor != "postgresql":
        EndUser.objects.bulk_create(end_users, ignore_conflicts=True)
        return
    quote = connection.ops.quote_name
    table = quote(EndUser._meta.db_table)
    columns = ", ".join(quote(f.column or f.attname) for f in concrete_fields(EndUser))
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS bulk_new_endusers ON COMMIT DELETE ROWS AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        copy_rows(cursor.cursor, EndUser, "bulk_new_endusers", end_users)
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM bulk_new_endusers "
                       "ON CONFLICT DO NOTHING")
        cursor.execute("TRUNCATE bulk_new_endusers")

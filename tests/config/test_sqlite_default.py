"""The embedded SQLite default under concurrent writers (config.settings.database_settings).

The suite's own SQLite database (the smoke run) is in memory, so this test makes a database file
with exactly the settings a ``sqlite:///`` DATABASE_URL gets, and runs it whatever DATABASE_URL
the suite uses.
"""

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connections, transaction

from config.settings import database_settings

pytestmark = pytest.mark.smoke

WRITERS = 20
ALIAS = "embedded_sqlite"


@pytest.fixture
def embedded_sqlite(tmp_path: Path, django_db_blocker: Any) -> Iterator[str]:
    """A fresh SQLite file under its own alias, configured as config.settings configures the default."""
    database = database_settings(f"sqlite:///{tmp_path / 'onramp.sqlite3'}")
    database.update({"AUTOCOMMIT": True, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "TIME_ZONE": None,
                     "USER": "", "PASSWORD": "", "HOST": "", "PORT": "", "TEST": {}})
    connections.settings[ALIAS] = database
    with django_db_blocker.unblock():
        try:
            with connections[ALIAS].cursor() as cursor:
                cursor.execute("CREATE TABLE enrollment (id INTEGER PRIMARY KEY, uses_remaining INTEGER NOT NULL)")
                cursor.execute("CREATE TABLE device (id INTEGER PRIMARY KEY, serial_number TEXT NOT NULL)")
                cursor.execute("INSERT INTO enrollment (id, uses_remaining) VALUES (1, %s)", [WRITERS])
            yield ALIAS
        finally:
            connections[ALIAS].close()
            del connections[ALIAS]
            del connections.settings[ALIAS]


def redeem_shaped_write(alias: str, n: int) -> None:
    """What a redemption does in its transaction: read the enrollment, then write a device and
    take one use."""
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SELECT uses_remaining FROM enrollment WHERE id = 1")
        (left,) = cursor.fetchone()
        cursor.execute("INSERT INTO device (serial_number) VALUES (%s)", [f"SN-{n}"])
        cursor.execute("UPDATE enrollment SET uses_remaining = %s WHERE id = 1", [left - 1])


def test_it_serves_twenty_concurrent_redemptions_without_database_is_locked(embedded_sqlite: str) -> None:
    barrier = threading.Barrier(WRITERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            redeem_shaped_write(embedded_sqlite, n)
            outcome = "ok"
        except OperationalError as exc:
            outcome = str(exc)
        finally:
            connections[embedded_sqlite].close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Counter(outcomes) == {"ok": WRITERS}
    with connections[embedded_sqlite].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM device")
        assert cursor.fetchone() == (WRITERS,)
        # Every read-then-write saw the writes before it: no use was lost to a stale read.
        cursor.execute("SELECT uses_remaining FROM enrollment")
        assert cursor.fetchone() == (0,)


def test_it_keeps_the_embedded_default_in_wal_mode(embedded_sqlite: str) -> None:
    # WAL: a device's read never waits for another device's write, and a write never waits for readers.
    with connections[embedded_sqlite].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone() == ("wal",)

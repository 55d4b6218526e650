"""Rows for benchmarks/lists.py: the five console lists filled by COPY with realistic values.

Every table gets ``count`` rows. A handful of rows carry a rare word (RARE_*) that the searches look for,
the same number at every size, so a search shows the same rows with 10 rows as with 1,000,000; the
first 12 rows of each table cover every choice (source, state, platform, kind, status ...), so the
10-row database has them too. Indexes are dropped before the COPY and built again after it (as a
restore would), then the database is VACUUM ANALYZEd.
"""

from __future__ import annotations

import base64
import random
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

ADMIN = "bench-admin"
RARE_SURNAME = "quartermaine"  # pending usernames, device users, audit targets, message recipients
SEARCH_TERM = "termain"
SEARCH_HITS = 5
RARE_SERIAL = "ZXQV9"  # device serial numbers containing it (no random serial or token starts so)
RARE_ACTOR = "wintermute"  # audit actors

FIRST = ["anna", "ben", "carla", "david", "elif", "felix", "greta", "hannes", "ida", "jonas", "klara", "lukas",
         "mia", "noah", "olga", "paul", "quinn", "rosa", "stefan", "tara", "umut", "vera", "wim", "yusuf", "zoe"]
LAST = ["mueller", "schmidt", "schneider", "fischer", "weber", "meyer", "wagner", "becker", "schulz", "hoffmann",
        "koch", "richter", "klein", "wolf", "neumann", "schwarz", "braun", "zimmermann", "krueger", "hartmann",
        "lange", "werner", "krause", "lehmann", "koehler", "yilmaz", "kaya", "novak", "rossi", "silva"]
STAFF = ["ada", "hal", "grace", "linus", "margaret", "ken", "barbara", "dennis", "frances", "edsger", "system"]
AUDIT_ACTIONS = ["otp_viewed", "otp_failed", "redeem_refused", "device_enrolled", "enrollment_created",
                 "otp_reset", "enrollment_deleted", "enrollment_expired", "login", "logout", "qr_downloaded",
                 "settings_changed"]
AUDIT_WEIGHTS = [25, 15, 15, 12, 12, 5, 4, 4, 3, 2, 2, 1]
SPAN = timedelta(days=90)


class Seeder:
    """The values every table shares: a clock that runs over 90 days, the rare rows and random names."""

    def __init__(self, count: int, seed: int) -> None:
        self.count = count
        self.rnd = random.Random(seed)
        self.now = datetime.now(UTC)
        self.start = self.now - SPAN
        self.step = SPAN / max(count, 1)
        self.rare = set(self.rnd.sample(range(count), min(SEARCH_HITS, count)))

    def at(self, i: int) -> datetime:
        return self.start + self.step * i

    def username(self, i: int) -> str:
        last = RARE_SURNAME if i in self.rare else self.rnd.choice(LAST)
        return f"{self.rnd.choice(FIRST)}.{last}{i}"

    def token(self) -> str:
        return base64.urlsafe_b64encode(self.rnd.randbytes(24)).decode()

    def choice(self, i: int, values: list[str], weights: list[int]) -> str:
        return values[i % len(values)] if i < 12 else self.rnd.choices(values, weights=weights)[0]


def pending_rows(s: Seeder, *, admin_id: int, sealed: str) -> Iterator[tuple[object, ...]]:
    """Pending enrollments: every source and state, some mobiles, one sealed OTP reused, expiry consistent
    with the state, reserved_licences = uses_remaining while active or locked, else 0."""
    for i in range(s.count):
        username = s.username(i)
        source = s.choice(i, ["self", "single", "bulk", "qr"], [20, 30, 45, 5])
        state = ["active", "expired", "locked"][i % 3] if i < 12 else \
            s.rnd.choices(["active", "expired", "locked"], weights=[80, 15, 5])[0]
        created = s.at(i)
        usage = s.rnd.choice([5, 10, 50, 100]) if source == "qr" else 1
        remaining = s.rnd.randint(1, usage)
        if state == "expired":
            expires: datetime | None = min(created + timedelta(hours=72), s.now - timedelta(minutes=1))
        elif source == "qr" and s.rnd.random() < 0.5:
            expires = None
        else:
            expires = s.now + timedelta(minutes=s.rnd.randint(10, 72 * 60))
        yield (
            s.token(), username, s.rnd.choices(["local", "ldap"], weights=[70, 30])[0], None,
            f"{username}@example.com" if s.rnd.random() < 0.5 else "",
            f"+49{s.rnd.choice(['151', '160', '170', '171', '176'])}{s.rnd.randint(1000000, 99999999)}"
            if s.rnd.random() < 0.6 else "",
            s.rnd.choice(["corporate", "personal", "unknown"]), source, state, sealed, expires,
            5 if state == "locked" else s.rnd.choice([0, 0, 0, 1, 2]),
            created + timedelta(hours=1) if state == "locked" else None,
            expires if state == "expired" else None, usage, remaining, 0 if state == "expired" else remaining,
            created, admin_id, ADMIN, i // 1000 + 1 if source == "bulk" else None, i if source == "bulk" else None,
            LANGUAGES[i % len(LANGUAGES)],
        )


PENDING_COLUMNS = [
    "token", "username", "user_type", "end_user_id", "email", "mobile", "ownership", "source", "state",
    "otp_ciphertext", "otp_expires_at", "failed_attempts", "locked_at", "expired_at", "usage_count",
    "uses_remaining", "reserved_licences", "created_at", "created_by_id", "created_by_name", "bulk_job_id",
    "bulk_row", "language",
]
# The end users' languages (lib.languages), mostly English as on a real console.
LANGUAGES = ["en"] * 7 + ["de", "fr", "it"]

MODELS = {"android": ["Pixel 8", "Galaxy S24", "Galaxy A55", "Xperia 10"], "ios": ["iPhone 15", "iPad Air"],
          "macos": ["MacBook Air"], "windows": ["Surface Pro 9", "ThinkPad X1"]}
MAKERS = {"android": ["Google", "Samsung", "Sony"], "ios": ["Apple"], "macos": ["Apple"],
          "windows": ["Microsoft", "Lenovo"]}
DEVICE_COLUMNS = ["public_id", "username", "user_type", "end_user_id", "platform", "serial_number", "imei",
                  "manufacturer", "model", "os_version", "ownership", "enrolled_at", "enrollment_token", "source"]


def device_rows(s: Seeder, **_: Any) -> Iterator[tuple[object, ...]]:
    for i in range(s.count):
        platform = s.choice(i, ["android", "ios", "macos", "windows"], [55, 35, 3, 7])
        serial = "".join(s.rnd.choices("ABCDEFGHJKLMNPRSTUVW0123456789", k=10))
        if i in s.rare:
            serial = serial[:3] + RARE_SERIAL + serial[8:]
        yield (
            uuid.UUID(int=s.rnd.getrandbits(128), version=4), s.username(i), "local", None, platform, serial,
            "".join(s.rnd.choices("0123456789", k=15)) if platform == "android" else "",
            s.rnd.choice(MAKERS[platform]), s.rnd.choice(MODELS[platform]), str(s.rnd.randint(11, 17)),
            s.rnd.choice(["corporate", "personal", "unknown"]), s.at(i), s.token(),
            s.rnd.choice(["self", "single", "bulk", "qr"]),
        )


AUDIT_COLUMNS = ["created_at", "actor_id", "actor_name", "action", "enrollment_token", "target_username", "ip",
                 "user_agent", "details"]


def audit_rows(s: Seeder, *, admin_id: int, **_: Any) -> Iterator[tuple[object, ...]]:
    from psycopg.types.json import Jsonb

    actors = set(s.rnd.sample(range(s.count), min(SEARCH_HITS, s.count)))
    for i in range(s.count):
        action = s.choice(i, AUDIT_ACTIONS, AUDIT_WEIGHTS)
        actor = RARE_ACTOR if i in actors else s.rnd.choice(STAFF)
        details: dict[str, object] = {"platform": "android", "serial": "R58M12345"} if action == "device_enrolled" \
            else {"reason": "wrong OTP", "attempts": s.rnd.randint(1, 5)} if action == "otp_failed" \
            else {"settings": "sms", "changes": {"api_token": ["••••", "••••"]}} if action == "settings_changed" else {}
        yield (
            s.at(i), admin_id if actor != "system" else None, actor, action, s.token(), s.username(i),
            f"10.{s.rnd.randint(0, 255)}.{s.rnd.randint(0, 255)}.{s.rnd.randint(1, 254)}",
            "Mozilla/5.0 (X11; Linux x86_64)", Jsonb(details),
        )


LEDGER_COLUMNS = ["created_at", "kind", "quantity", "enrollment_token", "username", "actor_id", "actor_name", "note"]


def ledger_rows(s: Seeder, *, admin_id: int, **_: Any) -> Iterator[tuple[object, ...]]:
    for i in range(s.count):
        kind = s.choice(i, ["reserve", "consume", "release", "set_total"], [45, 40, 14, 1])
        quantity = {"reserve": 1, "consume": 1, "release": -1, "set_total": 0}[kind]
        yield (s.at(i), kind, quantity, s.token() if kind != "set_total" else "",
               s.username(i) if kind != "set_total" else "", admin_id, s.rnd.choice(STAFF),
               "was 1000" if kind == "set_total" else "")


MESSAGE_COLUMNS = ["channel", "template_key", "recipient", "subject_sealed", "body_sealed", "attachments_sealed",
                   "status", "attempts", "error", "enrollment_id", "username", "created_at", "queued_at",
                   "claimed_at", "sent_at", "provider_id", "created_by_id"]


def message_rows(s: Seeder, *, admin_id: int, sealed: str, **_: Any) -> Iterator[tuple[object, ...]]:
    """Messages; about half name a pending enrollment (ids 1..count exist: pending rows are copied first)."""
    for i in range(s.count):
        channel = s.choice(i, ["email", "sms"], [75, 25])
        status = s.choice(i, ["sent", "failed", "queued", "sending"], [93, 5, 1, 1])
        username = s.username(i)
        recipient = f"{username}@example.com" if channel == "email" else f"+4917{s.rnd.randint(10000000, 99999999)}"
        template = s.rnd.choice(["admin_provisioned", "user_provisioned", "otp_reset", "qr_user"]) \
            if channel == "email" else "enrollment_sms"
        created = s.at(i)
        yield (
            channel, template, recipient, sealed if channel == "email" else "", sealed, "", status,
            1 if status != "failed" else 5, "SMTP 550 mailbox unavailable" if status == "failed" else "",
            i + 1 if s.rnd.random() < 0.5 else None, username, created, created,
            created if status != "queued" else None, created + timedelta(seconds=2) if status == "sent" else None,
            "", admin_id,
        )


TABLES: list[tuple[str, list[str], Callable[..., Iterator[tuple[object, ...]]]]] = [
    ("enrollment_pendingenrollment", PENDING_COLUMNS, pending_rows),
    ("enrollment_device", DEVICE_COLUMNS, device_rows),
    ("audit_auditentry", AUDIT_COLUMNS, audit_rows),
    ("licensing_ledgerentry", LEDGER_COLUMNS, ledger_rows),
    ("notifications_message", MESSAGE_COLUMNS, message_rows),
]


def seed(url: str, count: int, *, log: Callable[[str], None] = print) -> None:
    """Create, migrate, fill (COPY, indexes built after) and VACUUM ANALYZE one benchmark database."""
    import time

    from _harness import analyze, migrate, recreate_database, switch_database
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from accounts.models import User
    from accounts.roles import ADMINISTRATOR
    from audit.actor import Actor
    from lib.crypto import seal
    from licensing.services import licence_counts, licence_total_set

    recreate_database(url)
    switch_database(url)
    migrate()
    admin = User.objects.create_user(username=ADMIN, password="benchmark-password-0", email="bench@example.com")
    admin.groups.add(Group.objects.get(name=ADMINISTRATOR))
    sealed = seal("Your OTP is 48213795. " * 8)
    for number, (table, columns, make) in enumerate(TABLES):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                           "(SELECT conname FROM pg_constraint)", [table])
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in make(Seeder(count, seed=2 + number), admin_id=admin.pk, sealed=sealed):
                    copy.write_row(row)
            for _name, definition in indexes:
                cursor.execute(definition)
        log(f"  {table}: {count} rows in {time.perf_counter() - started:.1f} s")
    with transaction.atomic():
        licence_total_set(total=licence_counts().reserved + count, actor=Actor.for_user(admin))
    analyze()

"""Pending list at 100,000 rows against the same pages at 10 rows (SPEC "Performance").

    .venv/bin/python benchmarks/pending_list.py [--rows 100000] [--repeat 30] [--reuse] [--explain]

Seeds two PostgreSQL databases (onramp_bench_list with --rows pending enrollments, and
onramp_bench_list_small with 10) on the server of $BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432), ANALYZEs them, then requests through Django's test Client,
signed in as an Administrator: the first page, a search matching a handful of rows and the last
page. For each it records the SQL query count of one request and the median/p90 response time
over --repeat requests after warm-up, the two sizes measured in alternating rounds so drift hits
both alike. Target: the same query count at both sizes, a median at most 3x the 10-row median.
"""

from __future__ import annotations

import argparse
import base64
import math
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    Timing,
    analyze,
    bench_database_url,
    count_queries,
    database_exists,
    migrate,
    ms,
    print_table,
    recreate_database,
    setup_django,
    switch_database,
    timed,
    write_results,
)

BIG_DB = "onramp_bench_list"
SMALL_DB = "onramp_bench_list_small"
SMALL_ROWS = 10
ADMIN = "bench-admin"
# A surname given to exactly SEARCH_HITS rows at either size; the search looks for part of it.
RARE_SURNAME = "quartermaine"
SEARCH_TERM = "termain"
SEARCH_HITS = 5
TARGET_RATIO = 3.0

FIRST = ["anna", "ben", "carla", "david", "elif", "felix", "greta", "hannes", "ida", "jonas", "klara", "lukas",
         "mia", "noah", "olga", "paul", "quinn", "rosa", "stefan", "tara", "umut", "vera", "wim", "yusuf", "zoe"]
LAST = ["mueller", "schmidt", "schneider", "fischer", "weber", "meyer", "wagner", "becker", "schulz", "hoffmann",
        "koch", "richter", "klein", "wolf", "neumann", "schwarz", "braun", "zimmermann", "krueger", "hartmann",
        "lange", "werner", "krause", "lehmann", "koehler", "yilmaz", "kaya", "novak", "rossi", "silva"]
COLUMNS = [
    "token", "username", "user_type", "end_user_id", "email", "mobile", "ownership", "source", "state",
    "otp_ciphertext", "otp_expires_at", "failed_attempts", "locked_at", "expired_at", "usage_count",
    "uses_remaining", "reserved_licences", "created_at", "created_by_id", "created_by_name", "bulk_job_id",
    "bulk_row",
]


def rows(count: int, *, admin_id: int, sealed_otp: str, seed: int = 2) -> Iterator[tuple[object, ...]]:
    """Realistic pending enrollments: every source and state (even at 10 rows), some mobiles,
    sealed OTPs (one ciphertext reused), OTP expiry consistent with the state, and
    reserved_licences = uses_remaining while active or locked, else 0."""
    rnd = random.Random(seed)
    now = datetime.now(UTC)
    start = now - timedelta(days=90)
    step = timedelta(days=90) / max(count, 1)
    rare = set(rnd.sample(range(count), min(SEARCH_HITS, count)))
    sources = ["self", "single", "bulk", "qr"]
    states = ["active", "expired", "locked"]
    for i in range(count):
        first = rnd.choice(FIRST)
        last = RARE_SURNAME if i in rare else rnd.choice(LAST)
        username = f"{first}.{last}{i}"
        if i < 12:  # every combination first, so the 10-row database has them all too
            source, state = sources[i % 4], states[i % 3]
        else:
            source = rnd.choices(sources, weights=[20, 30, 45, 5])[0]
            state = rnd.choices(states, weights=[80, 15, 5])[0]
        created = start + step * i
        usage = rnd.choice([5, 10, 50, 100]) if source == "qr" else 1
        remaining = rnd.randint(1, usage)
        if state == "expired":
            expires: datetime | None = min(created + timedelta(hours=72), now - timedelta(minutes=1))
        elif source == "qr" and rnd.random() < 0.5:
            expires = None  # unlimited
        else:
            expires = now + timedelta(minutes=rnd.randint(10, 72 * 60))
        yield (
            base64.urlsafe_b64encode(rnd.randbytes(24)).decode(),
            username,
            rnd.choices(["local", "ldap"], weights=[70, 30])[0],
            None,
            f"{username}@example.com" if rnd.random() < 0.5 else "",
            f"+49{rnd.choice(['151', '160', '170', '171', '176'])}{rnd.randint(1000000, 99999999)}"
            if rnd.random() < 0.6 else "",
            rnd.choice(["corporate", "personal", "unknown"]),
            source,
            state,
            sealed_otp,
            expires,
            5 if state == "locked" else rnd.choice([0, 0, 0, 1, 2]),
            created + timedelta(hours=1) if state == "locked" else None,
            expires if state == "expired" else None,
            usage,
            remaining,
            0 if state == "expired" else remaining,
            created,
            admin_id,
            ADMIN,
            i // 1000 + 1 if source == "bulk" else None,
            i if source == "bulk" else None,
        )


def seed(url: str, count: int) -> None:
    """Create, migrate, fill and ANALYZE one benchmark database."""
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
    sealed = seal("48213795")
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY enrollment_pendingenrollment ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows(count, admin_id=admin.pk, sealed_otp=sealed):
                copy.write_row(row)
    with transaction.atomic():
        licence_total_set(total=licence_counts().reserved + 1000, actor=Actor.for_user(admin))
    analyze()


@dataclass(frozen=True)
class Case:
    key: str
    label: str
    params: dict[str, str]
    rows: int  # rows the page must show (checked once per round)
    in_target: bool = True  # SPEC's three pages; the others are shown for information


def cases(count: int, page_size: int) -> list[Case]:
    last = max(1, math.ceil(count / page_size))
    last_rows = count - (last - 1) * page_size
    first_rows = min(page_size, count)
    return [
        Case("first", "first page", {}, first_rows),
        Case("search", f"search '{SEARCH_TERM}'", {"q": SEARCH_TERM}, min(SEARCH_HITS, count)),
        Case("last", "last page", {"page": str(last)}, last_rows),
        Case("mobile", "(info) sorted by mobile", {"sort": "mobile"}, first_rows, in_target=False),
        Case("state_last", "(info) by state, last page", {"sort": "state", "page": str(last)}, last_rows,
             in_target=False),
        Case("locked", "(info) state=locked", {"state": "locked"}, -1, in_target=False),
    ]


def signed_in_client() -> Any:
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=ADMIN))
    return client


def one_request(client: Any, params: dict[str, str], *, expect_rows: int | None = None) -> list[dict[str, str]]:
    """One request, returning its queries; checks the page really shows rows."""
    with count_queries() as queries:
        response = client.get("/devices/pending/", params)
    if response.status_code != 200:
        raise SystemExit(f"GET /devices/pending/ {params} answered {response.status_code}")
    shown = response.content.count(b'name="ids"')
    if expect_rows is not None and shown != expect_rows:
        raise SystemExit(f"GET /devices/pending/ {params} showed {shown} rows, expected {expect_rows}")
    return queries


def explain(params: dict[str, str]) -> None:
    """Print EXPLAIN ANALYZE of the list's queries for one page (the session/auth queries skipped)."""
    from django.db import connection

    client = signed_in_client()
    for query in one_request(client, params):
        sql = query["sql"]
        if "enrollment_pendingenrollment" not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print(f"\n-- {params or 'first page'}: {sql[:160]}...")
            print("\n".join(line for (line,) in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the big database (default 100000)")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page and size (default 30)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds the repeats are split into")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests before each round")
    parser.add_argument("--reuse", action="store_true", help="reuse databases seeded by an earlier run")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each page at the big size")
    args = parser.parse_args()

    big_url, small_url = bench_database_url(BIG_DB), bench_database_url(SMALL_DB)
    setup_django(small_url)

    from django.conf import settings
    from django.db import connection

    from enrollment.models import PendingEnrollment

    big = f"{args.rows // 1000}k" if args.rows >= 1000 and args.rows % 1000 == 0 else str(args.rows)
    sizes = {"10": (small_url, SMALL_ROWS), big: (big_url, args.rows)}
    for url, count in sizes.values():
        fresh = not (args.reuse and database_exists(url))
        if not fresh:
            switch_database(url)
            fresh = PendingEnrollment.objects.count() != count
        if fresh:
            print(f"Seeding {count} pending enrollments into {url.rsplit('/', 1)[1]} ...", flush=True)
            seed(url, count)

    page_size: int = settings.PENDING_LIST_PAGE_SIZE
    clients: dict[str, Any] = {}
    queries: dict[tuple[str, str], list[dict[str, str]]] = {}
    samples: dict[tuple[str, str], list[float]] = {}
    size_cases = {label: cases(count, page_size) for label, (_url, count) in sizes.items()}
    per_round = max(1, args.repeat // args.rounds)

    # Alternate the sizes round by round so that load from elsewhere on the machine hits both.
    for _ in range(args.rounds):
        for label, (url, _count) in sizes.items():
            switch_database(url)
            client = clients.setdefault(label, signed_in_client())
            for case in size_cases[label]:
                key = (label, case.key)
                queries[key] = one_request(client, case.params, expect_rows=case.rows if case.rows >= 0 else None)
                for _ in range(args.warmup):
                    client.get("/devices/pending/", case.params)
                timing = timed(lambda c=client, p=case.params: c.get("/devices/pending/", p),
                               repeat=per_round, warmup=0)
                samples.setdefault(key, []).extend(timing.samples)

    if args.explain:
        switch_database(big_url)
        for case in size_cases[big]:
            explain(case.params)
    connection.close()

    table: list[list[object]] = []
    results: list[dict[str, Any]] = []
    passed = True
    for case in size_cases[big]:
        small_q, big_q = queries[("10", case.key)], queries[(big, case.key)]
        small_t, big_t = Timing(samples[("10", case.key)]), Timing(samples[(big, case.key)])
        sql_small = sum(float(q["time"]) for q in small_q) * 1000
        sql_big = sum(float(q["time"]) for q in big_q) * 1000
        time_ratio = big_t.median / small_t.median
        ok = len(small_q) == len(big_q) and time_ratio <= TARGET_RATIO
        if case.in_target:
            passed &= ok
        verdict = ("ok" if ok else "MISS") if case.in_target else ("(ok)" if ok else "(miss)")
        table.append([case.label, len(small_q), len(big_q), ms(small_t.median), ms(big_t.median),
                      f"{time_ratio:.2f}x", ms(small_t.p90), ms(big_t.p90), f"{sql_small:.0f}", f"{sql_big:.0f}",
                      verdict])
        results.append({
            "case": case.label, "params": case.params, "in_target": case.in_target,
            "queries": {"10": len(small_q), big: len(big_q)},
            "sql_ms_one_request": {"10": sql_small, big: sql_big},
            "timing": {"10": small_t, big: big_t}, "median_ratio": time_ratio, "meets_target": ok,
            "sql_big": [q["sql"] for q in big_q],
        })
    print_table(
        ["page", "queries 10", f"queries {big}", "median ms 10", f"median ms {big}", "ratio", "p90 ms 10",
         f"p90 ms {big}", "SQL ms 10", f"SQL ms {big}", "target"],
        table,
        title=(f"Pending list, {args.rows} rows vs {SMALL_ROWS} (page size {page_size}, "
               f"{per_round * args.rounds} timed requests each; target: same queries, median <= {TARGET_RATIO:g}x)"),
    )
    path = write_results("pending_list", {
        "rows": {"10": SMALL_ROWS, big: args.rows}, "page_size": page_size, "target_ratio": TARGET_RATIO,
        "passed": passed, "cases": results,
    })
    print("SQL ms: the database time of one request (Django rounds each query to 1 ms).")
    print(f"\n{'All targets met' if passed else 'Target missed'}; results in {path}")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()

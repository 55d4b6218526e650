"""The five console lists at 1,000,000 rows against the same pages at 10 rows (SPEC "Performance").

    .venv/bin/python benchmarks/lists.py [--rows 1000000] [--repeat 20] [--reuse] [--explain] [--small]

Seeds two PostgreSQL databases on the server of $BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432):
onramp_bench_lists with --rows rows in each of the five tables (pending enrollments, devices, audit entries,
ledger entries, messages; by COPY, see list_seed.py) and onramp_bench_lists_small with 10 in each, ANALYZEs
them, then requests each list through Django's test Client signed in as an Administrator: the first page, a
search or filter, the last page (the target), and for information more filters, other sorts and a page in the
middle of the list. For each it records the SQL query count of one request and the median/p90 response time
over --repeat requests after warm-up, the two sizes measured in alternating rounds so drift hits both alike.
Target: the same query count at both sizes, a median at most 3x the 10-row median.

Then the audit CSV export, in a child process each: every entry (--rows) against one day's (1/90 of them,
11,111 at the full size), peak memory (VmHWM) of the process. Target: constant memory, at most EXPORT_MEMORY_RATIO.

--small: 20,000 rows, 10 requests in 2 rounds, for development.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    Target,
    Timing,
    bench_database_url,
    count_queries,
    database_exists,
    ms,
    print_table,
    print_targets,
    proc_status_kb,
    setup_django,
    switch_database,
    timed,
    write_results,
)
from list_seed import (  # noqa: E402
    ADMIN,
    RARE_ACTOR,
    RARE_SERIAL,
    SEARCH_HITS,
    SEARCH_TERM,
    seed,
)

BIG_DB = "onramp_bench_lists"
SMALL_DB = "onramp_bench_lists_small"
SMALL_ROWS = 10
TARGET_RATIO = 3.0
EXPORT_MEMORY_RATIO = 1.2

# Each list: its URL, page size and how a row shows in its HTML (to check a page really shows rows).
LISTS = {
    "pending": ("/devices/pending/", 25, r'name="ids"'),
    "devices": ("/devices/", 25, r"<td><code title="),
    "audit": ("/audit/", 50, r"<tr><td>"),
    "ledger": ("/licenses/", 100, r"<tr><td>"),
    "messages": ("/notifications/", 50, r'id="message-\d+-status"'),
}


@dataclass(frozen=True)
class Case:
    list: str
    label: str
    params: dict[str, str]
    rows: int  # rows the page must show (-1: not checked)
    in_target: bool = True
    middle: str = ""  # a page in the middle of the list ordered by this key: position set per database

    @property
    def key(self) -> str:
        return f"{self.list}: {self.label}"


def cases(count: int) -> list[Case]:
    def full(name: str) -> int:
        # Setting the licence total while seeding wrote one more ledger entry and audit entry.
        return min(LISTS[name][1], count + (name in ("audit", "ledger")))

    hits = min(SEARCH_HITS, count)
    return [
        Case("pending", "first page", {}, full("pending")),
        Case("pending", f"search '{SEARCH_TERM}'", {"q": SEARCH_TERM}, hits),
        Case("pending", "last page", {"page": "last"}, full("pending")),
        Case("pending", "(info) state=locked", {"state": "locked"}, -1, False),
        Case("pending", "(info) by mobile, last page", {"sort": "mobile", "page": "last"}, full("pending"), False),
        Case("pending", "(info) by state, last page", {"sort": "state", "page": "last"}, full("pending"), False),
        Case("pending", "(info) by expiry, last page", {"sort": "expires", "page": "last"}, full("pending"), False),
        Case("pending", "(info) page in the middle", {}, -1, False, middle="created_at"),
        Case("devices", "first page", {}, full("devices")),
        Case("devices", f"search '{RARE_SERIAL.lower()}'", {"q": RARE_SERIAL.lower()}, hits),
        Case("devices", "last page", {"page": "last"}, full("devices")),
        Case("devices", "(info) platform=windows", {"platform": "windows"}, -1, False),
        Case("devices", "(info) page in the middle", {}, -1, False, middle="enrolled_at"),
        Case("audit", "first page", {}, full("audit")),
        Case("audit", f"username/token '{SEARCH_TERM}'", {"q": SEARCH_TERM}, hits),
        Case("audit", f"who '{RARE_ACTOR[2:8]}'", {"actor": RARE_ACTOR[2:8]}, hits),
        Case("audit", "action=otp_reset", {"action": "otp_reset"}, -1),
        Case("audit", "action=otp_reset, last page", {"action": "otp_reset", "page": "last"}, -1),
        Case("audit", "last page", {"page": "last"}, full("audit")),
        Case("audit", "(info) eleven days", {"date_from": "{35}", "date_to": "{25}"}, -1, False),
        Case("audit", "(info) page in the middle", {}, -1, False, middle="created_at"),
        Case("ledger", "first page", {}, full("ledger")),
        Case("ledger", "kind=release", {"kind": "release"}, -1),
        Case("ledger", "last page", {"page": "last"}, full("ledger")),
        Case("messages", "first page", {}, full("messages")),
        Case("messages", f"search '{SEARCH_TERM}'", {"q": SEARCH_TERM}, hits),
        Case("messages", "last page", {"page": "last"}, full("messages")),
        Case("messages", "(info) status=failed", {"status": "failed"}, -1, False),
        Case("messages", "(info) template=otp_reset, last page", {"template": "otp_reset", "page": "last"}, -1,
             False),
    ]


MODEL_OF = {"pending": "enrollment.PendingEnrollment", "devices": "enrollment.Device", "audit": "audit.AuditEntry",
            "ledger": "licensing.LedgerEntry", "messages": "notifications.Message"}


def resolve(case: Case, count: int) -> dict[str, str]:
    """The case's parameters on the current database: a page in the middle starts after the row at
    half the list (found once by OFFSET, which is what the list itself never does)."""
    from django.apps import apps
    from django.utils import timezone

    from lib.pagination import position_after

    params = dict(case.params)
    for name, value in params.items():  # "{N}": the day N days ago
        if value.startswith("{"):
            params[name] = (timezone.localdate() - timedelta(days=int(value.strip("{}")))).isoformat()
    if case.middle:
        model = apps.get_model(MODEL_OF[case.list])
        value, pk = model.objects.order_by(f"-{case.middle}", "-id").values_list(case.middle, "id")[count // 2]
        params["page"] = position_after(value, pk)
    return params


def signed_in_client() -> Any:
    from django.test import Client

    from accounts.models import User
    from twofactor.session import VERIFIED

    client = Client()
    client.force_login(User.objects.get(username=ADMIN))
    # An Administrator signs in with a second factor (twofactor): this session passed that step.
    session = client.session
    session[VERIFIED] = True
    session.save()
    return client


def one_request(client: Any, case: Case, params: dict[str, str]) -> list[dict[str, str]]:
    """One request, returning its queries; checks the page answers 200 and shows the rows it should."""
    url, _size, marker = LISTS[case.list]
    with count_queries() as queries:
        response = client.get(url, params)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} {params} answered {response.status_code}")
    shown = len(re.findall(marker, response.content.decode()))
    if (case.rows >= 0 and shown != case.rows) or (case.rows < 0 and shown == 0):
        raise SystemExit(f"GET {url} {params} showed {shown} rows, expected {case.rows if case.rows >= 0 else '> 0'}")
    return queries


def explain(client: Any, case: Case, params: dict[str, str]) -> None:
    """EXPLAIN ANALYZE of the list's own queries for one page (the session and user queries skipped)."""
    from django.db import connection

    for query in one_request(client, case, params):
        sql = query["sql"]
        if "django_session" in sql or "auth_" in sql or "accounts_" in sql or "licensing_licencepool" in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print(f"\n-- {case.key}: {sql[:200]}...")
            print("\n".join(line for (line,) in cursor.fetchall()))


def export_child(url: str, query: str) -> None:
    """In a child process: export the audit CSV once, print rows, bytes, seconds and peak memory as JSON."""
    setup_django(url)
    client = signed_in_client()
    client.get("/audit/")  # warm: imports, templates, the connection
    rss_before = proc_status_kb("VmRSS")
    started = time.perf_counter()
    response = client.get("/audit/export.csv?" + query)
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    print(json.dumps({"rows": lines - 1, "bytes": size, "seconds": time.perf_counter() - started,
                      "rss_before_kb": rss_before, "peak_kb": proc_status_kb("VmHWM"),
                      "streaming": bool(response.streaming)}))


def measure_export(url: str, query: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--export-child", url, query], check=True,
                         capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per table in the big database")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page and size (default 20)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds the repeats are split into")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests before each round")
    parser.add_argument("--reuse", action="store_true", help="reuse databases seeded by an earlier run")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each page at the big size")
    parser.add_argument("--small", action="store_true", help="20,000 rows, 10 requests in 2 rounds (development)")
    parser.add_argument("--only", default="", help="comma-separated lists to measure (default: all five)")
    parser.add_argument("--export-child", nargs=2, metavar=("URL", "QUERY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        export_child(*args.export_child)
        return
    if args.small:
        args.rows, args.repeat, args.rounds = 20_000, 10, 2

    big_url, small_url = bench_database_url(BIG_DB), bench_database_url(SMALL_DB)
    setup_django(small_url)

    from django.db import connection

    from audit.models import AuditEntry

    big = f"{args.rows // 1000}k" if args.rows >= 1000 and args.rows % 1000 == 0 else str(args.rows)
    sizes = {"10": (small_url, SMALL_ROWS), big: (big_url, args.rows)}
    for url, count in sizes.values():
        fresh = not (args.reuse and database_exists(url))
        if not fresh:
            switch_database(url)
            fresh = AuditEntry.objects.count() < count
        if fresh:
            print(f"Seeding {count} rows per list into {url.rsplit('/', 1)[1]} ...", flush=True)
            seed(url, count)

    only = {name for name in args.only.split(",") if name}
    size_cases = {label: [c for c in cases(count) if not only or c.list in only]
                  for label, (_url, count) in sizes.items()}
    params: dict[tuple[str, str], dict[str, str]] = {}
    queries: dict[tuple[str, str], list[dict[str, str]]] = {}
    samples: dict[tuple[str, str], list[float]] = {}
    clients: dict[str, Any] = {}
    per_round = max(1, args.repeat // args.rounds)

    # Alternate the sizes round by round so that load from elsewhere on the machine hits both.
    for _ in range(args.rounds):
        for label, (url, count) in sizes.items():
            switch_database(url)
            client = clients.setdefault(label, signed_in_client())
            for case in size_cases[label]:
                key = (label, case.key)
                if key not in params:
                    params[key] = resolve(case, count)
                p = params[key]
                queries[key] = one_request(client, case, p)
                for _ in range(args.warmup):
                    client.get(LISTS[case.list][0], p)
                timing = timed(lambda c=client, u=LISTS[case.list][0], q=p: c.get(u, q), repeat=per_round, warmup=0)
                samples.setdefault(key, []).extend(timing.samples)

    if args.explain:
        switch_database(big_url)
        for case in size_cases[big]:
            explain(clients[big], case, params[(big, case.key)])
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
        table.append([case.key, len(small_q), len(big_q), ms(small_t.median), ms(big_t.median),
                      f"{time_ratio:.2f}x", ms(small_t.p90), ms(big_t.p90), f"{sql_small:.0f}", f"{sql_big:.0f}",
                      verdict])
        results.append({
            "list": case.list, "case": case.label, "params": params[(big, case.key)], "in_target": case.in_target,
            "queries": {"10": len(small_q), big: len(big_q)}, "sql_ms_one_request": {"10": sql_small, big: sql_big},
            "timing": {"10": small_t, big: big_t}, "median_ratio": time_ratio, "meets_target": ok,
            "sql_big": [q["sql"] for q in big_q],
        })
    print_table(
        ["page", "queries 10", f"queries {big}", "median ms 10", f"median ms {big}", "ratio", "p90 ms 10",
         f"p90 ms {big}", "SQL ms 10", f"SQL ms {big}", "target"],
        table,
        title=(f"Lists, {args.rows} rows per table vs {SMALL_ROWS} ({per_round * args.rounds} timed requests each; "
               f"target: same queries, median <= {TARGET_RATIO:g}x)"),
    )
    print("SQL ms: the database time of one request (Django rounds each query to 1 ms).")
    for result in results:
        if result["list"] == "ledger":
            counters = [q for q in queries[(big, f"ledger: {result['case']}")] if "licensing_licencepool" in q["sql"]]
            counters_ms = sum(float(q["time"]) for q in counters) * 1000
            result["licence_counters_sql_ms"] = counters_ms
            print(f"ledger: {result['case']}: the licence counters (one query on the tally the database keeps) "
                  f"took {counters_ms:.0f} of its {result['sql_ms_one_request'][big]:.0f} SQL ms")

    export: dict[str, Any] = {}
    if not only or "audit" in only:
        # One day of the 90 the entries span: 1/90 of them (11,111 at the full size).
        day = (date.today() - timedelta(days=30)).isoformat()
        export = {"all": measure_export(big_url, ""),
                  "one_day": measure_export(big_url, f"date_from={day}&date_to={day}")}
        every, part = export["all"], export["one_day"]
        memory_ratio = every["peak_kb"] / part["peak_kb"]
        export_ok = memory_ratio <= EXPORT_MEMORY_RATIO and every["streaming"] and every["rows"] == args.rows + 1
        passed &= export_ok
        print_table(
            ["audit CSV export", "rows", "MB", "seconds", "rows/s", "RSS before MB", "peak MB", "target"],
            [[name, e["rows"], f"{e['bytes'] / 1e6:.1f}", f"{e['seconds']:.1f}", f"{e['rows'] / e['seconds']:.0f}",
              f"{e['rss_before_kb'] / 1024:.0f}", f"{e['peak_kb'] / 1024:.0f}", ""]
             for name, e in (("one day's entries", part), ("every entry", every))]
            + [["peak ratio", "", "", "", "", "", f"{memory_ratio:.2f}x",
                f"{'ok' if export_ok else 'MISS'} (<= {EXPORT_MEMORY_RATIO:g}x)"]],
            title="Audit CSV export (child process each; peak = VmHWM)",
        )
        export["memory_ratio"], export["meets_target"] = memory_ratio, export_ok

    targets = list_targets(results, big)
    if export:
        targets.append(Target("Audit CSV export memory, every entry vs one day", export["memory_ratio"],
                              EXPORT_MEMORY_RATIO, detail=f"{export['all']['rows']:,} vs {export['one_day']['rows']:,} "
                                                          "rows, peak RSS (streamed)"))
    print_targets(targets)
    path = write_results("lists", {
        "rows": {"10": SMALL_ROWS, big: args.rows}, "target_ratio": TARGET_RATIO, "passed": passed,
        "cases": results, "export": export, "export_memory_ratio_target": EXPORT_MEMORY_RATIO,
    }, targets=targets)
    print(f"\n{'All targets met' if passed else 'Target missed'}; results in {path}")
    sys.exit(0 if passed else 1)


def list_targets(results: list[dict[str, Any]], big: str) -> list[Target]:
    """Per list, its worst target page (first, search or filter, last): the median ratio, and the
    pages whose query count differs between the sizes (the target wants none)."""
    targets = []
    for name in dict.fromkeys(r["list"] for r in results):
        pages = [r for r in results if r["list"] == name and r["in_target"]]
        if not pages:
            continue
        worst = max(pages, key=lambda r: r["median_ratio"])
        uneven = [r["case"] for r in pages if r["queries"]["10"] != r["queries"][big]]
        targets.append(Target(f"List {name} at {big} rows vs 10: median", worst["median_ratio"], TARGET_RATIO,
                              detail=f"worst of {len(pages)} pages: {worst['case']}"))
        targets.append(Target(f"List {name} at {big} rows vs 10: pages with more queries", len(uneven), 0, unit="",
                              detail=", ".join(uneven) or f"{worst['queries'][big]} queries a page"))
    return targets


if __name__ == "__main__":
    main()

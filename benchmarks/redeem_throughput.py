"""Redeem API throughput under concurrent clients, against a one-write baseline (SPEC "Performance").

    .venv/bin/python benchmarks/redeem_throughput.py [--clients 50] [--requests 1200] [--uses 1000]

Serves the app with gunicorn (gthread workers) on a free port against a PostgreSQL benchmark
database (``--database``, default onramp_bench_redeem, recreated), with the rate-limit counters in
Redis (REDIS_URL's server, default redis://127.0.0.1:6379/5: still counted on every request, the
limit raised out of the way) and BENCHMARK_BASELINE_VIEW on. ``--clients`` threads (one keep-alive
http.client connection each) share a fixed number of requests:

- ``GET /healthz`` (a trivial JSON view), for information;
- ``POST /benchmark/one-write`` (benchmarks/baseline_view.py: the same JSON body, one INSERT in one
  committed transaction): **the baseline**;
- ``POST /api/v1/enrollments/redeem``, each request on its own single-use enrollment with its own
  device serial number (many devices, many enrollments: the realistic case). Measured in
  ``--rounds`` rounds alternating with the baseline's, so both see the same machine. Exactness:
  every answer 201, one device and one consumed licence per enrollment, no enrollment left;
- ``POST /api/v1/enrollments/redeem``, all clients at once on one enrollment of ``--uses`` uses
  (each request a different device): every request after the last use answers 410; exactly
  ``--uses`` succeed, with as many devices and consumed licences and no reservation left.

**Target**: redeem (own enrollment each) at least 0.5x the baseline's requests/s, both modes exact.
Prints a table (requests/s, latency percentiles, answers) and the ratios, and writes
benchmarks/results/redeem_throughput-*.json. Exit status 1 when a count is not exact or the
target is missed. gunicorn is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    PROJECT_DIR,
    Target,
    Timing,
    bench_database_url,
    drop_database,
    migrate,
    print_table,
    print_targets,
    recreate_database,
    setup_django,
    write_results,
)

from tests.outside import free_port, wait_for  # noqa: E402

REDEEM = "/api/v1/enrollments/redeem"
BASELINE = "/benchmark/one-write"
TARGET_RATIO = 0.5


@dataclass
class Run:
    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def add(self, other: Run) -> None:
        self.latencies += other.latencies
        self.statuses.update(other.statuses)
        self.seconds += other.seconds

    def pct(self, q: float) -> float:
        """Latency percentile in ms (0 when nothing was measured)."""
        return Timing(self.latencies).percentile(q) * 1000 if self.latencies else 0.0

    def as_dict(self) -> dict[str, object]:
        return {"requests": self.requests, "seconds": self.seconds, "requests_per_s": self.rps,
                "p50_ms": self.pct(0.5), "p95_ms": self.pct(0.95),
                "mean_ms": Timing(self.latencies).mean * 1000 if self.latencies else 0.0,
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())}}


def answers_healthz(port: int, process: subprocess.Popen[bytes]) -> bool:
    if process.poll() is not None:
        raise SystemExit(f"gunicorn exited with {process.returncode}")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False


def drive(name: str, port: int, clients: int, method: str, path: str, bodies: list[bytes | None]) -> Run:
    """``clients`` threads send one request per item of ``bodies`` (in order, each item once); each
    thread keeps one connection open."""
    run = Run(name)
    lock = threading.Lock()
    queue = iter(enumerate(bodies))  # (index, body): a body may be None (a GET)
    start_gate = threading.Barrier(clients + 1)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start_gate.wait()
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                break
            body = item[1]
            headers = {"Content-Type": "application/json", "User-Agent": "redeem-benchmark"} if body else {}
            began = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            elapsed = time.perf_counter() - began
            with lock:
                run.latencies.append(elapsed)
                run.statuses[status] += 1
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=600)
    run.seconds = time.perf_counter() - began
    return run


def redeem_body(token: str, otp: str, serial: str) -> bytes:
    return json.dumps({"token": token, "otp": otp, "device": {
        "platform": "android", "serial_number": serial, "manufacturer": "Bench", "model": "Bench 1",
        "os_version": "14"}}).encode()


def chunks(items: list[bytes | None], count: int) -> list[list[bytes | None]]:
    size = -(-len(items) // count)
    return [items[i:i + size] for i in range(0, len(items), size)]


def start_gunicorn(port: int, workers: int, threads: int) -> tuple[subprocess.Popen[bytes], Path]:
    server_env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR)}
    # Refusals (410 after the last use) are logged by django.request as warnings: keep them out of the table.
    log = Path(tempfile.gettempdir()) / f"redeem_throughput-gunicorn-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads),
             "--keep-alive", "30", "--log-level", "warning"],
            cwd=PROJECT_DIR, env=server_env, stdout=out, stderr=subprocess.STDOUT,
        )
    return process, log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=1200,
                        help="requests to the baseline and to redeem (own enrollment each), and on the shared one")
    parser.add_argument("--uses", type=int, default=1000, help="uses of the shared enrollment (at most --requests)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating baseline / redeem rounds")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database", default="onramp_bench_redeem")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    if args.requests < args.uses:
        raise SystemExit("--requests must be at least --uses")

    url = bench_database_url(args.database)
    recreate_database(url)
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5")
    env = {"CACHE_URL": redis_url, "LOG_LEVEL": "ERROR", "REDEEM_RATE_LIMIT": str(100 * args.requests),
           "REDEEM_RATE_WINDOW": "60", "DATABASE_CONN_MAX_AGE": "60", "BENCHMARK_BASELINE_VIEW": "true"}
    setup_django(url, env=env)
    migrate()

    from django.core.cache import cache
    from django.db import connection

    from audit.actor import Actor
    from benchmarks.baseline_view import TABLE, create_table
    from enrollment.models import Device, PendingEnrollment, Source
    from enrollment.otp import OtpRule
    from enrollment.services import pending_enrollment_create
    from licensing.models import LedgerEntry, LedgerKind
    from licensing.services import licence_counts, licence_total_set

    cache.clear()
    create_table()
    actor = Actor.system("benchmark")
    warmup = 2 * args.clients
    licence_total_set(total=warmup + args.requests + args.uses, actor=actor)
    rule = OtpRule(validity_hours=None)

    def enrollment(username: str, uses: int) -> tuple[str, str]:
        made = pending_enrollment_create(actor=actor, username=username, source=Source.QR, usage_count=uses,
                                         otp_rule=rule)
        return made.enrollment.token, made.otp

    print(f"Seeding {warmup + args.requests} single-use enrollments and one of {args.uses} uses ...", flush=True)
    own = [enrollment(f"own{i}", 1) for i in range(warmup + args.requests)]
    own_bodies: list[bytes | None] = [redeem_body(token, otp, f"OWN{i:06d}") for i, (token, otp) in enumerate(own)]
    shared_token, shared_otp = enrollment("shared", args.uses)
    shared_bodies: list[bytes | None] = [redeem_body(shared_token, shared_otp, f"SHARED{i:06d}")
                                         for i in range(args.requests)]
    baseline_bodies = own_bodies[warmup:]

    port = free_port()
    process, log = start_gunicorn(port, args.workers, args.threads)
    healthz, baseline = Run("GET /healthz"), Run(f"POST {BASELINE} (baseline)")
    redeem_own = Run(f"POST {REDEEM}, own enrollment each")
    try:
        wait_for(lambda: answers_healthz(port, process), timeout=30, what="gunicorn answering /healthz")
        drive("warm-up", port, args.clients, "GET", "/healthz", [None] * 200)
        drive("warm-up", port, args.clients, "POST", BASELINE, baseline_bodies[:warmup])
        drive("warm-up", port, args.clients, "POST", REDEEM, own_bodies[:warmup])
        healthz.add(drive("healthz", port, args.clients, "GET", "/healthz", [None] * args.requests))
        for base_chunk, own_chunk in zip(chunks(baseline_bodies, args.rounds), chunks(own_bodies[warmup:], args.rounds),
                                         strict=True):
            baseline.add(drive("baseline", port, args.clients, "POST", BASELINE, base_chunk))
            redeem_own.add(drive("own", port, args.clients, "POST", REDEEM, own_chunk))
        redeem_shared = drive(f"POST {REDEEM}, all on one ({args.uses} uses)", port, args.clients, "POST", REDEEM,
                              shared_bodies)
    finally:
        process.terminate()
        process.wait(timeout=30)
        print(f"gunicorn log: {log}")

    own_tokens = [token for token, _ in own]
    consumed = LedgerEntry.objects.filter(kind=LedgerKind.CONSUME)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        (written,) = cursor.fetchone()
    checks = {
        "baseline: one row per request": written == warmup + args.requests == baseline.statuses[201] + warmup,
        "own: every answer 201": redeem_own.statuses[201] == redeem_own.requests == args.requests,
        "own: one device per enrollment": Device.objects.filter(enrollment_token__in=own_tokens).count() == len(own),
        "own: one consumed per enrollment": consumed.filter(enrollment_token__in=own_tokens).count() == len(own),
        "own: no enrollment left": not PendingEnrollment.objects.filter(token__in=own_tokens).exists(),
        "shared: successes = uses": redeem_shared.statuses[201] == args.uses,
        "shared: devices = uses": Device.objects.filter(enrollment_token=shared_token).count() == args.uses,
        "shared: consumed = uses": consumed.filter(enrollment_token=shared_token).count() == args.uses,
        "shared: enrollment gone": not PendingEnrollment.objects.filter(token=shared_token).exists(),
        "no reservation left": licence_counts().reserved == 0,
    }
    failed = [name for name, ok in checks.items() if not ok]

    runs = (healthz, baseline, redeem_own, redeem_shared)
    rows = [[r.name, r.requests, f"{r.seconds:.2f}", f"{r.rps:.0f}", f"{r.pct(0.5):.1f}", f"{r.pct(0.95):.1f}",
             f"{r.rps / baseline.rps:.2f}x" if baseline.rps else "n/a",
             " ".join(f"{k}:{v}" for k, v in sorted(r.statuses.items()))] for r in runs]
    print_table(["endpoint", "requests", "s", "req/s", "p50 ms", "p95 ms", "vs baseline", "answers"], rows,
                title=f"Redeem throughput, {args.clients} concurrent clients, gunicorn "
                      f"{args.workers}x{args.threads} gthread, PostgreSQL")
    for name, ok in checks.items():
        print(f"  {'ok      ' if ok else 'MISMATCH'} {name}")
    ratio = redeem_own.rps / baseline.rps if baseline.rps else 0.0
    targets = [
        Target("Redeem API (own enrollment each) vs one-write baseline", ratio, TARGET_RATIO, at_least=True,
               detail=f"{redeem_own.rps:.0f} vs {baseline.rps:.0f} req/s, {args.clients} clients"),
        Target("Redeem exactness (both modes): checks failed", len(failed), 0, unit="",
               detail=", ".join(failed) or f"{len(checks)} checks exact"),
    ]
    print_targets(targets)
    path = write_results("redeem_throughput", {
        "clients": args.clients, "requests_per_endpoint": args.requests, "shared_uses": args.uses,
        "rounds": args.rounds,
        "gunicorn": {"worker_class": "gthread", "workers": args.workers, "threads": args.threads},
        "healthz": healthz.as_dict(), "baseline": baseline.as_dict(), "redeem_own": redeem_own.as_dict(),
        "redeem_shared": redeem_shared.as_dict(), "redeem_own_over_baseline": ratio, "checks": checks,
    }, targets=targets)
    print(f"wrote {path.relative_to(PROJECT_DIR)}")
    if not args.keep_db:
        from django.db import connections

        connections.close_all()
        drop_database(url)
    if failed or not all(t.met for t in targets):
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""Redeem API throughput under concurrent clients, against a trivial JSON view (SPEC "Performance").

    .venv/bin/python benchmarks/redeem_throughput.py [--clients 50] [--uses 1000] [--requests 1200]

Serves the app with gunicorn (gthread workers) on a free port against a PostgreSQL benchmark
database (onramp_bench_redeem, recreated), with the rate-limit counters in Redis (REDIS_URL's
server, default redis://127.0.0.1:6379/5) and the limit raised out of the way. Seeds one pending
enrollment with ``--uses`` uses and as many licences, then drives ``--clients`` threads (one
keep-alive http.client connection each) through a fixed number of requests:

- ``GET /healthz`` (a trivial JSON view in the same server): the baseline;
- ``POST /api/v1/enrollments/redeem`` on that one enrollment, all clients at once: every request
  after the last use answers 410/404, and the run checks that exactly ``--uses`` succeeded, that
  as many devices and consumed licences exist and that no reservation is left.

Prints a table (requests/s, latency percentiles, answers) and the ratio, and writes
benchmarks/results/redeem_throughput-*.json. Stops by itself; gunicorn is stopped at the end.
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
    Timing,
    bench_database_url,
    drop_database,
    migrate,
    print_table,
    recreate_database,
    setup_django,
    write_results,
)

from tests.outside import free_port, wait_for  # noqa: E402

DB_NAME = "onramp_bench_redeem"


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


def drive(name: str, port: int, clients: int, total: int, method: str, path: str,
          body: bytes | None = None) -> Run:
    """``clients`` threads share ``total`` requests; each keeps one connection open."""
    run = Run(name)
    lock = threading.Lock()
    remaining = [total]
    start_gate = threading.Barrier(clients + 1)
    headers = {"Content-Type": "application/json", "User-Agent": "redeem-benchmark"} if body else {}

    def take() -> bool:
        with lock:
            if remaining[0] <= 0:
                return False
            remaining[0] -= 1
            return True

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start_gate.wait()
        while take():
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--uses", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=1200, help="requests per endpoint (more than --uses)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    if args.requests < args.uses:
        raise SystemExit("--requests must be at least --uses")

    url = bench_database_url(DB_NAME)
    recreate_database(url)
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5")
    env = {"CACHE_URL": redis_url, "LOG_LEVEL": "ERROR", "REDEEM_RATE_LIMIT": str(10 * args.requests),
           "REDEEM_RATE_WINDOW": "60", "DATABASE_CONN_MAX_AGE": "60"}
    setup_django(url, env=env)
    migrate()

    from django.core.cache import cache

    from audit.actor import Actor
    from enrollment.models import Device, PendingEnrollment, Source
    from enrollment.otp import OtpRule
    from enrollment.services import pending_enrollment_create
    from licensing.services import licence_counts, licence_total_set

    cache.clear()
    actor = Actor.system("benchmark")
    licence_total_set(total=args.uses, actor=actor)
    made = pending_enrollment_create(actor=actor, username="bench", source=Source.QR, usage_count=args.uses,
                                     otp_rule=OtpRule(validity_hours=None))
    body = json.dumps({"token": made.enrollment.token, "otp": made.otp,
                       "device": {"platform": "android", "model": "Bench", "os_version": "14"}}).encode()

    port = free_port()
    server_env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR)}
    # Refusals (410 after the last use) are logged by django.request as warnings: keep them out of the table.
    server_log = open(os.path.join(tempfile.gettempdir(), f"redeem_throughput-gunicorn-{port}.log"), "wb")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--worker-class", "gthread", "--workers", str(args.workers), "--threads", str(args.threads),
         "--keep-alive", "30", "--log-level", "warning"],
        cwd=PROJECT_DIR, env=server_env, stdout=server_log, stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: answers_healthz(port, process), timeout=30, what="gunicorn answering /healthz")
        drive("warm-up", port, args.clients, 200, "GET", "/healthz")
        baseline = drive("GET /healthz", port, args.clients, args.requests, "GET", "/healthz")
        redeem = drive("POST /api/v1/enrollments/redeem", port, args.clients, args.requests, "POST",
                       "/api/v1/enrollments/redeem", body)
    finally:
        process.terminate()
        process.wait(timeout=30)
        server_log.close()
        print(f"gunicorn log: {server_log.name}")

    counts = licence_counts()
    devices = Device.objects.count()
    left = PendingEnrollment.objects.filter(pk=made.enrollment.pk).exists()
    successes = redeem.statuses[201]
    exact = successes == args.uses == devices == counts.consumed and counts.reserved == 0 and not left
    ratio = baseline.rps / redeem.rps if redeem.rps else float("inf")

    rows = [[r.name, r.requests, f"{r.seconds:.2f}", f"{r.rps:.0f}", f"{r.pct(0.5):.1f}", f"{r.pct(0.95):.1f}",
             " ".join(f"{k}:{v}" for k, v in sorted(r.statuses.items()))] for r in (baseline, redeem)]
    print_table(["endpoint", "requests", "s", "req/s", "p50 ms", "p95 ms", "answers"], rows,
                title=f"Redeem throughput, {args.clients} concurrent clients, gunicorn "
                      f"{args.workers}x{args.threads} gthread, PostgreSQL")
    print(f"\nhealthz / redeem throughput: {ratio:.2f}x")
    print(f"successes {successes} of {args.uses} uses allowed; devices {devices}; consumed {counts.consumed}; "
          f"reserved left {counts.reserved}; enrollment left {left} → {'EXACT' if exact else 'MISMATCH'}")
    path = write_results("redeem_throughput", {
        "clients": args.clients, "uses": args.uses, "requests_per_endpoint": args.requests,
        "gunicorn": {"worker_class": "gthread", "workers": args.workers, "threads": args.threads},
        "healthz": baseline.as_dict(), "redeem": redeem.as_dict(), "healthz_over_redeem": ratio,
        "successes": successes, "devices": devices, "consumed": counts.consumed, "reserved_left": counts.reserved,
        "exact": exact,
    })
    print(f"wrote {path.relative_to(PROJECT_DIR)}")
    if not args.keep_db:
        from django.db import connections

        connections.close_all()
        drop_database(url)
    if not exact:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""Bulk Provision Users: upload to export ready, on PostgreSQL with a real Celery worker (SPEC "Performance").

    .venv/bin/python benchmarks/bulk_provision.py [--sizes 10000,100000] [--email] [--redis redis://127.0.0.1:6379/6]

For each size: a CSV (username, email, mobile with spaces, ownership) is written to disk; a fresh
``celery -A config worker --pool=solo`` process is started and pinged; then the clock runs from
the upload (``bulk_job_upload``, fed 64 KB chunks like the view) through the worker's preview
(polled every 20 ms, as a person's browser would wait for it), the start and the worker's batches
until the job is "Available for download" (export file written). The worker's peak memory is its
VmHWM from /proc. Notifications are off; with ``--email`` the 10,000-row job runs once more with
"Notify users by Email" (the outbox rows written in each batch; their sending is not timed, it
is the notifications benchmark's business) and is compared with the run without.

Baseline, measured in the same run: PostgreSQL ``COPY ... FROM STDIN`` of the very rows the job
created into ``CREATE TABLE ... (LIKE enrollment_pendingenrollment INCLUDING ALL)`` (same columns,
indexes and constraints), median of 3.

Targets: 10k time <= 5x COPY of 10k; 100k time <= 11x the 10k time; worker peak memory at 100k
<= 1.5x that at 10k; with --email, 10k with email <= 1.3x 10k without. Writes
benchmarks/results/bulk_provision-*.json; exit status 0 when all met.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    PROJECT_DIR,
    Target,
    Timing,
    bench_database_url,
    migrate,
    print_table,
    print_targets,
    proc_status_kb,
    ratio,
    recreate_database,
    setup_django,
    time_once,
    write_results,
)

from tests.outside import wait_for  # noqa: E402

DB_NAME = "onramp_bench_bulk"
QUEUE = "bulk-bench"


def write_csv(path: Path, rows: int) -> None:
    owners = ["corporate", "personal", ""]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("username;email;mobile;ownership\r\n")
        for i in range(rows):
            handle.write(f"user{i:06d};user{i}@example.com;+49 171 {1000000 + i};{owners[i % 3]}\r\n")


def start_worker(env: dict[str, str], log: Path, queue: str = QUEUE) -> subprocess.Popen[bytes]:
    """One ``celery worker --pool=solo`` process on ``queue``, answering a ping (notifications.py uses it too)."""
    from config.celery import app

    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue, "-n",
         f"bench-{os.getpid()}-{time.time_ns()}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--loglevel=WARNING"],
        cwd=PROJECT_DIR, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )

    def answers() -> bool:
        if process.poll() is not None:
            raise SystemExit(f"The worker exited; see {log}")
        return bool(app.control.ping(timeout=0.5))

    wait_for(answers, timeout=60, what=f"the worker to answer a ping; see {log}")
    return process


def run_size(rows: int, workdir: Path, worker_env: dict[str, str], actor: Any, *,
             email: bool = False) -> dict[str, Any]:
    from django.db import connection

    from provisioning.bulk.options import BulkOptions
    from provisioning.bulk.upload import bulk_job_start, bulk_job_upload
    from provisioning.models import BulkJob, BulkJobStatus

    source = workdir / f"users-{rows}.csv"
    write_csv(source, rows)
    worker = start_worker(worker_env, workdir / f"worker-{rows}{'-email' if email else ''}.log")
    base_hwm = proc_status_kb("VmHWM", worker.pid)
    try:
        started = time.perf_counter()
        with source.open("rb") as handle:
            chunks = iter(lambda: handle.read(64 * 1024), b"")
            job = bulk_job_upload(actor=actor, file_name=source.name, chunks=chunks,
                                  options=BulkOptions(ownership="corporate", email_user=email))
        upload_done = time.perf_counter()

        def previewed() -> bool:
            job.refresh_from_db()
            if job.status == BulkJobStatus.REFUSED:
                raise SystemExit(f"Job {job.pk} refused: {job.failure_reason}")
            return job.status == BulkJobStatus.PREVIEW

        wait_for(previewed, timeout=3600, what=f"the preview of bulk job {job.pk}")
        preview_done = time.perf_counter()
        bulk_job_start(job=job, actor=actor)

        def finished() -> bool:
            job.refresh_from_db()
            return job.status in (BulkJobStatus.COMPLETED, BulkJobStatus.FAILED)

        wait_for(finished, timeout=3600, what=f"bulk job {job.pk} to finish")
        elapsed = time.perf_counter() - started
        if job.status != BulkJobStatus.COMPLETED:
            raise SystemExit(f"Job {job.pk} failed: {job.failure_reason}")
        hwm = proc_status_kb("VmHWM", worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert job.created_rows == rows and Path(job.export_path).is_file()
    copy_s = copy_baseline(job.pk)
    export_bytes = Path(job.export_path).stat().st_size
    BulkJob.objects.filter(pk=job.pk).update(export_path="")
    Path(job.export_path).unlink(missing_ok=True)
    connection.close()
    return {"rows": rows, "email": email, "seconds": elapsed, "upload_seconds": upload_done - started,
            "preview_seconds": preview_done - started,
            "worker_seconds": elapsed - (preview_done - started), "copy_seconds": copy_s,
            "worker_hwm_kb": hwm, "worker_start_hwm_kb": base_hwm, "export_bytes": export_bytes, "job_id": job.pk}


def copy_baseline(job_id: int, repeat: int = 3) -> float:
    """COPY the job's own rows (exported to memory first) into a table of the same shape."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute("CREATE TABLE bench_copy (LIKE enrollment_pendingenrollment INCLUDING ALL)")
        raw = cursor.connection
        data = bytearray()
        with raw.cursor().copy(
            f"COPY (SELECT * FROM enrollment_pendingenrollment WHERE bulk_job_id = {int(job_id)}) TO STDOUT"
        ) as copy:
            for block in copy:
                data += block

    def copy_in(raw: Any) -> None:
        with raw.transaction(), raw.cursor().copy("COPY bench_copy FROM STDIN") as copy:
            for offset in range(0, len(data), 1 << 20):
                copy.write(bytes(data[offset:offset + (1 << 20)]))

    samples = []
    for _ in range(repeat):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE bench_copy")
            samples.append(time_once(partial(copy_in, cursor.connection)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_copy")
    return Timing(samples).median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6"))
    parser.add_argument("--email", action="store_true", help="also run 10,000 rows with Notify users by Email")
    parser.add_argument("--database", default=DB_NAME)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    url = bench_database_url(args.database)
    recreate_database(url)
    workdir = Path(tempfile.mkdtemp(prefix="onramp-bench-bulk-"))
    setup_django(url, env={"REDIS_URL": args.redis, "PRIVATE_STORAGE_DIR": str(workdir / "private"),
                           "BULK_CELERY_QUEUE": QUEUE, "CACHE_URL": "locmemcache://bench"})
    migrate()

    from django.contrib.auth.models import Group

    from accounts.models import User
    from audit.actor import Actor
    from config.celery import app
    from licensing.services import licence_total_set

    app.control.purge()
    admin = User.objects.create_user("bench-admin", password="x" * 20)
    admin.groups.add(Group.objects.get(name="Administrator"))
    actor = Actor.for_user(admin)
    licence_total_set(total=sum(sizes) + 10_000 * args.email + 10, actor=actor)
    worker_env = {**os.environ, "DATABASE_CONN_MAX_AGE": "0"}

    results = [run_size(rows, workdir, worker_env, actor) for rows in sizes]
    by_rows = {r["rows"]: r for r in results}
    with_email = run_size(10_000, workdir, worker_env, actor, email=True) if args.email else None
    table = [[f"{r['rows']:,}{' +email' if r['email'] else ''}", f"{r['seconds']:.2f}",
              f"{r['preview_seconds']:.2f}", f"{r['worker_seconds']:.2f}",
              f"{r['copy_seconds'] * 1000:.0f}", ratio(r["seconds"], r["copy_seconds"]),
              f"{r['worker_hwm_kb'] / 1024:.0f}"] for r in results + ([with_email] if with_email else [])]
    print_table(["rows", "upload→export s", "preview s", "start→export s", "COPY ms", "vs COPY",
                 "worker peak MB"], table, title="Bulk Provision Users (PostgreSQL, real worker)")
    found: dict[str, Target] = {}
    small, big = by_rows.get(10_000), by_rows.get(100_000)
    if small:
        found["10k_vs_copy"] = Target("Bulk 10,000 rows vs COPY", small["seconds"] / small["copy_seconds"], 5.0,
                                      detail="upload to export ready, real worker")
    if small and big:
        found["100k_vs_10k"] = Target("Bulk 100,000 rows vs 10,000", big["seconds"] / small["seconds"], 11.0,
                                      detail="upload to export ready")
        found["memory_100k_vs_10k"] = Target("Bulk worker peak memory, 100,000 vs 10,000 rows",
                                             big["worker_hwm_kb"] / small["worker_hwm_kb"], 1.5, detail="VmHWM")
    if small and with_email:
        found["10k_email_vs_without"] = Target("Bulk 10,000 rows with email vs without",
                                               with_email["seconds"] / small["seconds"], 1.3, detail="export ready")
    targets = list(found.values())
    checks = {key: {"ratio": t.value, "target": t.limit, "met": t.met} for key, t in found.items()}
    print_targets(targets)
    path = write_results("bulk_provision", {"database": args.database, "results": results,
                                            "with_email": with_email, "checks": checks}, targets=targets)
    print(f"\nWrote {path}")
    return 0 if all(t.met for t in targets) else 1


if __name__ == "__main__":
    raise SystemExit(main())

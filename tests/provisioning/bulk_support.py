"""Helpers for the Bulk Provision tests: CSV files in the encodings people upload, the upload and
the export through the console, and Celery workers as real subprocesses on the test database."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase

from provisioning.models import BulkJob
from tests.outside import wait_for
from tests.redis_and_celery import suite_broker

ROOT = Path(__file__).resolve().parents[2]


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    if bom and encoding == "utf-8":
        data = b"\xef\xbb\xbf" + data
    return data


def excel_unicode_text(rows: list[list[str]]) -> bytes:
    """What Excel writes for "Unicode Text": UTF-16 LE with a BOM, tab-separated."""
    return b"\xff\xfe" + csv_bytes(rows, delimiter="\t").decode().encode("utf-16-le")


def upload(client: Any, data: bytes, *, name: str = "users.csv", **options: Any) -> Any:
    form = {"ownership": "corporate", "otp_content": "digits", "otp_length": 8, "otp_validity_hours": 72,
            **options, "csv_file": SimpleUploadedFile(name, data, content_type="text/csv")}
    return client.post("/devices/pending/bulk/", form)


def uploaded(client: Any, data: bytes | list[list[str]], *, checked: bool = True, **options: Any) -> BulkJob:
    """Upload ``data`` (CSV bytes, or rows written as UTF-8 CSV); the job the preview shows. The
    preview the upload queues runs here, as the (eager) worker would, unless ``checked`` is off."""
    with TestCase.captureOnCommitCallbacks(execute=checked):
        response = upload(client, data if isinstance(data, bytes) else csv_bytes(data), **options)
    assert response.status_code == 302, response.content.decode()[:2000]
    return BulkJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def export_rows(client: Any, job: BulkJob) -> list[list[str]]:
    """The job's export, downloaded through the console: a UTF-8 CSV with a BOM, read back."""
    response = client.get(f"/devices/pending/bulk/{job.pk}/export.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def worker_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError("The worker-process tests need PostgreSQL (DATABASE_URL).")
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class WorkerProcess:
    """``celery -A config worker --pool=solo -Q <queue>`` on the test database and the suite's Redis.

    A standby worker starts on a queue of its own instead and takes the jobs' queue when told to
    (``take_jobs``): its start-up (two seconds and more of a new Python process) overlaps what the test
    does before it, and the jobs still reach no worker until then."""

    def __init__(self, queue: str, log_dir: Path, *, app: Any, standby: bool = False, **env: str) -> None:
        self.queue = queue
        self.app = app
        self.name = f"bulk-{uuid.uuid4().hex[:8]}@onramp-tests"
        self.consumes = f"{queue}-standby" if standby else queue
        self.log_path = log_dir / f"worker-{uuid.uuid4().hex[:8]}.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "ONRAMP_ENV_FILE": "/nonexistent",
            "DATABASE_URL": worker_database_url(),
            "DATABASE_CONN_MAX_AGE": "0",
            "REDIS_URL": settings.TEST_REDIS_URL,
            "CELERY_BROKER_URL": settings.TEST_REDIS_URL,
            "SECRET_KEY": settings.SECRET_KEY,
            "OTP_ENCRYPTION_KEY": ",".join(settings.OTP_ENCRYPTION_KEYS),
            "PRIVATE_STORAGE_DIR": str(settings.PRIVATE_STORAGE_DIR),
            "BULK_CELERY_QUEUE": queue,
            "PHONE_DEFAULT_REGION": settings.PHONE_DEFAULT_REGION,
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", self.consumes,
                 "-n", self.name, "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )
        return self

    def take_jobs(self) -> None:
        """A standby worker, once it answers, consumes the jobs' queue too (Celery's add_consumer)."""
        wait_for(lambda: self.app.control.ping(destination=[self.name], timeout=0.2), timeout=90,
                 what=f"worker {self.name} to answer; log:\n{self.log()}")
        replies = self.app.control.add_consumer(self.queue, destination=[self.name], reply=True, timeout=5)
        assert replies and "ok" in replies[0][self.name], (replies, self.log())

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextlib.contextmanager
def bulk_workers(settings_fixture: Any, tmp_path: Path, **env: str) -> Iterator[Callable[..., WorkerProcess]]:
    """Publish bulk jobs to a fresh queue on the suite's Redis; yields a factory that starts worker
    processes on that queue (``standby=True``: on standby, see WorkerProcess). Every worker is killed
    at the end."""
    queue = f"bulk-test-{uuid.uuid4().hex[:10]}"
    settings_fixture.BULK_CELERY_QUEUE = queue
    started: list[WorkerProcess] = []

    try:
        with suite_broker(settings_fixture) as app:

            def start(*, standby: bool = False) -> WorkerProcess:
                worker = WorkerProcess(queue, tmp_path, app=app, standby=standby, **env).start()
                started.append(worker)
                return worker

            yield start
    finally:
        # The test is over and nothing of the workers is checked after it: kill them rather than wait about
        # a second and a quarter each for a warm shutdown (kombu first waits out the blocking read of the queue).
        for worker in started:
            worker.kill()

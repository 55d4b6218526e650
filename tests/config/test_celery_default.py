"""The embedded default (no REDIS_URL, no CELERY_BROKER_URL) has a real broker in files under var/
and never runs tasks inside the request; only the unit tests' settings run them in-process."""

import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]

READ_CELERY_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from config.celery import app
options = app.conf.broker_transport_options
print(json.dumps({"broker": app.conf.broker_url, "eager": app.conf.task_always_eager,
                  "queue": options.get("data_folder_in"), "out": options.get("data_folder_out"),
                  "beat": app.conf.beat_schedule_filename, "bulk_queue": settings.BULK_CELERY_QUEUE,
                  "worker_queues": sorted(app.amqp.queues.consume_from or app.amqp.queues)}))
"""


def celery_settings(tmp_path: Path, **env: str) -> dict[str, object]:
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", "ONRAMP_ENV_FILE": "/nonexistent",
             "SECRET_KEY": "s" * 50, "OTP_ENCRYPTION_KEY": Fernet.generate_key().decode(),
             "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **env}
    result = subprocess.run([sys.executable, "-c", READ_CELERY_SETTINGS], cwd=ROOT, env=clean, capture_output=True,
                            text=True, timeout=60, check=True)
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_the_embedded_default_queues_tasks_in_files_for_a_worker(tmp_path):
    conf = celery_settings(tmp_path, CELERY_BROKER_FOLDER=str(tmp_path / "celery"))

    assert conf == {"broker": "filesystem://", "eager": False, "queue": str(tmp_path / "celery" / "queue"),
                    "out": str(tmp_path / "celery" / "queue"), "beat": str(tmp_path / "celery" / "beat-schedule"),
                    # Its one worker takes bulk jobs and email batches in turn: a new job never waits behind
                    # the mail of the last one.
                    "bulk_queue": "bulk", "worker_queues": ["bulk", "celery"]}
    assert (tmp_path / "celery" / "queue").is_dir()


def test_with_redis_the_broker_is_redis(tmp_path):
    conf = celery_settings(tmp_path, REDIS_URL="redis://127.0.0.1:6379/3")

    assert conf["broker"] == "redis://127.0.0.1:6379/3"
    assert conf["eager"] is False
    assert conf["bulk_queue"] == "celery"
    assert conf["worker_queues"] == ["celery"]


def test_unit_tests_run_tasks_in_process(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert settings.CELERY_BROKER_URL == "memory://"

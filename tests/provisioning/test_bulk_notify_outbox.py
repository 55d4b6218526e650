"""A bulk job with "Notify users by Email" on a real broker (the embedded default's filesystem
transport): each batch only writes outbox rows in its transaction and publishes their send after
commit, in tasks of NOTIFICATION_SEND_BATCH_SIZE messages; the job never talks SMTP."""

import base64
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from notifications.models import Message, MessageStatus
from provisioning.bulk.run import bulk_job_run
from provisioning.models import BulkJobStatus
from tests.conftest import client_for
from tests.outside import free_port
from tests.provisioning.bulk_support import uploaded
from tests.redis_and_celery import _reset_pools

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def filesystem_broker(folder: Path, settings: Settings) -> Iterator[Path]:
    """The project's Celery app publishing to kombu's filesystem transport in ``folder``, eager off,
    with no worker: whatever is published stays there to be read."""
    from config.celery import app, ensure_broker_folders

    queue = folder / "queue"
    options = {"data_folder_in": str(queue), "data_folder_out": str(queue), "processed_folder": str(folder / "done"),
               "control_folder": str(folder / "control"), "store_processed": False}
    # Saved before the setting changes: the app reads its configuration from Django's settings lazily.
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "broker_transport_options")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(broker_url="filesystem://", task_always_eager=False, broker_transport_options=options)
    ensure_broker_folders()
    _reset_pools(app)
    try:
        yield queue
    finally:
        app.conf.update(saved)
        _reset_pools(app)


def published(queue: Path) -> list[tuple[str, list[Any]]]:
    """(task name, positional arguments) of every message in the queue folder."""
    tasks = []
    for path in sorted(queue.iterdir()):
        message = json.loads(path.read_text())
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        tasks.append((message["headers"]["task"], args))
    return tasks


def test_the_job_writes_the_outbox_and_publishes_batches_without_sending(helpdesk_user, licences, settings,
                                                                         tmp_path):
    settings.BULK_BATCH_SIZE = 50
    settings.NOTIFICATION_SEND_BATCH_SIZE = 20
    # No mail server listens: a send inside the job would fail its messages.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    licences(200)
    client = client_for(helpdesk_user)
    rows = [["username", "email"]] + [[f"user{i:03d}", f"user{i:03d}@example.com"] for i in range(120)]
    job = uploaded(client, rows, email_user="on")

    with filesystem_broker(tmp_path / "broker", settings) as queue:
        assert client.post(f"/devices/pending/bulk/{job.pk}/start/").status_code == 302
        ((task, args),) = published(queue)
        assert (task, args) == ("provisioning.tasks.bulk_job_run", [job.pk])
        for path in queue.iterdir():
            path.unlink()  # the worker took the job

        bulk_job_run(job_id=job.pk)

        tasks = published(queue)
    job.refresh_from_db()
    assert job.status == BulkJobStatus.COMPLETED
    assert job.created_rows == 120
    messages = Message.objects.all()
    assert messages.count() == 120
    assert {(m.status, m.attempts) for m in messages} == {(MessageStatus.QUEUED, 0)}
    # Three batches of rows (50, 50, 20), each published as sends of at most 20 messages.
    assert [name for name, _ in tasks] == ["notifications.tasks.send_messages"] * 7
    batches = [ids for _, (ids,) in tasks]
    assert sorted(len(ids) for ids in batches) == [10, 10, 20, 20, 20, 20, 20]
    assert sorted(i for ids in batches for i in ids) == sorted(messages.values_list("pk", flat=True))

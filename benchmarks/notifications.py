"""Email delivery: queued outbox messages sent by one real Celery worker (SPEC "Performance").

    .venv/bin/python benchmarks/notifications.py [--messages 10000] [--redis redis://127.0.0.1:6379/6]

An SMTP sink (aiosmtpd on 127.0.0.1, answering 250 to every message and counting them) runs in
this process. ``--messages`` email rows are queued in the outbox as a bulk job writes them (sealed
subject and body, one per enrollment) and published as ``send_messages`` batches of
NOTIFICATION_SEND_BATCH_SIZE; the clock runs from the publish until the last row is sent, with one
``celery -A config worker --pool=solo`` process (started and pinged before). Checks: every row is
sent once and the sink received exactly that many messages.

Baseline, in the same run: a plain ``smtplib`` loop sending the same messages over one connection to
the same sink, each built in the loop as Django's mail backend builds it (the same bytes).

Target: the worker's rate at least 0.5x the baseline's. The bulk job with "Notify users by Email"
against the same job without it is measured by ``bulk_provision.py --email``. Writes
benchmarks/results/notifications-*.json; exit status 0 when the target is met.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    Target,
    bench_database_url,
    migrate,
    print_table,
    print_targets,
    recreate_database,
    setup_django,
    write_results,
)
from bulk_provision import start_worker  # noqa: E402

from tests.outside import free_port, wait_for  # noqa: E402

QUEUE = "notify-bench"


class Sink:
    """aiosmtpd handler: accepts every message and counts it (no parsing: the same cost for both sides)."""

    def __init__(self) -> None:
        self.received = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        with self._lock:
            self.received += 1
        return "250 OK"


def queue_messages(count: int) -> list[int]:
    """``count`` email rows as the outbox writes them for a bulk job (one COPY), sealed."""
    from django.db import transaction

    from lib.bulkinsert import insert_rows, new_instances
    from lib.crypto import seal
    from notifications.models import Channel, Message, TemplateKey

    rows = [{"channel": Channel.EMAIL, "template_key": TemplateKey.USER_PROVISIONED,
             "recipient": f"user{i:06d}@example.com", "subject_sealed": seal("A device was provisioned for you"),
             "body_sealed": seal(f"Hello user{i:06d},\n\nyour one-time password is {i:08d}.\n"
                                 f"Open https://onramp.example.com/enroll/tok{i:06d}/ on the device.\n"),
             "username": f"user{i:06d}"} for i in range(count)]
    messages = new_instances(Message, rows)
    with transaction.atomic():
        insert_rows(Message, messages, with_ids=True)
    return [m.pk for m in messages]


def worker_send(ids: list[int], sink: Sink) -> float:
    """Publish ``ids`` as send_messages batches to the running worker; seconds until the sink has
    them all and every row is marked sent."""
    from django.conf import settings

    from notifications.models import Message, MessageStatus
    from notifications.tasks import send_messages

    size = settings.NOTIFICATION_SEND_BATCH_SIZE
    expected = sink.received + len(ids)
    started = time.perf_counter()
    for offset in range(0, len(ids), size):
        send_messages.apply_async(args=[ids[offset:offset + size]], queue=QUEUE)
    wait_for(lambda: sink.received >= expected, timeout=1800, what="every message to reach the sink")
    wait_for(lambda: not Message.objects.filter(pk__in=ids).exclude(status=MessageStatus.SENT).exists(),
             timeout=60, what="every row to be marked sent")
    return time.perf_counter() - started


def smtplib_run(ids: list[int], host: str, port: int) -> float:
    """The same messages (subject, body and recipient as the worker sends them, in hand as plain
    text) sent by a bare loop over one connection: each built as Django's mail backend builds it
    (the same bytes the worker sends), then ``sendmail``. What the worker does on top (claiming
    rows, unsealing, recording each outcome, Celery) is what the ratio measures."""
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django.core.mail.message import make_msgid
    from django.core.mail.utils import DNS_NAME

    from lib.crypto import unseal
    from notifications.models import Message

    in_hand = [(message.recipient, unseal(message.subject_sealed), unseal(message.body_sealed))
               for message in Message.objects.filter(pk__in=ids).order_by("pk").iterator(chunk_size=2000)]
    started = time.perf_counter()
    with smtplib.SMTP(host, port) as connection:
        for recipient, subject, body in in_hand:
            mail = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[recipient],
                                headers={"Message-ID": make_msgid(domain=DNS_NAME)})
            connection.sendmail(settings.DEFAULT_FROM_EMAIL, [recipient], mail.message().as_bytes(linesep="\r\n"))
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6"))
    parser.add_argument("--database", default="onramp_bench_notifications")
    parser.add_argument("--rounds", type=int, default=5, help="alternating baseline / worker rounds")
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    url = bench_database_url(args.database)
    recreate_database(url)
    workdir = Path(tempfile.mkdtemp(prefix="onramp-bench-notify-"))
    smtp_env = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(controller.port), "EMAIL_USE_TLS": "false", "EMAIL_USE_SSL": "false"}
    setup_django(url, env={"REDIS_URL": args.redis, "CACHE_URL": "locmemcache://bench",
                           "PRIVATE_STORAGE_DIR": str(workdir / "private"), **smtp_env})
    migrate()
    from config.celery import app
    from notifications.models import Message, MessageStatus

    baseline_s = worker_s = 0.0
    worker = start_worker(dict(os.environ), workdir / "worker.log", QUEUE)
    try:
        app.control.purge()
        # Rounds alternate the two senders, so load from elsewhere on the machine hits both alike.
        for count in [args.messages // args.rounds] * args.rounds:
            ids = queue_messages(count)
            before = sink.received
            baseline_s += smtplib_run(ids, "127.0.0.1", controller.port)
            if sink.received - before != count:
                raise SystemExit(f"The baseline delivered {sink.received - before} of {count}")
            worker_s += worker_send(ids, sink)
        sent = Message.objects.filter(status=MessageStatus.SENT, attempts=1).count()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        controller.stop()
    total = args.messages // args.rounds * args.rounds
    if not (sent == total and sink.received == 2 * total):
        raise SystemExit(f"Counts differ: {sent} rows sent once, the sink got {sink.received} (expected {2 * total})")
    args.messages = total
    worker_rate, baseline_rate = args.messages / worker_s, args.messages / baseline_s
    print_table(["sender", "messages", "seconds", "messages/s"], [
        ["smtplib loop, one connection", f"{args.messages:,}", f"{baseline_s:.2f}", f"{baseline_rate:.0f}"],
        ["Celery worker (send_messages)", f"{args.messages:,}", f"{worker_s:.2f}", f"{worker_rate:.0f}"],
    ], title="Email delivery to a local SMTP sink")
    targets = [Target("Email delivery vs smtplib loop", worker_rate / baseline_rate, 0.5, at_least=True,
                      detail=f"{args.messages:,} queued emails, one worker: {worker_rate:.0f}/s vs "
                             f"{baseline_rate:.0f}/s")]
    print_targets(targets)
    path = write_results("notifications", {"database": args.database, "messages": args.messages,
                                           "worker_seconds": worker_s, "smtplib_seconds": baseline_s},
                         targets=targets)
    print(f"\nWrote {path}")
    return 0 if all(t.met for t in targets) else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Two expiry runs at once (PostgreSQL, SKIP LOCKED) expire each entry exactly once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from enrollment.expiry import enrollments_expire
from enrollment.models import PendingEnrollment, State
from licensing.models import LedgerEntry, LedgerKind
from licensing.services import licence_counts

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_runs_expire_and_release_each_entry_once(make_pending):
    if connection.vendor != "postgresql":
        pytest.fail("This test needs PostgreSQL: run it with DATABASE_URL=postgres://...")
    for n in range(40):
        make_pending(f"user{n}", usage_count=2)
    PendingEnrollment.objects.update(otp_expires_at=timezone.now() - timedelta(minutes=5))
    barrier = threading.Barrier(3)
    done: list[int] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            done.append(enrollments_expire(batch_size=7))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sum(done) == 40
    assert PendingEnrollment.objects.filter(state=State.EXPIRED).count() == 40
    assert LedgerEntry.objects.filter(kind=LedgerKind.RELEASE).count() == 40
    assert AuditEntry.objects.filter(action=AuditAction.ENROLLMENT_EXPIRED).count() == 40
    assert licence_counts().reserved == 0

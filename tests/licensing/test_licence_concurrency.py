"""The licence invariant under concurrency, on PostgreSQL (row locks). Not in the SQLite smoke run."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import OperationalError, connection, connections, transaction

from audit.actor import Actor
from enrollment.identifiers import DeviceFacts
from enrollment.models import Device, PendingEnrollment, Source
from enrollment.redeem import enrollment_redeem
from enrollment.services import CreatedEnrollment, pending_enrollment_create
from licensing.models import LicencePool
from licensing.services import NoLicenceLeft, licence_counts, licence_reserve, licence_total_set

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
DEADLINE = 30


@pytest.fixture(autouse=True)
def on_postgresql():
    assert connection.vendor == "postgresql", "these tests need PostgreSQL: run them with a postgres DATABASE_URL"


def _in_thread(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``fn`` on its own connection and close it afterwards."""

    def run(*args: Any) -> Any:
        try:
            return fn(*args)
        finally:
            connections.close_all()

    return run


def _create(barrier: threading.Barrier, i: int) -> str:
    barrier.wait(timeout=DEADLINE)
    try:
        pending_enrollment_create(actor=Actor.system("race"), username=f"user{i}", source=Source.SINGLE)
    except NoLicenceLeft as exc:
        return str(exc)
    return "created"


def _redeem(barrier: threading.Barrier | None, made: CreatedEnrollment) -> str:
    """A device redeeming its enrollment (one use, one licence consumed)."""
    if barrier is not None:
        barrier.wait(timeout=DEADLINE)
    result = enrollment_redeem(token=made.enrollment.token, otp=made.otp, device=DeviceFacts(platform="android"),
                               actor=Actor.system("device"))
    return "redeemed" if result.status == 201 else f"{result.status} {result.error}"


def test_forty_concurrent_creations_against_twenty_licences_create_exactly_twenty():
    licence_total_set(total=20, actor=Actor.system("tests"))
    barrier = threading.Barrier(40)
    with ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(_in_thread(_create), [barrier] * 40, range(40)))
    assert results.count("created") == 20
    refusals = [r for r in results if r != "created"]
    assert len(refusals) == 20
    assert all(r.startswith("Not enough device licences: 1 needed, 0 remaining.") for r in refusals)
    counts = licence_counts()
    assert (counts.reserved, counts.consumed, PendingEnrollment.objects.count()) == (20, 0, 20)
    assert counts.reserved + counts.consumed <= counts.total


def test_redemptions_racing_with_creations_keep_reserved_plus_consumed_within_the_total():
    licence_total_set(total=20, actor=Actor.system("tests"))
    redeemable = [
        pending_enrollment_create(actor=Actor.system("tests"), username=f"old{i}", source=Source.SINGLE)
        for i in range(10)
    ]
    barrier = threading.Barrier(30)
    with ThreadPoolExecutor(max_workers=30) as pool:
        creations = [pool.submit(_in_thread(_create), barrier, i) for i in range(20)]
        redemptions = [pool.submit(_in_thread(_redeem), barrier, made) for made in redeemable]
        created = [f.result(timeout=DEADLINE) for f in creations]
        redeemed = [f.result(timeout=DEADLINE) for f in redemptions]
    assert redeemed == ["redeemed"] * 10
    # A redemption moves a licence from reserved to consumed: the 10 left stay 10 left.
    assert created.count("created") == 10
    counts = licence_counts()
    assert (counts.total, counts.reserved, counts.consumed) == (20, 10, 10)
    assert not PendingEnrollment.objects.filter(username__startswith="old").exists()
    assert Device.objects.count() == 10


def test_a_redemption_does_not_wait_for_the_pool_lock_but_a_reservation_does():
    licence_total_set(total=5, actor=Actor.system("tests"))
    made = pending_enrollment_create(actor=Actor.system("tests"), username="alice", source=Source.SINGLE,
                                     usage_count=2)
    locked, release = threading.Event(), threading.Event()

    def hold_the_pool_lock() -> None:
        with transaction.atomic():
            LicencePool.objects.select_for_update().get(id=1)
            locked.set()
            assert release.wait(timeout=DEADLINE)

    def redeem_under_lock_timeout() -> str:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '5s'")
            # Any wait for a lock longer than this fails the redemption instead of queueing it.
            return _redeem(None, made)

    def reserve_under_lock_timeout() -> str:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '200ms'")
                licence_reserve(quantity=1, actor=Actor.system("tests"))
        except OperationalError as exc:
            return f"waited: {exc}"
        return "reserved"

    with ThreadPoolExecutor(max_workers=3) as pool:
        holder = pool.submit(_in_thread(hold_the_pool_lock))
        assert locked.wait(timeout=DEADLINE)
        try:
            redeemed = pool.submit(_in_thread(redeem_under_lock_timeout)).result(timeout=DEADLINE)
            reserved = pool.submit(_in_thread(reserve_under_lock_timeout)).result(timeout=DEADLINE)
        finally:
            release.set()
        holder.result(timeout=DEADLINE)
    assert redeemed == "redeemed"
    assert reserved.startswith("waited: ") and "lock timeout" in reserved
    counts = licence_counts()
    assert (counts.reserved, counts.consumed) == (1, 1)
    assert PendingEnrollment.objects.get().uses_remaining == 1

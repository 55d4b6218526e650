"""End to end on real parts: the cause commits → Redis → a real Celery worker → the receiver, which
verifies every signature. Exactly once, a receiver down for a while, a broker down at commit."""

import logging

import pytest
from django.db import transaction

from tests.outside import free_port, wait_for
from tests.redis_and_celery import celery_broker
from webhooks.delivery import deliveries_requeue_stuck
from webhooks.events import enqueue_after_commit
from webhooks.models import Delivery, DeliveryStatus, Event

pytestmark = pytest.mark.django_db(transaction=True)


def statuses() -> list[str]:
    return list(Delivery.objects.order_by("id").values_list("status", flat=True))


def test_a_real_worker_delivers_an_event_exactly_once_after_commit(celery_worker_real, make_endpoint, receiver,
                                                                   make_pending):
    make_endpoint(events=[Event.ENROLLMENT_CREATED])
    created = make_pending("alice")

    (got,) = receiver.wait_for(1)
    assert got.verified, got.problem
    assert got.payload["data"]["token"] == created.enrollment.token
    wait_for(lambda: statuses() == [DeliveryStatus.DELIVERED], what="the delivery marked delivered")

    # The same delivery published again (a broker redelivery, a sweep at the wrong moment): nothing more.
    delivery = Delivery.objects.get()
    with transaction.atomic():
        enqueue_after_commit([delivery.pk])
        enqueue_after_commit([delivery.pk, delivery.pk])
    make_pending("bob")  # published after those: once it arrives, the worker has handled them
    receiver.wait_for(2)
    wait_for(lambda: statuses() == [DeliveryStatus.DELIVERED] * 2, what="both delivered")
    assert [r.payload["data"]["username"] for r in receiver.received] == ["alice", "bob"]


def test_a_receiver_down_for_a_while_gets_the_event_once_when_it_is_back(celery_worker_real, make_endpoint,
                                                                         receiver, make_pending):
    make_endpoint(events=[Event.ENROLLMENT_CREATED])
    receiver.stop()
    make_pending("alice")
    wait_for(lambda: Delivery.objects.filter(attempts__gte=1, status=DeliveryStatus.QUEUED).exists(),
             what="a first attempt that found nobody")
    assert Delivery.objects.get().error == "Connection refused."

    receiver.start()  # the worker's retry comes WEBHOOK_RETRY_BASE_SECONDS (1 s here) later
    (got,) = receiver.wait_for(1)
    assert got.verified
    wait_for(lambda: statuses() == [DeliveryStatus.DELIVERED], what="the delivery marked delivered")
    delivery = Delivery.objects.get()
    assert delivery.attempts == 2 and delivery.error == ""
    assert len(receiver.received) == 1


def test_with_the_broker_down_the_event_waits_and_the_sweep_delivers_it_once(celery_worker_real, make_endpoint,
                                                                             receiver, make_pending, settings,
                                                                             caplog):
    make_endpoint(events=[Event.ENROLLMENT_CREATED])
    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"), caplog.at_level(logging.ERROR):
        make_pending("alice")  # commits, though nothing can be published
    assert statuses() == [DeliveryStatus.QUEUED]
    assert "the sweep will re-queue them" in caplog.text and receiver.received == []

    # The broker is back (the worker's Redis): Celery beat runs the sweep.
    settings.WEBHOOK_STUCK_SECONDS = 0
    assert deliveries_requeue_stuck() == 1
    receiver.wait_for(1)
    wait_for(lambda: statuses() == [DeliveryStatus.DELIVERED], what="the delivery marked delivered")
    assert deliveries_requeue_stuck() == 0
    assert len(receiver.received) == 1

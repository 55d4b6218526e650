"""Delivering the outbox to a real receiver (tests/webhooks/receiver.py, which checks every signature
with the standardwebhooks verifier), the task's body called directly: signed once, retried with
exponential backoff, failed after 24 hours, a receiver that does not answer, disabled endpoints."""

import json
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from webhooks.delivery import ResendRefused, delivery_resend, retry_backoff, webhook_test_send
from webhooks.events import event_record
from webhooks.models import Delivery, DeliveryStatus, Endpoint, Event
from webhooks.services import endpoint_rotate_secret, endpoint_update
from webhooks.tasks import deliver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unconsumed_broker")]


def one_event(data: dict[str, object] | None = None) -> Delivery:
    event_record(Event.ENROLLMENT_CREATED, data or {"token": "t0k3n", "username": "alice"})
    return Delivery.objects.latest("id")


def due_now(*deliveries: Delivery) -> None:
    """Time passes: the retries are due."""
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(next_attempt_at=timezone.now())


@pytest.mark.smoke
def test_a_delivery_is_posted_once_signed_the_standard_webhooks_way(make_endpoint, receiver):
    make_endpoint(events=[Event.ENROLLMENT_CREATED])
    delivery = one_event()

    assert deliver(delivery_ids=[delivery.pk, delivery.pk]) == 1
    assert deliver(delivery_ids=[delivery.pk]) == 0  # delivered: a second publish sends nothing

    (got,) = receiver.received
    assert got.verified, got.problem
    assert got.webhook_id == f"msg_{delivery.event_id.hex}"
    assert got.headers["webhook-signature"].startswith("v1,") and got.headers["content-type"] == "application/json"
    assert abs(int(got.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 5
    assert got.payload == {"type": "enrollment.created", "timestamp": got.payload["timestamp"],
                           "data": {"token": "t0k3n", "username": "alice"}}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert delivery.response_excerpt == '{"ok": true}' and delivery.delivered_at is not None


def test_a_receiver_answering_500_is_retried_with_exponential_backoff_then_failed_after_24_hours(
        make_endpoint, receiver, settings):
    from tests.webhooks.receiver import Answer

    settings.WEBHOOK_RETRY_BASE_SECONDS, settings.WEBHOOK_RETRY_MAX_SECONDS = 30, 3600  # production's
    receiver.default = Answer(status=500, body=b"Internal Server Error")
    make_endpoint()
    delivery = one_event()
    assert delivery.retry_until - delivery.created_at == timedelta(hours=24)

    gaps = []
    for attempt in range(1, 6):
        assert deliver(delivery_ids=[delivery.pk]) == 0
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.response_code) == ("queued", attempt, 500)
        assert delivery.error == "The receiver answered 500." and delivery.response_excerpt == "Internal Server Error"
        assert delivery.last_attempt_at is not None
        gaps.append((delivery.next_attempt_at - delivery.last_attempt_at).total_seconds())
        assert deliver(delivery_ids=[delivery.pk]) == 0 and len(receiver.received) == attempt  # not due yet
        due_now(delivery)
    assert gaps == [30, 60, 120, 240, 480]

    # Nearly 24 hours later: the next retry (16 minutes away) would be past the deadline.
    Delivery.objects.filter(pk=delivery.pk).update(
        created_at=F("created_at") - timedelta(hours=24) + timedelta(minutes=5),
        retry_until=timezone.now() + timedelta(minutes=5))
    deliver(delivery_ids=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 6)
    assert len(receiver.received) == 6 and all(r.verified for r in receiver.received)
    assert len({r.webhook_id for r in receiver.received}) == 1  # every attempt the same message


def test_the_schedule_is_about_thirty_tries_in_24_hours_at_most_an_hour_apart(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS, settings.WEBHOOK_RETRY_MAX_SECONDS = 30, 3600
    elapsed, attempts, gaps = 0, 1, []
    while elapsed + (gap := retry_backoff(attempts)) <= 24 * 3600:
        elapsed, attempts = elapsed + gap, attempts + 1
        gaps.append(gap)
    assert gaps[:8] == [30, 60, 120, 240, 480, 960, 1920, 3600] and set(gaps[7:]) == {3600}
    assert attempts == 30


def test_a_receiver_that_does_not_answer_is_tried_once_per_batch_and_gets_everything_when_back(
        make_endpoint, receiver):
    make_endpoint()
    deliveries = [one_event({"n": n}) for n in range(3)]
    receiver.stop()

    assert deliver(delivery_ids=[d.pk for d in deliveries]) == 0
    first, *others = [Delivery.objects.get(pk=d.pk) for d in deliveries]
    assert (first.status, first.attempts, first.error) == ("queued", 1, "Connection refused.")
    assert first.response_code is None
    # The others were not tried: no attempt counted, due with the first.
    assert [(d.status, d.attempts) for d in others] == [("queued", 0), ("queued", 0)]
    assert all(abs((d.next_attempt_at - first.next_attempt_at).total_seconds()) < 1 for d in others)

    receiver.start()
    due_now(*deliveries)
    assert deliver(delivery_ids=[d.pk for d in deliveries]) == 3
    assert sorted(r.payload["data"]["n"] for r in receiver.received) == [0, 1, 2]


def test_a_timeout_is_retried_and_the_retry_carries_the_same_webhook_id(make_endpoint, receiver, settings):
    from tests.webhooks.receiver import Answer

    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.answer(Answer(delay=1.0))
    make_endpoint()
    delivery = one_event()

    deliver(delivery_ids=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error) == ("queued", "Timed out: no answer within the timeout.")
    due_now(delivery)
    assert deliver(delivery_ids=[delivery.pk]) == 1
    assert [r.webhook_id for r in receiver.received] == [delivery.webhook_id] * 2


def test_the_answer_kept_is_short_and_masks_what_looks_like_a_secret(make_endpoint, receiver):
    from tests.webhooks.receiver import Answer

    answer = (b'{"error": "denied", "password": "hunter2", "api_key": "k-123"} Authorization: Bearer abc.def '
              b"whsec_c2VjcmV0 " + b"x" * 1000)
    receiver.answer(Answer(status=403, body=answer))
    make_endpoint()
    delivery = one_event()
    deliver(delivery_ids=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.response_code == 403
    for secret in ("hunter2", "k-123", "abc.def", "whsec_c2VjcmV0"):
        assert secret not in delivery.response_excerpt
    assert delivery.response_excerpt.startswith('{"error": "denied", "password": "(hidden)"')
    assert len(delivery.response_excerpt) <= 301


def test_disabling_an_endpoint_stops_its_deliveries(make_endpoint, receiver, admin_user):
    from tests.webhooks.receiver import Answer

    receiver.answer(Answer(status=503))
    endpoint = make_endpoint()
    waiting = one_event()
    deliver(delivery_ids=[waiting.pk])
    claimed_before = one_event()

    endpoint_update(endpoint=endpoint, name="HR", url=endpoint.url, events=endpoint.events, enabled=False,
                    actor=Actor.for_user(admin_user))
    waiting.refresh_from_db()
    assert (waiting.status, waiting.error) == ("failed", "Not sent: the endpoint is disabled.")
    assert event_record(Event.ENROLLMENT_CREATED, {"n": 1}) == 0  # nothing new is written for it

    # A delivery a worker claims just after the endpoint was disabled fails without a request.
    Delivery.objects.filter(pk=claimed_before.pk).update(status=DeliveryStatus.QUEUED, error="")
    due_now(waiting, claimed_before)
    assert deliver(delivery_ids=[waiting.pk, claimed_before.pk]) == 0
    assert Delivery.objects.get(pk=claimed_before.pk).status == DeliveryStatus.FAILED
    assert len(receiver.received) == 1
    with pytest.raises(ResendRefused):
        delivery_resend(delivery=waiting, actor=Actor.for_user(admin_user))


def test_re_send_delivers_the_same_message_again_with_new_retries(make_endpoint, receiver, admin_user):
    from tests.webhooks.receiver import Answer

    receiver.answer(Answer(status=500))
    make_endpoint()
    delivery = one_event()
    Delivery.objects.filter(pk=delivery.pk).update(retry_until=timezone.now())  # its 24 hours are over
    deliver(delivery_ids=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED

    delivery_resend(delivery=delivery, actor=Actor.for_user(admin_user))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("queued", 0)
    assert delivery.retry_until > timezone.now() + timedelta(hours=23)
    with pytest.raises(ResendRefused):
        delivery_resend(delivery=delivery, actor=Actor.for_user(admin_user))  # queued already
    assert deliver(delivery_ids=[delivery.pk]) == 1
    assert [r.webhook_id for r in receiver.received] == [delivery.webhook_id] * 2
    entry = AuditEntry.objects.get(action=AuditAction.WEBHOOK_RESENT)
    assert entry.details["delivery_id"] == delivery.pk and "secret" not in json.dumps(entry.details)


def test_a_test_event_goes_to_that_endpoint_only_and_is_tried_once(make_endpoint, receiver, admin_user):
    from tests.webhooks.receiver import Answer

    hr = make_endpoint(enabled=False)  # a test checks an endpoint before it is enabled
    make_endpoint(path="/other", name="Other")
    sent = webhook_test_send(endpoint=hr, actor=Actor.for_user(admin_user))
    assert deliver(delivery_ids=[sent.pk]) == 1
    (got,) = receiver.received
    assert got.verified and got.path == "/hooks" and got.payload["type"] == "webhook.test"
    assert got.payload["data"]["endpoint"] == "HR"
    assert AuditEntry.objects.filter(action=AuditAction.WEBHOOK_TEST_SENT).count() == 1

    receiver.answer(Answer(status=500))
    failing = webhook_test_send(endpoint=hr, actor=Actor.for_user(admin_user))
    deliver(delivery_ids=[failing.pk])
    failing.refresh_from_db()
    assert (failing.status, failing.attempts, failing.response_code) == ("failed", 1, 500)


def test_after_a_rotation_deliveries_verify_with_the_new_secret_only(make_endpoint, receiver, admin_user):
    endpoint = make_endpoint()
    old_secret = receiver.secrets["/hooks"]
    rotated = endpoint_rotate_secret(endpoint=endpoint, actor=Actor.for_user(admin_user))
    assert rotated.secret != old_secret and rotated.secret.startswith("whsec_")
    deliver(delivery_ids=[one_event().pk])
    receiver.secrets["/hooks"] = rotated.secret
    deliver(delivery_ids=[one_event().pk])
    first, second = receiver.received
    assert not first.verified and first.problem == "No matching signature found"
    assert second.verified
    assert Endpoint.objects.get().secret_sealed != ""
    entry = AuditEntry.objects.filter(action=AuditAction.WEBHOOK_CHANGED).latest("id")
    assert entry.details["change"] == "secret_rotated"
    assert rotated.secret not in json.dumps(entry.details) and old_secret not in json.dumps(entry.details)

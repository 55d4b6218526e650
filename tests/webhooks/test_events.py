"""Every event is written by its service, in the service's transaction: one delivery per enabled
endpoint subscribed to it, published only after commit and only when a row was written. Payloads carry
identifiers, usernames, states and device facts, never an OTP."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.actor import Actor
from enrollment.expiry import enrollments_expire
from enrollment.models import OtpPolicy, PendingEnrollment
from enrollment.services import otp_reset, pending_enrollment_delete, pending_enrollments_delete
from licensing.services import NoLicenceLeft
from webhooks.events import event_record, events_record
from webhooks.models import Delivery, DeliveryStatus, Event

pytestmark = [pytest.mark.django_db]

REDEEM = "/api/v1/enrollments/redeem"
DEVICE = {"platform": "android", "serial_number": "SN-1", "manufacturer": "Google", "model": "Pixel 8",
          "os_version": "14"}


def redeem(token: str, otp: str) -> int:
    body = {"token": token, "otp": otp, "device": DEVICE}
    return Client().post(REDEEM, json.dumps(body), content_type="application/json").status_code


def sent(event: str) -> list[dict[str, Any]]:
    """The bodies queued for ``event``, oldest first."""
    return [json.loads(d.payload) for d in Delivery.objects.filter(event=event).order_by("id")]


@pytest.mark.smoke
def test_a_new_enrollment_queues_one_delivery_per_enabled_endpoint_subscribed_to_it(
        make_pending, make_endpoint, django_capture_on_commit_callbacks):
    hr = make_endpoint(events=[Event.ENROLLMENT_CREATED])
    make_endpoint(events=[Event.DEVICE_ENROLLED], path="/devices", name="ITSM")
    make_endpoint(events=[Event.ENROLLMENT_CREATED], path="/off", name="Off", enabled=False)

    with django_capture_on_commit_callbacks() as published:
        created = make_pending("alice", ownership="corporate", usage_count=2)

    (delivery,) = Delivery.objects.all()
    assert (delivery.endpoint, delivery.event, delivery.status) == (hr, "enrollment.created", DeliveryStatus.QUEUED)
    assert delivery.retry_until - delivery.created_at == timedelta(hours=24)
    body = json.loads(delivery.payload)
    assert body["type"] == "enrollment.created" and body["timestamp"].endswith("Z")
    assert body["data"] == {
        "token": created.enrollment.token, "username": "alice", "user_type": "local", "ownership": "corporate",
        "source": "single", "state": "active", "usage_count": 2, "uses_remaining": 2,
        "otp_expires_at": body["data"]["otp_expires_at"], "created_at": body["data"]["created_at"],
        "bulk_job_id": None, "actor": "ada"}
    assert created.otp not in delivery.payload
    assert len(published) == 1  # the publish, after commit


@pytest.mark.smoke
def test_without_a_subscriber_nothing_is_written_nor_published(make_pending, make_endpoint,
                                                               django_capture_on_commit_callbacks):
    make_endpoint(events=[Event.DEVICE_ENROLLED])
    with django_capture_on_commit_callbacks() as published:
        make_pending("alice")
    assert not Delivery.objects.exists() and published == []


def test_a_rolled_back_cause_writes_no_event(make_pending, make_endpoint, licences,
                                             django_capture_on_commit_callbacks):
    make_endpoint()
    with django_capture_on_commit_callbacks() as published:
        with pytest.raises(RuntimeError), transaction.atomic():
            make_pending("alice")
            assert Delivery.objects.count() == 1  # written in the cause's transaction...
            raise RuntimeError("the change fails after the event was written")
        licences(0)
        with pytest.raises(NoLicenceLeft):
            make_pending("bob")
    assert not Delivery.objects.exists()  # ...and gone with it
    assert published == []


def test_otp_reset_delete_and_delete_many_emit_their_events(make_pending, make_endpoint, admin_user):
    make_endpoint()
    actor = Actor.for_user(admin_user)
    alice, bob, carol = make_pending("alice"), make_pending("bob"), make_pending("carol")

    reset = otp_reset(enrollment=alice.enrollment, actor=actor)
    pending_enrollment_delete(enrollment=alice.enrollment, actor=actor)
    pending_enrollments_delete(ids=[bob.enrollment.pk, carol.enrollment.pk], actor=actor)

    (after_reset,) = sent("enrollment.otp_reset")
    assert after_reset["data"] | {"otp_expires_at": None} == {
        "token": alice.enrollment.token, "username": "alice", "state": "active", "previous_state": "active",
        "otp_expires_at": None, "uses_remaining": 1, "actor": "ada"}
    assert reset.otp not in json.dumps(after_reset) and alice.otp not in json.dumps(after_reset)
    assert sorted((d["data"] for d in sent("enrollment.deleted")), key=lambda data: data["username"]) == [
        {"token": e.enrollment.token, "username": e.enrollment.username, "source": "single", "actor": "ada"}
        for e in (alice, bob, carol)]


def test_expiry_emits_one_expired_event_per_entry(make_pending, make_endpoint):
    make_endpoint(events=[Event.ENROLLMENT_EXPIRED])
    made = [make_pending(name) for name in ("alice", "bob")]
    later = timezone.now() + timedelta(days=30)
    assert enrollments_expire(now=later, batch_size=1) == 2
    assert [(d["data"]["token"], d["data"]["state"]) for d in sent("enrollment.expired")] == [
        (m.enrollment.token, "expired") for m in made]


def test_the_wrong_otp_that_locks_emits_locked_and_the_redemption_device_enrolled(make_pending, make_endpoint):
    make_endpoint(events=[Event.ENROLLMENT_LOCKED, Event.DEVICE_ENROLLED])
    policy = OtpPolicy.load()
    policy.max_attempts = 2
    policy.save()
    locked, enrolled = make_pending("alice"), make_pending("bob", ownership="personal", usage_count=2)

    assert [redeem(locked.enrollment.token, "wrong") for _ in range(2)] == [401, 401]
    assert redeem(enrolled.enrollment.token, enrolled.otp) == 201

    (lock,) = sent("enrollment.locked")
    assert lock["data"]["token"] == locked.enrollment.token and lock["data"]["state"] == "locked"
    assert lock["data"]["failed_attempts"] == 2
    (device,) = sent("device.enrolled")
    assert device["data"] | {"device_id": "", "enrolled_at": ""} == {
        "device_id": "", "username": "bob", "user_type": "local", "ownership": "personal", "platform": "android",
        "serial_number": "SN-1", "imei": "", "manufacturer": "Google", "model": "Pixel 8", "os_version": "14",
        "enrolled_at": "", "source": "single", "enrollment_token": enrolled.enrollment.token, "remaining_uses": 1}


@pytest.mark.smoke
def test_many_events_share_one_read_of_the_subscribers_and_are_built_only_when_someone_listens(make_endpoint):
    def items() -> Any:
        built.append(1)
        yield {"n": 1}

    built: list[int] = []
    with CaptureQueriesContext(connection) as ctx:
        assert events_record(Event.ENROLLMENT_EXPIRED, items()) == 0
    assert built == [] and len(ctx.captured_queries) == 1
    make_endpoint(events=[Event.ENROLLMENT_EXPIRED])
    make_endpoint(events=[Event.ENROLLMENT_EXPIRED], path="/b", name="B")
    assert events_record(Event.ENROLLMENT_EXPIRED, ({"n": n} for n in range(3))) == 6
    ids = {d.event_id for d in Delivery.objects.all()}
    assert len(ids) == 3  # each event has one webhook-id, whichever endpoint it goes to
    assert event_record(Event.ENROLLMENT_EXPIRED, {"n": 9}) == 2


def test_no_payload_ever_carries_an_otp(make_pending, make_endpoint, admin_user):
    """Every event type but the bulk job's (tests/webhooks/test_bulk_events.py), with the OTPs each step made."""
    make_endpoint()
    actor = Actor.for_user(admin_user)
    alice, bob, carol = make_pending("alice"), make_pending("bob"), make_pending("carol")
    otps = [alice.otp, bob.otp, carol.otp, otp_reset(enrollment=alice.enrollment, actor=actor).otp]
    assert redeem(bob.enrollment.token, bob.otp) == 201
    for _ in range(OtpPolicy.load().max_attempts):
        redeem(carol.enrollment.token, "wrong")
    pending_enrollment_delete(enrollment=alice.enrollment, actor=actor)
    make_pending("dave")
    PendingEnrollment.objects.filter(username="dave").update(otp_expires_at=timezone.now() - timedelta(hours=1))
    enrollments_expire()

    assert set(Delivery.objects.values_list("event", flat=True)) == set(Event.values) - {"bulk_job.finished"}
    for delivery in Delivery.objects.all():
        for otp in otps:
            assert otp not in delivery.payload, (delivery.event, otp)
        assert "otp_ciphertext" not in delivery.payload and '"otp"' not in delivery.payload

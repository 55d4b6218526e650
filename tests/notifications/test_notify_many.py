"""notify_enrollments_created_many: bulk jobs queue their messages in one insert and one enqueue."""

import time

import pytest
from django.db import transaction

from accounts.models import User
from audit.actor import Actor
from enrollment.links import activation_link
from enrollment.models import PendingEnrollment, Source
from lib.crypto import seal, unseal
from notifications.models import Channel, Message, TemplateKey
from notifications.outbox import email_queue, notify_enrollments_created_many

pytestmark = pytest.mark.django_db


def bulk_enrollments(count: int, admin_user: User) -> list[tuple[PendingEnrollment, str]]:
    rows = [
        PendingEnrollment(token=f"tok{i:029d}", username=f"user{i}", email=f"user{i}@example.com",
                          mobile=f"+4917100{i:05d}", source=Source.BULK, otp_ciphertext=seal("12345678"),
                          bulk_job_id=1, bulk_row=i, created_by=admin_user)
        for i in range(count)
    ]
    PendingEnrollment.objects.bulk_create(rows)
    return [(row, f"OTP{i:05d}") for i, row in enumerate(rows)]


def test_a_batch_of_1000_is_queued_quickly_with_one_enqueue(admin_user, django_capture_on_commit_callbacks):
    items = bulk_enrollments(1000, admin_user)

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            count = notify_enrollments_created_many(items=items, actor=Actor.for_user(admin_user),
                                                    email_user=True, sms_user=True)
    elapsed = time.monotonic() - started

    assert count == 2000
    assert Message.objects.count() == 2000
    assert len(callbacks) == 1
    assert elapsed < 10, f"queueing 1,000 enrollments took {elapsed:.1f}s"


def test_each_user_gets_their_own_otp_and_link_and_no_admin_mail(admin_user):
    items = bulk_enrollments(3, admin_user)

    notify_enrollments_created_many(items=items, actor=Actor.for_user(admin_user), email_user=True, sms_user=False)

    assert not Message.objects.filter(template_key=TemplateKey.ADMIN_PROVISIONED).exists()
    for enrollment, otp in items:
        (message,) = Message.objects.filter(enrollment=enrollment)
        assert message.recipient == enrollment.email
        body = unseal(message.body_sealed)
        assert otp in body
        assert activation_link(enrollment.token) in body


def test_an_admin_summary_can_be_asked_for(admin_user):
    items = bulk_enrollments(2, admin_user)

    notify_enrollments_created_many(items=items, actor=Actor.for_user(admin_user), email_user=False,
                                    sms_user=True, notify_admins=True)

    summary = Message.objects.get(recipient="ada@onramp.test")
    assert unseal(summary.subject_sealed) == "2 devices were provisioned by ada"
    assert "OTP0000" not in unseal(summary.body_sealed)
    assert Message.objects.filter(channel=Channel.SMS).count() == 2


def test_an_empty_batch_queues_nothing(admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert notify_enrollments_created_many(items=[], actor=Actor.for_user(admin_user)) == 0
    assert callbacks == []


def test_a_ready_made_email_is_queued_and_sent(admin_user, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(to="someone@example.com", subject="Your QR code", body="Scan it.",
                    actor=Actor.for_user(admin_user))

    (received,) = smtp.wait_for(1)
    assert received.subject == "Your QR code"
    assert received.body.strip() == "Scan it."

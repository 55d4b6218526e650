"""End to end on real parts: commit → Redis → a real Celery worker → SMTP server and Twilio fake;
and "nothing lost" when the broker is down."""

import logging

import pytest
from django.urls import reverse

from enrollment.links import activation_link
from notifications.delivery import messages_requeue_stuck
from notifications.models import Message, MessageStatus
from tests.conftest import client_for
from tests.outside import free_port, wait_for
from tests.redis_and_celery import celery_broker

pytestmark = pytest.mark.django_db(transaction=True)


def all_sent() -> bool:
    statuses = list(Message.objects.values_list("status", flat=True))
    return bool(statuses) and all(s == MessageStatus.SENT for s in statuses)


def test_a_real_worker_sends_the_emails_and_the_sms_after_commit(
    celery_worker_real, smtp, twilio, sender_label, provision_eve
):
    created, _ = provision_eve()

    received = smtp.wait_for(2)
    (sms,) = twilio.wait_for(1)
    assert sorted(r.rcpt_tos[0] for r in received) == ["ada@onramp.test", "eve@example.com"]
    (user_mail,) = smtp.to("eve@example.com")
    assert created.otp in user_mail.body
    assert activation_link(created.enrollment.token) in user_mail.body
    assert sms.to == "+491712345678"
    assert sms.from_ == "Onramp"
    assert activation_link(created.enrollment.token) in sms.body
    wait_for(all_sent, what="every message marked sent")


def test_with_the_broker_down_provisioning_commits_and_the_sweep_sends_exactly_once_later(
    celery_worker_real, smtp, provision_eve, settings, caplog
):
    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"), caplog.at_level(logging.ERROR):
        provision_eve(notify_admins=False, sms_user=False)

    message = Message.objects.get()
    assert message.status == MessageStatus.QUEUED
    assert "the sweep will re-queue them" in caplog.text
    assert smtp.messages == []

    # The broker is back (the worker's Redis). Celery beat runs the sweep.
    settings.NOTIFICATION_STUCK_SECONDS = 0
    assert messages_requeue_stuck() == 1
    smtp.wait_for(1)
    wait_for(all_sent, what="the message marked sent")
    assert messages_requeue_stuck() == 0

    assert len(smtp.messages) == 1
    assert smtp.messages[0].rcpt_tos == ["eve@example.com"]


def test_a_re_send_request_succeeds_while_the_broker_is_down(provision_eve, admin_user, caplog):
    provision_eve(notify_admins=False, sms_user=False)
    message = Message.objects.get()
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, error="down")

    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"), caplog.at_level(logging.ERROR):
        response = client_for(admin_user).post(reverse("notifications:message_resend", args=[message.pk]))

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert "Could not publish" in caplog.text

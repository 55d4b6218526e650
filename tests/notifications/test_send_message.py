"""send_message delivers through the real SMTP client and the real twilio client, at most once."""

import pytest

from audit.actor import Actor
from enrollment.links import activation_link
from notifications.models import Channel, Message, MessageStatus
from notifications.outbox import notify_enrollment_created
from notifications.tasks import send_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(provision_eve):
    """A provisioned enrollment with its three messages queued (not yet sent)."""
    created, _ = provision_eve()
    return created


def test_the_user_email_reaches_the_smtp_server(queued, smtp):
    message = Message.objects.get(recipient="eve@example.com")

    assert send_message.delay(message.pk).get() == "sent"

    (received,) = smtp.wait_for(1)
    assert received.rcpt_tos == ["eve@example.com"]
    assert received.subject == "An Administrator has provisioned a device on your behalf"
    assert received.mail_from == "onramp@onramp.test"
    assert queued.otp in received.body
    assert activation_link(queued.enrollment.token) in received.body
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.sent_at is not None
    assert message.attempts == 1


def test_the_admin_email_reaches_the_smtp_server(queued, smtp):
    message = Message.objects.get(recipient="ada@onramp.test")

    send_message.delay(message.pk)

    (received,) = smtp.wait_for(1)
    assert received.rcpt_tos == ["ada@onramp.test"]
    assert "eve" in received.subject
    assert "ada has provisioned a device on behalf of eve" in received.body


def test_the_sms_reaches_twilio_from_the_sender_label(queued, twilio, sender_label):
    message = Message.objects.get(channel=Channel.SMS)

    assert send_message.delay(message.pk).get() == "sent"

    (sms,) = twilio.wait_for(1)
    assert sms.from_ == "Onramp"
    assert sms.to == "+491712345678"
    assert activation_link(queued.enrollment.token) in sms.body
    assert queued.otp in sms.body
    assert sms.auth == (twilio_sid(), "test-auth-token")
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider_id == sms.sid


def twilio_sid() -> str:
    from tests.outside import TWILIO_TEST_SID

    return TWILIO_TEST_SID


def test_a_message_is_never_sent_twice(queued, smtp):
    message = Message.objects.get(recipient="eve@example.com")

    assert send_message.delay(message.pk).get() == "sent"
    assert send_message.delay(message.pk).get() == "skipped"

    assert len(smtp.messages) == 1


def test_a_refused_sms_is_retried_then_failed_with_the_error(queued, twilio, sender_label, settings):
    settings.NOTIFICATION_MAX_RETRIES = 2
    twilio.fail("+491712345678", code=21211, message="The 'To' number +491712345678 is not valid.")
    message = Message.objects.get(channel=Channel.SMS)

    send_message.delay(message.pk)  # eager: the retries run at once

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 3
    assert "is not valid" in message.error
    assert "21211" in message.error
    assert twilio.requests == 3
    assert twilio.messages == []


def test_an_unreachable_mail_server_is_retried_then_failed(queued, settings):
    from tests.outside import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    message = Message.objects.get(recipient="eve@example.com")

    send_message.delay(message.pk)

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == settings.NOTIFICATION_MAX_RETRIES + 1
    assert "Connection refused" in message.error


def test_a_failure_then_success_ends_sent(queued, twilio, sender_label):
    from notifications.delivery import message_claim, message_record_failure

    message = Message.objects.get(channel=Channel.SMS)
    assert message_claim(message_id=message.pk)
    Message.objects.filter(pk=message.pk).update(attempts=1)
    countdown = message_record_failure(message_id=message.pk, error="Twilio was down")
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert countdown == 30
    assert message.queued_at > message.created_at

    send_message.delay(message.pk)

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert message.error == ""


def test_the_backoff_doubles_with_each_attempt(queued, settings):
    from notifications.delivery import message_claim, message_record_failure

    settings.NOTIFICATION_RETRY_BASE_SECONDS = 10
    message = Message.objects.get(channel=Channel.SMS)
    countdowns = []
    for attempt in range(1, 5):
        assert message_claim(message_id=message.pk)
        Message.objects.filter(pk=message.pk).update(attempts=attempt)
        countdowns.append(message_record_failure(message_id=message.pk, error="down"))
    assert countdowns == [10, 20, 40, 80]


def test_sms_without_twilio_credentials_fails_with_a_clear_error(queued, settings, sender_label):
    settings.TWILIO_ACCOUNT_SID = ""
    settings.TWILIO_AUTH_TOKEN = ""
    message = Message.objects.get(channel=Channel.SMS)

    send_message.delay(message.pk)

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.error.startswith("SMS is not configured")


def test_an_attachment_reaches_the_smtp_server(make_pending, admin_user, smtp, django_capture_on_commit_callbacks):
    from notifications.outbox import Attachment

    created = make_pending("eve", email="eve@example.com")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    with django_capture_on_commit_callbacks(execute=True):
        notify_enrollment_created(
            enrollment=created.enrollment, otp=created.otp, actor=Actor.for_user(admin_user), notify_admins=False,
            attachments=[Attachment(filename="android-enrollment-qr.png", content=png, mimetype="image/png")],
        )

    (received,) = smtp.wait_for(1)
    assert received.attachments == [("android-enrollment-qr.png", "image/png", png)]
    assert created.otp in received.body


def test_the_delivery_settings_are_checked_at_start(settings):
    from notifications.apps import check_delivery_settings

    assert check_delivery_settings() == []
    settings.NOTIFICATION_SENDING_TIMEOUT_SECONDS = 60
    assert [e.id for e in check_delivery_settings()] == ["notifications.E001"]


def test_an_sms_without_twilio_settings_fails_at_once_with_the_reason(queued, settings, sender_label):
    settings.TWILIO_ACCOUNT_SID = ""
    message = Message.objects.get(channel=Channel.SMS)

    assert send_message.delay(message.pk).get() == "failed"

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 1
    assert "SMS is not configured" in message.error

"""notify_enrollment_created writes the outbox rows in the caller's transaction and sends after commit."""

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import User
from enrollment.links import activation_link
from lib.crypto import unseal
from notifications.models import Channel, Message, MessageStatus, TemplateKey
from notifications.outbox import Attachment

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_it_writes_one_row_per_admin_with_alerts_the_user_email_and_the_sms(provision_eve, cast):
    User.objects.create_user(username="quiet", email="quiet@onramp.test", receive_email_alerts=False)
    User.objects.create_user(username="gone", email="gone@onramp.test", receive_email_alerts=True, is_active=False)

    created, messages = provision_eve()

    rows = {(m.channel, m.template_key, m.recipient) for m in Message.objects.all()}
    assert rows == {
        (Channel.EMAIL, TemplateKey.ADMIN_PROVISIONED, "ada@onramp.test"),
        (Channel.EMAIL, TemplateKey.USER_PROVISIONED, "eve@example.com"),
        (Channel.SMS, TemplateKey.ENROLLMENT_SMS, "+491712345678"),
    }
    assert len(messages) == 3
    assert all(m.status == MessageStatus.QUEUED and m.username == "eve" for m in Message.objects.all())


def test_the_user_email_carries_the_otp_and_the_activation_link(provision_eve):
    created, _ = provision_eve()

    message = Message.objects.get(template_key=TemplateKey.USER_PROVISIONED)
    assert unseal(message.subject_sealed) == "An Administrator has provisioned a device on your behalf"
    body = unseal(message.body_sealed)
    assert created.otp in body
    assert activation_link(created.enrollment.token) in body
    expires = created.enrollment.otp_expires_at
    assert f"It expires: {expires.day} {expires:%b %Y, %H:%M} UTC" in body


def test_the_sms_carries_the_activation_link(provision_eve):
    created, _ = provision_eve()

    sms = Message.objects.get(channel=Channel.SMS)
    assert activation_link(created.enrollment.token) in unseal(sms.body_sealed)


def test_subject_and_body_are_not_stored_in_plain_text(provision_eve):
    created, _ = provision_eve()

    for message in Message.objects.all():
        assert created.otp not in message.body_sealed
        assert "eve" not in message.subject_sealed
        assert created.otp in unseal(message.body_sealed) or message.template_key == TemplateKey.ADMIN_PROVISIONED


def test_the_admin_mail_does_not_carry_the_otp(provision_eve):
    created, _ = provision_eve()

    admin_mail = Message.objects.get(template_key=TemplateKey.ADMIN_PROVISIONED)
    assert created.otp not in unseal(admin_mail.body_sealed)
    assert "ada" in unseal(admin_mail.body_sealed)


def test_flags_leave_out_admins_user_email_and_sms(provision_eve):
    provision_eve(notify_admins=False, email_user=False, sms_user=False)

    assert not Message.objects.exists()


def test_an_alternative_email_gets_the_user_email_too(provision_eve):
    provision_eve(notify_admins=False, sms_user=False, alternative_email="eve.private@example.org")

    assert sorted(Message.objects.values_list("recipient", flat=True)) == ["eve.private@example.org", "eve@example.com"]


def test_rolling_back_the_transaction_leaves_no_rows_and_sends_nothing(
    provision_eve, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            provision_eve()
            assert Message.objects.count() == 3
            raise RuntimeError("the provisioning failed later")

    assert not Message.objects.exists()
    assert callbacks == []
    assert mail.outbox == []


def test_sending_waits_for_the_commit(provision_eve, django_capture_on_commit_callbacks, settings):
    settings.TWILIO_ACCOUNT_SID = ""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            provision_eve()
    assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()

    assert sorted(m.to[0] for m in mail.outbox) == ["ada@onramp.test", "eve@example.com"]
    assert Message.objects.filter(channel=Channel.EMAIL, status=MessageStatus.SENT).count() == 2


def test_an_attachment_is_sent_with_the_user_email(provision_eve, django_capture_on_commit_callbacks):
    png = b"\x89PNG\r\n\x1a\nfake"
    with django_capture_on_commit_callbacks(execute=True):
        provision_eve(notify_admins=False, sms_user=False,
               attachments=[Attachment(filename="enroll.png", content=png, mimetype="image/png")])

    (sent,) = mail.outbox
    assert sent.attachments[0][0] == "enroll.png"
    assert sent.attachments[0][1] == png

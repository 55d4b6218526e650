"""Reset OTP with re-send (/devices/pending/<token>/reset/): the confirm page offers to send the new
OTP by email and SMS (checked when the user has an address or a mobile), the messages go through the
outbox, and an Automatic QR code is rebuilt with the new OTP and attached."""

import base64
import json

import pytest

from enrollment.models import PendingEnrollment
from enrollment.otp import otp_matches
from lib.crypto import unseal
from notifications.models import Channel, Message, TemplateKey
from provisioning.models import QrProvisioning
from provisioning.qr import images
from provisioning.qr.payload import ADMIN_EXTRAS_BUNDLE, EXTRA_OTP
from tests.conftest import client_for
from tests.provisioning.test_qr_manage import make_qr  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def reset_url(token: str) -> str:
    return f"/devices/pending/{token}/reset/"


def unsealed(message: Message) -> tuple[str, str]:
    return unseal(message.subject_sealed) if message.subject_sealed else "", unseal(message.body_sealed)


def test_the_confirm_page_offers_email_and_sms_checked_when_the_user_has_both(make_pending, helpdesk_user):
    token = make_pending("eve", email="eve@example.com", mobile="+491712345678").enrollment.token
    html = client_for(helpdesk_user).get(reset_url(token)).content.decode()
    assert "Send the new OTP to the user by email" in html and "Send the new OTP to the user by SMS" in html
    assert html.count('checked') == 2


def test_the_confirm_page_offers_only_what_the_user_has(make_pending, helpdesk_user):
    token = make_pending("eve", email="", mobile="").enrollment.token
    html = client_for(helpdesk_user).get(reset_url(token)).content.decode()
    assert "by email" not in html and "by SMS" not in html
    assert "can only be passed on by hand" in html


def test_a_reset_with_re_send_queues_the_new_otp_by_email_and_sms(make_pending, helpdesk_user):
    made = make_pending("eve", email="eve@example.com", mobile="+491712345678")
    response = client_for(helpdesk_user).post(reset_url(made.enrollment.token), {"email": "on", "sms": "on"})

    assert response.status_code == 302
    enrollment = PendingEnrollment.objects.get()
    email, sms = Message.objects.get(channel=Channel.EMAIL), Message.objects.get(channel=Channel.SMS)
    (new_otp,) = {part for part in unsealed(email)[1].split() if otp_matches(enrollment.otp_ciphertext, part)}
    assert not otp_matches(enrollment.otp_ciphertext, made.otp)
    assert (email.recipient, email.template_key) == ("eve@example.com", TemplateKey.OTP_RESET)
    assert "new one-time password" in unsealed(email)[1]
    assert (sms.recipient, new_otp in unsealed(sms)[1]) == ("+491712345678", True)


def test_a_reset_without_re_send_queues_nothing(make_pending, helpdesk_user):
    made = make_pending("eve", email="eve@example.com", mobile="+491712345678")
    client_for(helpdesk_user).post(reset_url(made.enrollment.token), {})
    assert not Message.objects.exists()
    assert not otp_matches(PendingEnrollment.objects.get().otp_ciphertext, made.otp)


def test_an_automatic_qr_code_is_rebuilt_with_the_new_otp_and_attached_to_the_re_sent_email(
    make_qr, admin_user, end_user  # noqa: F811 - the fixture
):
    qr = make_qr()
    Message.objects.all().delete()
    client = client_for(admin_user)

    response = client.post(reset_url(qr.enrollment_token), {"email": "on"})

    assert response.status_code == 302
    enrollment = PendingEnrollment.objects.get()
    renewed = QrProvisioning.objects.get()
    payload = json.loads(unseal(renewed.payload_sealed))
    assert otp_matches(enrollment.otp_ciphertext, payload[ADMIN_EXTRAS_BUNDLE][EXTRA_OTP])
    assert renewed.otp_expires_at == enrollment.otp_expires_at
    detail = client.get(f"/devices/pending/qr/{renewed.pk}/").content.decode()
    assert "this QR code no longer works" not in detail
    served = client.get(f"/devices/pending/qr/{renewed.pk}/qr.png").content
    assert images.decode_png(served) == [unseal(renewed.payload_sealed)]
    (email,) = Message.objects.all()
    assert (email.recipient, email.template_key) == ("eve@example.com", TemplateKey.QR_USER)
    (attachment,) = json.loads(unseal(email.attachments_sealed))
    assert images.decode_png(base64.b64decode(attachment["content"])) == [unseal(renewed.payload_sealed)]

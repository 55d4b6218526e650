"""Delivery log: an Administrator opens a message (subject and body, OTPs masked, audited); nobody else may."""

import pytest
from django.db import transaction
from django.urls import reverse

from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from enrollment.services import otp_reset
from notifications.message_body import OTP_MASK, mask_otps
from notifications.models import Message, MessageStatus, MessageTemplate, TemplateKey
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def detail(message: Message) -> str:
    return reverse("notifications:message_detail", args=[message.pk])


def test_an_administrator_opens_an_sms_with_its_otp_masked_and_it_is_audited(provision_eve, admin_user):
    created, _ = provision_eve()
    sms = Message.objects.get(channel="sms")
    Message.objects.filter(pk=sms.pk).update(status=MessageStatus.FAILED, attempts=6,
                                             error="Twilio refused the SMS: invalid number (code 21211)")

    response = client_for(admin_user).get(detail(sms))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1>") == 1
    assert "+491712345678" in html and "Enrollment SMS" in html and "Failed" in html
    assert '<dd data-testid="attempts">6</dd>' in html
    assert "invalid number (code 21211)" in html
    assert f"One-time password: {OTP_MASK}" in html
    assert created.enrollment.token in html  # the activation link is there, only the OTP is hidden
    assert created.otp not in html
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditAction.MESSAGE_BODY_VIEWED)
    assert entry.actor == admin_user
    assert entry.target_username == "eve"
    assert entry.enrollment_token == created.enrollment.token
    assert entry.details == {"message_id": sms.pk, "channel": "sms", "recipient": "+491712345678"}


def test_the_user_email_shows_subject_and_body_without_the_otp(provision_eve, admin_user):
    created, _ = provision_eve()
    email = Message.objects.get(channel="email", recipient="eve@example.com")

    html = client_for(admin_user).get(detail(email)).content.decode()

    assert "An Administrator has provisioned a device on your behalf" in html
    assert "Hello eve," in html
    assert f"Your one-time password: {OTP_MASK}" in html
    assert created.otp not in html


def test_the_current_otp_is_masked_wherever_an_edited_template_puts_it(provision_eve, admin_user):
    MessageTemplate.objects.filter(key=TemplateKey.ENROLLMENT_SMS).update(
        body="Code{{ otp }} for {{ activation_url }}")
    created, _ = provision_eve()

    html = client_for(admin_user).get(detail(Message.objects.get(channel="sms"))).content.decode()

    assert f"Code{OTP_MASK} for" in html
    assert created.otp not in html


def test_an_otp_from_before_a_reset_is_masked_by_its_label(provision_eve, admin_user):
    created, _ = provision_eve()
    with transaction.atomic():
        otp_reset(enrollment=created.enrollment, actor=Actor.for_user(admin_user))
    first_sms = Message.objects.filter(channel="sms").order_by("id").first()
    assert first_sms is not None

    html = client_for(admin_user).get(detail(first_sms)).content.decode()

    assert created.otp not in html
    assert f"One-time password: {OTP_MASK}" in html


@pytest.mark.parametrize("role", ["super_helpdesk", "helpdesk", "outsider"])
def test_nobody_but_an_administrator_opens_a_message(provision_eve, cast, role):
    provision_eve()
    sms = Message.objects.get(channel="sms")

    response = client_for(cast[role]).get(detail(sms))

    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.MESSAGE_BODY_VIEWED).exists()


def test_the_403_page_names_the_missing_permission_and_the_role_that_has_it(provision_eve, super_helpdesk_user):
    provision_eve()

    html = client_for(super_helpdesk_user).get(detail(Message.objects.get(channel="sms"))).content.decode()

    assert "Can open a message&#x27;s subject and body (OTPs masked)" in html
    assert "Administrator" in html


def test_the_log_links_each_message_for_administrators_only(provision_eve, admin_user, super_helpdesk_user):
    provision_eve()
    sms = Message.objects.get(channel="sms")
    log = reverse("notifications:message_list")

    assert f'href="{detail(sms)}?channel=sms"' in client_for(admin_user).get(log, {"channel": "sms"}).content.decode()
    assert f'href="{detail(sms)}' not in client_for(super_helpdesk_user).get(log).content.decode()


def test_a_missing_message_is_404(admin_user):
    assert client_for(admin_user).get(reverse("notifications:message_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize(("text", "masked"), [
    ("One-time password: 12345678", f"One-time password: {OTP_MASK}"),
    ("Your OTP: aB3dE", f"Your OTP: {OTP_MASK}"),
    ("Einmalpasswort: 4711 gilt", f"Einmalpasswort: {OTP_MASK} gilt"),
    ("Mot de passe à usage unique : K7P3", f"Mot de passe à usage unique : {OTP_MASK}"),
    ("OTP expires: 24 Nov 2026, 09:00 UTC", "OTP expires: 24 Nov 2026, 09:00 UTC"),
    ("Token: abc", "Token: abc"),
])
def test_labelled_otp_values_are_masked_and_nothing_else(text, masked):
    assert mask_otps(text, otp=None) == masked

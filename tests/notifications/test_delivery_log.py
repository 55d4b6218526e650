"""Delivery log: Administrators and Super Helpdesk see messages and re-send failed ones; Helpdesk does neither."""

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from notifications.models import Message, MessageStatus
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

LOG = reverse("notifications:message_list")


@pytest.fixture
def messages(provision_eve):
    created, _ = provision_eve()
    Message.objects.filter(channel="sms").update(status=MessageStatus.FAILED, attempts=6,
                                                 error="Twilio refused the SMS: invalid number (code 21211)")
    return created


def test_the_log_lists_messages_with_status_attempts_and_error(messages, admin_user):
    response = client_for(admin_user).get(LOG)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1>") == 1
    assert "eve@example.com" in html
    assert "+491712345678" in html
    assert "invalid number (code 21211)" in html
    assert "Re-send" in html
    assert messages.otp not in html


def test_the_log_filters_by_status_channel_and_search(messages, admin_user):
    client = client_for(admin_user)

    failed = client.get(LOG, {"status": "failed"}).content.decode()
    assert "+491712345678" in failed and "eve@example.com" not in failed
    emails = client.get(LOG, {"channel": "email"}).content.decode()
    assert "eve@example.com" in emails and "+491712345678" not in emails
    search = client.get(LOG, {"q": "ada@"}).content.decode()
    assert "ada@onramp.test" in search and "eve@example.com" not in search


def test_super_helpdesk_sees_the_log_with_re_send(messages, super_helpdesk_user):
    response = client_for(super_helpdesk_user).get(LOG)

    assert response.status_code == 200
    assert "Re-send" in response.content.decode()


def test_re_send_queues_a_failed_message_again_sends_it_and_audits(
    messages, admin_user, twilio, sender_label, django_capture_on_commit_callbacks
):
    sms = Message.objects.get(channel="sms")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(reverse("notifications:message_resend", args=[sms.pk]))

    assert response.status_code == 302
    (received,) = twilio.wait_for(1)
    assert received.to == "+491712345678"
    sms.refresh_from_db()
    assert sms.status == MessageStatus.SENT
    assert sms.attempts == 1
    entry = AuditEntry.objects.get(action=AuditAction.MESSAGE_RESENT)
    assert entry.actor == admin_user
    assert entry.target_username == "eve"
    assert entry.enrollment_token == messages.enrollment.token
    assert entry.details["message_id"] == sms.pk


def test_re_send_of_a_message_that_did_not_fail_is_refused(messages, admin_user):
    queued = Message.objects.filter(channel="email").first()
    assert queued is not None

    response = client_for(admin_user).post(reverse("notifications:message_resend", args=[queued.pk]), follow=True)

    assert "Only a failed message can be re-sent." in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.MESSAGE_RESENT).exists()


def test_re_send_needs_post(messages, admin_user):
    sms = Message.objects.get(channel="sms")

    assert client_for(admin_user).get(reverse("notifications:message_resend", args=[sms.pk])).status_code == 405


def test_super_helpdesk_re_sends_a_failed_message_and_is_audited(
    messages, super_helpdesk_user, twilio, sender_label, django_capture_on_commit_callbacks
):
    sms = Message.objects.get(channel="sms")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(super_helpdesk_user).post(reverse("notifications:message_resend", args=[sms.pk]))

    assert response.status_code == 302
    (received,) = twilio.wait_for(1)
    assert received.to == "+491712345678"
    sms.refresh_from_db()
    assert sms.status == MessageStatus.SENT
    assert AuditEntry.objects.get(action=AuditAction.MESSAGE_RESENT).actor == super_helpdesk_user


def test_helpdesk_cannot_re_send(messages, helpdesk_user):
    sms = Message.objects.get(channel="sms")

    response = client_for(helpdesk_user).post(reverse("notifications:message_resend", args=[sms.pk]))

    assert response.status_code == 403
    sms.refresh_from_db()
    assert sms.status == MessageStatus.FAILED


def test_the_log_hands_its_filters_and_page_to_each_re_send_form(messages, admin_user):
    html = client_for(admin_user).get(LOG, {"channel": "sms", "q": "eve", "page": "1"}).content.decode()

    assert '<input type="hidden" name="query" value="q=eve&amp;channel=sms&amp;page=1">' in html


def test_re_send_returns_to_the_filtered_page_showing_the_rows_new_state(
    messages, admin_user, twilio, sender_label, django_capture_on_commit_callbacks
):
    sms = Message.objects.get(channel="sms")
    client = client_for(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:message_resend", args=[sms.pk]),
                               {"query": "channel=sms&q=eve&page=1"})

    assert response.status_code == 302
    assert response["Location"] == f"{LOG}?q=eve&channel=sms&page=1"
    html = client.get(response["Location"]).content.decode()
    assert "was queued again (now: Queued, attempts: 0)" in html  # the send ran after the response
    assert f'<span class="status-sent" id="message-{sms.pk}-status">Sent</span>' in html
    assert "status-failed" not in html
    assert '<option value="sms" selected>' in html


@pytest.mark.parametrize("query", [
    "https://evil.example/", "//evil.example/notifications/", "next=https://evil.example/",
    "?status=failed&next=//evil.example", "\\\\evil.example",
])
def test_re_send_never_leaves_the_delivery_log(messages, admin_user, query):
    sms = Message.objects.get(channel="sms")

    response = client_for(admin_user).post(reverse("notifications:message_resend", args=[sms.pk]), {"query": query})

    assert response.status_code == 302
    assert response["Location"] in {LOG, f"{LOG}?status=failed"}


def test_the_delivery_log_is_never_cached(messages, admin_user):
    response = client_for(admin_user).get(LOG)

    assert "no-cache" in response["Cache-Control"]

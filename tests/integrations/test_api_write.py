"""POST /api/v1/enrollments/{token}/reset-otp (Reset OTP's service with its re-send) and
DELETE /api/v1/enrollments/{token} (the pending list's Delete: its licences released)."""

import pytest

from audit.models import AuditAction, AuditEntry
from enrollment.models import PendingEnrollment, State
from enrollment.otp import otp_matches
from licensing.services import licence_counts
from notifications.models import Channel, Message, TemplateKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def eve(make_pending):
    return make_pending("eve", email="eve@example.com", mobile="+491712345678", usage_count=2)


def test_a_reset_gives_a_new_otp_at_once_and_sends_nothing_unless_asked(api, eve):
    token = eve.enrollment.token

    response = api("enrollments:write").post(f"/api/v1/enrollments/{token}/reset-otp")

    enrollment = PendingEnrollment.objects.get()
    new_otp = response.json()["otp"]
    assert response.status_code == 200 and response.json()["token"] == token
    assert otp_matches(enrollment.otp_ciphertext, new_otp) and not otp_matches(enrollment.otp_ciphertext, eve.otp)
    assert not Message.objects.exists()
    entry = AuditEntry.objects.get(action=AuditAction.OTP_RESET)
    assert entry.actor_name == "api:HR system 1" and entry.enrollment_token == token


def test_a_reset_with_re_send_queues_the_new_otp_by_email_and_sms(api, eve):
    token = eve.enrollment.token

    response = api("enrollments:write").post(f"/api/v1/enrollments/{token}/reset-otp",
                                             {"notify": {"email": True, "sms": True}})

    email, sms = Message.objects.get(channel=Channel.EMAIL), Message.objects.get(channel=Channel.SMS)
    assert (email.recipient, email.template_key) == ("eve@example.com", TemplateKey.OTP_RESET)
    assert sms.recipient == "+491712345678" and response.json()["otp"] != eve.otp


def test_a_reset_unlocks_a_locked_enrollment(api, eve):
    PendingEnrollment.objects.update(state=State.LOCKED, failed_attempts=5)

    body = api("enrollments:write").post(f"/api/v1/enrollments/{eve.enrollment.token}/reset-otp").json()

    assert body["state"] == "active" and PendingEnrollment.objects.get().failed_attempts == 0


def test_reviving_an_expired_enrollment_without_licences_left_is_409_and_changes_nothing(api, eve, licences):
    PendingEnrollment.objects.update(state=State.EXPIRED, reserved_licences=0)
    licences(0)

    response = api("enrollments:write").post(f"/api/v1/enrollments/{eve.enrollment.token}/reset-otp")

    assert (response.status_code, response.json()["error"]) == (409, "no_licence")
    assert otp_matches(PendingEnrollment.objects.get().otp_ciphertext, eve.otp)


def test_delete_removes_the_enrollment_and_releases_its_licences(api, eve):
    client = api("enrollments:write")
    before = licence_counts().reserved

    response = client.delete(f"/api/v1/enrollments/{eve.enrollment.token}")
    again = client.delete(f"/api/v1/enrollments/{eve.enrollment.token}")

    assert response.status_code == 204 and response.content == b""
    assert not PendingEnrollment.objects.exists() and licence_counts().reserved == before - 2
    assert (again.status_code, again.json()["error"]) == (404, "unknown")
    assert AuditEntry.objects.get(action=AuditAction.ENROLLMENT_DELETED).actor_name == "api:HR system 1"


@pytest.mark.smoke
def test_an_integration_creates_reads_resets_and_deletes_with_one_key(api, licences, end_user):
    client = api("enrollments:read", "enrollments:write")

    created = client.post("/api/v1/enrollments", {"username": "eve", "notify": {"email": False, "sms": False}})
    token = created.json()["token"]
    read = client.get(f"/api/v1/enrollments/{token}")
    reset = client.post(f"/api/v1/enrollments/{token}/reset-otp", {"notify": {"email": False, "sms": False}})
    reread = client.get(f"/api/v1/enrollments/{token}")
    deleted = client.delete(f"/api/v1/enrollments/{token}")

    assert [created.status_code, read.status_code, reset.status_code, deleted.status_code] == [201, 200, 200, 204]
    assert read.json()["otp"] == created.json()["otp"] and reread.json()["otp"] == reset.json()["otp"]
    assert client.get(f"/api/v1/enrollments/{token}").status_code == 404

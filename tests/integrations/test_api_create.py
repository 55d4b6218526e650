"""POST /api/v1/enrollments: Provision User's rules, service and licence reservation, with the key's
name as the authorizer; messages through the outbox; bodies that cannot be read are 400/413."""

import pytest

from accounts.models import EndUser
from audit.models import AuditAction, AuditEntry
from enrollment.models import PendingEnrollment, Source
from lib.crypto import unseal
from licensing.services import licence_counts
from notifications.models import Channel, Message

pytestmark = pytest.mark.django_db

URL = "/api/v1/enrollments"


@pytest.fixture
def writer(api, licences, admin_user, end_user):
    """A key with enrollments:write; an admin with alerts on; the end user eve."""
    return api("enrollments:write")


def test_it_creates_an_enrollment_for_an_existing_user_and_answers_with_its_otp(writer):
    response = writer.post(URL, {"username": "eve", "mobile": "0171 2345678", "ownership": "personal"})

    enrollment = PendingEnrollment.objects.get()
    body = response.json()
    assert response.status_code == 201 and response["Cache-Control"] == "no-store"
    assert body["otp"] == unseal(enrollment.otp_ciphertext) and body["token"] == enrollment.token
    assert body["activation_url"] == f"http://localhost:8000/enroll/{enrollment.token}/"
    assert body["otp_expires_at"] is not None and body["mobile"] == "+491712345678"
    assert (enrollment.username, enrollment.source, enrollment.ownership, enrollment.email) == (
        "eve", Source.SINGLE, "personal", "eve@example.com")
    assert enrollment.created_by is None and enrollment.created_by_name == "api:HR system 1"
    provisioned = AuditEntry.objects.get(action=AuditAction.USER_PROVISIONED)
    assert (provisioned.details["authorizer"], provisioned.details["authorizer_type"]) == ("api:HR system 1", "api_key")


def test_it_reserves_the_usage_counts_licences(writer):
    before = licence_counts()

    writer.post(URL, {"username": "eve", "usage_count": 3})

    assert licence_counts().reserved == before.reserved + 3
    assert PendingEnrollment.objects.get().reserved_licences == 3


def test_no_licence_left_is_409_and_nothing_is_created(writer, licences):
    licences(2)

    response = writer.post(URL, {"username": "eve", "usage_count": 3})

    assert response.status_code == 409 and response.json()["error"] == "no_licence"
    assert "3 needed, 2 remaining" in response.json()["detail"]
    assert not PendingEnrollment.objects.exists() and not Message.objects.exists()


def test_notify_queues_the_users_email_and_sms_and_the_admins_alert_in_the_outbox(writer):
    writer.post(URL, {"username": "eve", "mobile": "+491712345678"})

    assert sorted(Message.objects.values_list("channel", "recipient")) == sorted([
        (Channel.EMAIL, "ada@onramp.test"), (Channel.EMAIL, "eve@example.com"), (Channel.SMS, "+491712345678")])
    assert all(message.enrollment == PendingEnrollment.objects.get() for message in Message.objects.all())


def test_notify_may_leave_out_the_users_email_and_sms(writer):
    writer.post(URL, {"username": "eve", "mobile": "+491712345678", "notify": {"email": False, "sms": False}})

    assert list(Message.objects.values_list("channel", "recipient")) == [(Channel.EMAIL, "ada@onramp.test")]


def test_it_creates_a_missing_local_user_from_the_email(writer):
    writer.post(URL, {"username": "newbie", "email": "newbie@example.com"})

    assert PendingEnrollment.objects.get().end_user == EndUser.objects.get(username="newbie")


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"username": "eve", "mobile": "12"}, "mobile", "is not a valid mobile number"),
    ({"username": "=cmd|' /C calc'!A0", "email": "x@example.com"}, "username", "The username starts with “=”"),
    ({"username": "ghost"}, "username", "Unknown local user “ghost”"),
    ({"username": "eve", "email": "not-an-address"}, "email", "Enter a valid email address."),
    ({"username": "eve", "user_type": "ldap"}, "user_type", "Select a valid choice."),
    ({"username": "eve", "usage_count": 0}, "usage_count", "greater than or equal to 1"),
    ({"username": "eve", "otp": {"content": "digits", "length": 4}}, "otp.length", "at least 6 digits"),
    ({"username": "eve", "ownership": "borrowed"}, "ownership", "Input should be"),
    ({"username": "eve", "colour": "blue"}, "colour", "Extra inputs are not permitted"),
    ({}, "username", "Field required"),
])
def test_the_same_rules_as_provision_user_refuse_with_422_and_the_field(writer, body, field, words):
    response = writer.post(URL, body)

    assert response.status_code == 422, response.content
    answer = response.json()
    assert answer["error"] == "invalid_request" and answer["attempts_left"] is None
    assert words in " ".join(answer["fields"][field]), answer
    assert not PendingEnrollment.objects.exists() and not Message.objects.exists()


def test_an_otp_override_makes_the_otp_it_describes(writer):
    response = writer.post(URL, {"username": "eve", "otp": {"content": "letters", "length": 12,
                                                             "validity_hours": None}})

    otp = response.json()["otp"]
    assert len(otp) == 12 and otp.isalpha() and response.json()["otp_expires_at"] is None


@pytest.mark.parametrize(("raw", "status", "error", "words"), [
    ("not json", 400, "invalid_request", "The body must be UTF-8 JSON."),
    (b"\xff\xfe{", 400, "invalid_request", "The body must be UTF-8 JSON."),
    ('{"username": "e\\u0000ve"}', 400, "invalid_request", "username contains a NUL character."),
    ('{"username": "eve", "notify": {"\\ud800": true}}', 400, "invalid_request", "lone surrogate"),
    ('{"username": "' + "x" * 17_000 + '"}', 413, "too_large", "16 KiB"),
    ("[1, 2]", 422, "invalid_request", ""),
    ("", 422, "invalid_request", ""),
    ("[" * 10_000, 400, "invalid_request", "JSON"),
])
def test_a_body_that_cannot_be_read_is_answered_in_json_never_with_a_500(writer, raw, status, error, words):
    response = writer.post(URL, raw=raw)

    assert (response.status_code, response.json()["error"]) == (status, error)
    assert words in response.json()["detail"] and response["Content-Type"].startswith("application/json")
    assert not PendingEnrollment.objects.exists()

"""POST /api/v1/enrollments/redeem: each answer of SPEC F9 and Formats."""

import json
from typing import Any

import pytest
from django.test import Client

from audit.models import AuditAction, AuditEntry
from enrollment.models import Device, OtpPolicy, PendingEnrollment, State
from licensing.models import LedgerEntry, LedgerKind
from licensing.services import licence_counts
from tests.conftest import ClientResponse

pytestmark = [pytest.mark.django_db]


URL = "/api/v1/enrollments/redeem"
DEVICE = {"platform": "android", "serial_number": "SN-1", "model": "Pixel 8", "os_version": "14"}


def post(body: object, client: Client | None = None, **extra: Any) -> ClientResponse:
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return (client or Client()).post(URL, raw, content_type="application/json",
                                     HTTP_USER_AGENT="companion/1.0", **extra)


@pytest.mark.smoke
def test_it_enrolls_a_device_with_token_and_otp(make_pending):
    made = make_pending("alice", ownership="corporate")
    response = post({"token": made.enrollment.token, "otp": made.otp, "device": DEVICE})
    assert response.status_code == 201
    body = response.json()
    device = Device.objects.get()
    assert body == {"device_id": str(device.public_id), "username": "alice", "ownership": "corporate",
                    "remaining_uses": 0}
    assert (device.platform, device.serial_number, device.model, device.os_version) == ("android", "SN-1",
                                                                                      "Pixel 8", "14")
    assert device.enrollment_token == made.enrollment.token and device.source == "single"
    assert not PendingEnrollment.objects.exists()
    counts = licence_counts()
    assert (counts.reserved, counts.consumed) == (0, 1)
    entry = AuditEntry.objects.get(action=AuditAction.DEVICE_ENROLLED)
    assert entry.ip == "127.0.0.1" and entry.user_agent == "companion/1.0"
    assert entry.details["device_id"] == str(device.public_id)


def test_it_keeps_the_enrollment_while_uses_remain(make_pending):
    made = make_pending("alice", usage_count=3)
    response = post({"token": made.enrollment.token, "otp": made.otp, "device": DEVICE})
    assert response.status_code == 201 and response.json()["remaining_uses"] == 2
    enrollment = PendingEnrollment.objects.get()
    assert (enrollment.uses_remaining, enrollment.reserved_licences) == (2, 2)
    assert LedgerEntry.objects.filter(kind=LedgerKind.CONSUME).count() == 1


def test_it_enrolls_by_username(make_pending):
    made = make_pending("alice")
    response = post({"username": "alice", "otp": made.otp, "device": {"platform": "ios"}})
    assert response.status_code == 201
    assert Device.objects.get().platform == "ios"


def test_by_username_it_takes_the_oldest_active_enrollment(make_pending):
    first = make_pending("alice")
    second = make_pending("alice")
    assert post({"username": "alice", "otp": first.otp, "device": DEVICE}).status_code == 201
    assert PendingEnrollment.objects.get().pk == second.enrollment.pk


@pytest.mark.parametrize("body, detail", [
    (b"not json", "The body must be JSON."),
    ([], "The body must be a JSON object."),
    ({"otp": "1", "device": DEVICE}, "Give either a token or a username."),
    ({"token": "t" * 32, "username": "alice", "otp": "1", "device": DEVICE}, "Give either a token or a username."),
    ({"token": "t" * 32, "otp": "1"}, "device must be an object with at least a platform."),
    ({"token": "t" * 32, "otp": "1", "device": {"platform": "symbian"}},
     "device.platform must be one of: android, ios, macos, windows."),
    ({"token": "t" * 32, "otp": 123, "device": DEVICE}, "otp must be a string."),
    ({"token": "t" * 32, "device": DEVICE}, "The OTP is required."),
])
def test_it_answers_400_for_bad_input(body, detail):
    response = post(body)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "detail": detail, "attempts_left": None}
    assert AuditEntry.objects.filter(action=AuditAction.REDEEM_REFUSED, details__reason="invalid_request").count() == 1


def test_it_answers_405_to_get():
    assert Client().get(URL).status_code == 405


def test_it_answers_404_for_an_unknown_token(db):
    response = post({"token": "x" * 32, "otp": "12345678", "device": DEVICE})
    assert response.status_code == 404
    assert response.json()["error"] == "unknown"
    assert AuditEntry.objects.filter(action=AuditAction.REDEEM_REFUSED, details__reason="unknown").exists()


def test_a_wrong_otp_answers_401_with_the_attempts_left(make_pending):
    made = make_pending("alice")
    response = post({"token": made.enrollment.token, "otp": "wrong", "device": DEVICE})
    assert response.status_code == 401
    assert response.json() == {"error": "wrong_otp", "detail": "The OTP is not correct. 4 attempts left.",
                               "attempts_left": 4}
    assert PendingEnrollment.objects.get().failed_attempts == 1
    entry = AuditEntry.objects.get(action=AuditAction.OTP_FAILED)
    assert entry.target_username == "alice" and entry.ip == "127.0.0.1"
    assert not Device.objects.exists()


def test_it_locks_after_the_policy_number_of_wrong_tries_and_then_answers_423(make_pending):
    policy = OtpPolicy.load()
    policy.max_attempts = 3
    policy.save()
    made = make_pending("alice")
    answers = [post({"token": made.enrollment.token, "otp": "wrong", "device": DEVICE}) for _ in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 401]
    assert [a.json()["attempts_left"] for a in answers] == [2, 1, 0]
    assert "now locked" in answers[-1].json()["detail"] and "0 attempts" not in answers[-1].json()["detail"]
    enrollment = PendingEnrollment.objects.get()
    assert enrollment.state == State.LOCKED and enrollment.locked_at is not None
    assert AuditEntry.objects.filter(action=AuditAction.ENROLLMENT_LOCKED).count() == 1
    # Even the right OTP is refused now, and the reservation is kept.
    response = post({"token": made.enrollment.token, "otp": made.otp, "device": DEVICE})
    assert response.status_code == 423 and response.json()["error"] == "locked"
    assert enrollment.reserved_licences == 1 and not Device.objects.exists()


def test_a_success_starts_the_failed_attempts_again(make_pending):
    made = make_pending("alice", usage_count=2)
    post({"token": made.enrollment.token, "otp": "wrong", "device": DEVICE})
    assert post({"token": made.enrollment.token, "otp": made.otp, "device": DEVICE}).status_code == 201
    assert PendingEnrollment.objects.get().failed_attempts == 0


def test_it_answers_410_expired_past_the_otp_expiry(make_pending):
    from datetime import timedelta

    from django.utils import timezone

    made = make_pending("alice")
    PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(otp_expires_at=timezone.now() - timedelta(hours=1))
    response = post({"token": made.enrollment.token, "otp": made.otp, "device": DEVICE})
    assert response.status_code == 410 and response.json()["error"] == "expired"
    assert not Device.objects.exists()


def test_it_answers_410_expired_for_an_expired_entry(make_pending):
    made = make_pending("alice")
    PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(state=State.EXPIRED, reserved_licences=0)
    response = post({"token": made.enrollment.token, "otp": made.otp, "device": DEVICE})
    assert response.status_code == 410 and response.json()["error"] == "expired"
    assert not Device.objects.exists() and licence_counts().consumed == 0
    assert PendingEnrollment.objects.get().state == State.EXPIRED
    refused = AuditEntry.objects.get(action=AuditAction.REDEEM_REFUSED)
    assert (refused.enrollment_token, refused.details["reason"]) == (made.enrollment.token, "expired")


def test_it_answers_410_used_up_once_every_use_is_taken(make_pending):
    made = make_pending("alice")
    assert post({"token": made.enrollment.token, "otp": made.otp, "device": DEVICE}).status_code == 201
    # Another device: the same one again would be a repeat (test_redeem_repeat.py).
    response = post({"token": made.enrollment.token, "otp": made.otp, "device": {**DEVICE, "serial_number": "SN-2"}})
    assert response.status_code == 410 and response.json()["error"] == "used_up"
    assert Device.objects.count() == 1


def test_it_answers_409_when_the_reservation_is_missing(make_pending):
    made = make_pending("alice")
    PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(reserved_licences=0)
    response = post({"token": made.enrollment.token, "otp": made.otp, "device": DEVICE})
    assert response.status_code == 409 and response.json()["error"] == "no_licence"
    assert not Device.objects.exists()
    assert licence_counts().consumed == 0


@pytest.mark.parametrize("body, detail", [
    ({"token": "A\u0000", "otp": "1", "device": DEVICE}, "token contains a NUL character."),
    ({"username": "x\u0000", "otp": "1", "device": DEVICE}, "username contains a NUL character."),
    ({"username": "\ud800", "otp": "1", "device": DEVICE}, "username is not valid Unicode (a lone surrogate)."),
    ({"token": "\udfff" * 32, "otp": "1", "device": DEVICE}, "token is not valid Unicode (a lone surrogate)."),
    ({"token": "t" * 32, "otp": "1\u0000", "device": DEVICE}, "otp contains a NUL character."),
    ({"token": "A\u0000", "device": DEVICE}, "The OTP is required."),
    ({"username": "\ud800", "device": DEVICE}, "The OTP is required."),
    ({"token": "t" * 32, "otp": "1", "device": {"platform": "android\u0000"}},
     "device.platform contains a NUL character."),
    ({"token": "t" * 32, "otp": "1", "device": {**DEVICE, "model": "Pixel\ud83d"}},
     "device.model is not valid Unicode (a lone surrogate)."),
], ids=["nul-token", "nul-username", "surrogate-username", "surrogate-token", "nul-otp", "nul-token-no-otp",
        "surrogate-username-no-otp", "nul-platform", "surrogate-model"])
def test_it_answers_400_to_nul_and_lone_surrogates_and_audits_the_refusal(body, detail):
    response = post(body)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "detail": detail, "attempts_left": None}
    entry = AuditEntry.objects.get(action=AuditAction.REDEEM_REFUSED, details__reason="invalid_request")
    assert "\x00" not in entry.enrollment_token + entry.target_username


def test_it_refuses_nul_in_the_device_facts_of_a_right_otp_and_consumes_nothing(make_pending):
    made = make_pending("alice")
    response = post({"token": made.enrollment.token, "otp": made.otp,
                     "device": {**DEVICE, "serial_number": "SN\u00001"}})
    assert response.status_code == 400
    assert response.json()["detail"] == "device.serial_number contains a NUL character."
    assert not Device.objects.exists()
    assert PendingEnrollment.objects.get().uses_remaining == 1


def test_it_refuses_nul_in_the_username_of_a_known_user_without_a_failed_attempt(make_pending):
    made = make_pending("alice")
    response = post({"username": "alice\u0000", "otp": made.otp, "device": DEVICE})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert PendingEnrollment.objects.get().failed_attempts == 0


@pytest.mark.parametrize("size", [16 * 1024 + 1, 3 * 1024 * 1024], ids=["over-16-kib", "3-mb"])
def test_it_answers_413_in_json_to_a_body_too_large(db, size):
    padding = "x" * size
    response = post(json.dumps({"token": "t" * 32, "otp": "1", "device": DEVICE, "padding": padding}))
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "too_large", "detail": "The request body is larger than 16 KiB.",
                               "attempts_left": None}
    assert AuditEntry.objects.filter(action=AuditAction.REDEEM_REFUSED, details__reason="too_large").count() == 1


@pytest.mark.parametrize("body", [
    b'{"token": "\xff\xfe", "otp": "1"}',
    b"\xff\xfe\x00",
    ("[" * 8000 + "]" * 8000).encode(),
    ('{"a":' * 2500 + "1" + "}" * 2500).encode(),
], ids=["latin-1-bytes", "bare-bom", "deep-array", "deep-object"])
def test_it_answers_400_in_json_to_a_body_that_is_not_utf8_json(db, body):
    response = post(body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"

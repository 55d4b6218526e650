"""Redeeming by username must not tell valid usernames from invalid ones."""

import json
from typing import Any

import pytest
from django.test import Client

from audit.models import AuditAction, AuditEntry
from enrollment.models import OtpPolicy, PendingEnrollment, State

pytestmark = [pytest.mark.django_db]


URL = "/api/v1/enrollments/redeem"
DEVICE = {"platform": "android"}


def post(body: dict[str, object]) -> tuple[int, dict[str, Any]]:
    response = Client().post(URL, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_unknown_username_and_wrong_otp_get_identical_answers(make_pending):
    make_pending("alice")
    unknown = post({"username": "mallory", "otp": "12345678", "device": DEVICE})
    wrong = post({"username": "alice", "otp": "12345678", "device": DEVICE})
    assert unknown == wrong == (401, {"error": "invalid_credentials",
                                      "detail": "The username or the OTP is not correct.", "attempts_left": None})
    # Both are audited alike; the wrong OTP still counts towards the lock.
    assert AuditEntry.objects.filter(action=AuditAction.OTP_FAILED).count() == 2
    assert PendingEnrollment.objects.get().failed_attempts == 1


def test_a_locked_users_state_is_told_only_with_the_right_otp(make_pending):
    policy = OtpPolicy.load()
    policy.max_attempts = 1
    policy.save()
    made = make_pending("alice")
    assert post({"username": "alice", "otp": "wrong", "device": DEVICE})[0] == 401
    assert PendingEnrollment.objects.get().state == State.LOCKED
    assert post({"username": "alice", "otp": "wrong", "device": DEVICE}) == post(
        {"username": "nobody", "otp": "wrong", "device": DEVICE})
    assert post({"username": "alice", "otp": made.otp, "device": DEVICE})[0] == 423

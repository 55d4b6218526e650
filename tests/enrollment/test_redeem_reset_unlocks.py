"""Reset OTP (the existing service) unlocks a locked enrollment; the new OTP then enrolls."""

import json

import pytest
from django.test import Client

from audit.actor import Actor
from enrollment.models import Device, OtpPolicy, PendingEnrollment, State
from enrollment.services import otp_reset

pytestmark = [pytest.mark.django_db]

URL = "/api/v1/enrollments/redeem"


def post(token: str, otp: str) -> int:
    body = json.dumps({"token": token, "otp": otp, "device": {"platform": "windows"}})
    return Client().post(URL, body, content_type="application/json").status_code


def test_a_reset_otp_unlocks_and_the_old_otp_stops_working(make_pending, admin_user):
    policy = OtpPolicy.load()
    policy.max_attempts = 2
    policy.save()
    made = make_pending("alice")
    token = made.enrollment.token
    assert [post(token, "bad"), post(token, "bad"), post(token, made.otp)] == [401, 401, 423]

    reset = otp_reset(enrollment=PendingEnrollment.objects.get(), actor=Actor.for_user(admin_user))

    enrollment = PendingEnrollment.objects.get()
    assert (enrollment.state, enrollment.failed_attempts, enrollment.locked_at) == (State.ACTIVE, 0, None)
    assert post(token, made.otp) == 401
    assert post(token, reset.otp) == 201
    assert Device.objects.get().platform == "windows"

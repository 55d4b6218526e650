"""A redemption asked again after a lost answer (same token and serial number or IMEI): 200 with the
same device, nothing consumed; anything else is not a repeat (SPEC Formats, Reliability)."""

import pytest
from django.test import Client

from audit.models import AuditAction, AuditEntry
from enrollment.models import Device, PendingEnrollment
from enrollment.services import CreatedEnrollment
from licensing.models import LedgerEntry, LedgerKind
from licensing.services import licence_counts
from tests.conftest import ClientResponse
from tests.enrollment.test_redeem_api import post

pytestmark = [pytest.mark.django_db]

DEVICE = {"platform": "android", "serial_number": "SN-1", "model": "Pixel 8"}
IMEI = "490154203237518"


def redeem(made: CreatedEnrollment, device: dict[str, str] = DEVICE, **extra: object) -> ClientResponse:
    return post({"token": made.enrollment.token, "otp": made.otp, "device": device, **extra})


def test_a_repeat_answers_200_with_the_same_body_and_consumes_nothing(make_pending):
    made = make_pending("alice", usage_count=3)
    first = redeem(made)
    again = redeem(made)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json() == {"device_id": str(Device.objects.get().public_id), "username": "alice",
                                            "ownership": "unknown", "remaining_uses": 2}
    enrollment = PendingEnrollment.objects.get()
    assert (enrollment.uses_remaining, enrollment.reserved_licences) == (2, 2)
    assert LedgerEntry.objects.filter(kind=LedgerKind.CONSUME).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.DEVICE_ENROLLED).count() == 1
    repeat = AuditEntry.objects.get(action=AuditAction.REDEEM_REPEATED)
    assert repeat.details["device_id"] == first.json()["device_id"] and repeat.target_username == "alice"
    # A device that reports neither serial number nor IMEI cannot be recognised: never a repeat.
    assert [redeem(made, {"platform": "ios"}).status_code for _ in range(2)] == [201, 201]
    assert Device.objects.count() == 3


def test_a_retry_after_the_last_use_was_taken_answers_200_not_410_used_up(make_pending):
    made = make_pending("alice")
    first = redeem(made)
    again = redeem(made)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json() and again.json()["remaining_uses"] == 0
    counts = licence_counts()
    assert (Device.objects.count(), counts.reserved, counts.consumed) == (1, 0, 1)
    # Another device is no repeat: the enrollment is used up for it.
    other = redeem(made, {**DEVICE, "serial_number": "SN-2"})
    assert other.status_code == 410 and other.json()["error"] == "used_up"


def test_a_repeat_is_recognised_by_the_imei_alone(make_pending):
    made = make_pending("alice")
    first = redeem(made, {"platform": "android", "imei": "49-015420-323751-8"})
    again = redeem(made, {"platform": "Android", "imei": IMEI, "serial_number": "unknown-to-us"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["device_id"] == first.json()["device_id"]


def test_a_repeat_with_a_wrong_otp_while_the_enrollment_exists_is_401_and_tells_no_device(make_pending):
    made = make_pending("alice", usage_count=2)
    assert redeem(made).status_code == 201
    response = post({"token": made.enrollment.token, "otp": "wrong", "device": DEVICE})
    assert response.status_code == 401 and response.json()["error"] == "wrong_otp"
    assert "device_id" not in response.json()
    assert PendingEnrollment.objects.get().failed_attempts == 1
    assert not AuditEntry.objects.filter(action=AuditAction.REDEEM_REPEATED).exists()


def test_a_repeat_by_username_answers_200_with_the_same_device(make_pending):
    made = make_pending("alice", usage_count=2)
    body = {"username": "alice", "otp": made.otp, "device": DEVICE}
    first, again = post(body), post(body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert PendingEnrollment.objects.get().uses_remaining == 1


def test_the_activation_page_shows_the_same_device_when_the_form_is_sent_twice(make_pending):
    made = make_pending("alice")
    form = {"platform": "android", "otp": made.otp, "serial_number": "SN-1"}
    url = f"/enroll/{made.enrollment.token}/"
    first, again = Client().post(url, form), Client().post(url, form)
    assert (first.status_code, again.status_code) == (200, 200)
    device_id = str(Device.objects.get().public_id)
    assert f'data-testid="device-id">{device_id}<' in again.content.decode()

"""What a companion app knows about its device: the platform in any case, the IMEI (checked, stored
as its 15 digits) and the manufacturer, stored on the Device, audited and shown on Devices."""

import pytest

from audit.models import AuditAction, AuditEntry
from enrollment.identifiers import BadIdentifier, imei_normalize
from enrollment.models import Device, PendingEnrollment
from tests.conftest import client_for
from tests.enrollment.test_redeem_api import post

pytestmark = [pytest.mark.django_db]

IMEI = "490154203237518"  # a valid IMEI: its last digit is the Luhn check digit of the first 14


@pytest.mark.parametrize("platform", ["Android", "ANDROID", " android "])
def test_the_platform_is_accepted_in_any_case_and_stored_lower_case(make_pending, platform):
    made = make_pending("alice")
    response = post({"token": made.enrollment.token, "otp": made.otp, "device": {"platform": platform}})
    assert response.status_code == 201
    assert Device.objects.get().platform == "android"


def test_imei_and_manufacturer_are_stored_audited_and_shown_on_devices(make_pending, helpdesk_user):
    made = make_pending("alice")
    response = post({"token": made.enrollment.token, "otp": made.otp,
                     "device": {"platform": "android", "serial_number": "R58N1", "imei": "49-015420-323751-8",
                                "manufacturer": " Samsung ", "model": "SM-G991B", "os_version": "14"}})
    assert response.status_code == 201
    device = Device.objects.get()
    assert (device.imei, device.manufacturer, device.serial_number) == (IMEI, "Samsung", "R58N1")
    details = AuditEntry.objects.get(action=AuditAction.DEVICE_ENROLLED).details
    assert (details["imei"], details["manufacturer"]) == (IMEI, "Samsung")
    html = client_for(helpdesk_user).get("/devices/").content.decode()
    assert "<th scope=\"col\">IMEI</th>" in html and "<th scope=\"col\">Manufacturer</th>" in html
    assert f"<td>{IMEI}</td>" in html and "<td>Samsung</td>" in html
    assert IMEI in client_for(helpdesk_user).get("/devices/", {"q": IMEI[:8]}).content.decode()


@pytest.mark.parametrize("imei, detail", [
    ("490154203237519", "device.imei is not a valid IMEI: its last digit is not the Luhn check digit."),
    ("4901542032375", "device.imei must be 15 digits (spaces and dashes are allowed)."),
    ("4901542032375180", "device.imei must be 15 digits (spaces and dashes are allowed)."),
    ("49015420323751X", "device.imei must be 15 digits (spaces and dashes are allowed)."),
], ids=["check-digit", "too-short", "imeisv-16", "letter"])
def test_a_bad_imei_answers_400_with_the_reason_and_consumes_nothing(make_pending, imei, detail):
    made = make_pending("alice")
    response = post({"token": made.enrollment.token, "otp": made.otp, "device": {"platform": "android", "imei": imei}})
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "detail": detail, "attempts_left": None}
    assert not Device.objects.exists()
    assert PendingEnrollment.objects.get().uses_remaining == 1


def test_a_manufacturer_over_100_characters_answers_400(make_pending):
    made = make_pending("alice")
    response = post({"token": made.enrollment.token, "otp": made.otp,
                     "device": {"platform": "android", "manufacturer": "x" * 101}})
    assert response.status_code == 400
    assert response.json()["detail"] == "device.manufacturer is longer than 100 characters."


def test_imei_normalize_keeps_the_digits_of_a_valid_imei_and_refuses_others():
    assert imei_normalize("35 209900 176148 1") == "352099001761481"
    assert imei_normalize("") == ""
    with pytest.raises(BadIdentifier):
        imei_normalize("352099001761482")

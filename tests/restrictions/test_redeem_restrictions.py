"""Each enrollment restriction allowed and refused through the redeem API: 403 restricted with the
rule, nothing consumed (no use, no licence, no OTP attempt), audited with the rule and the device's
facts (SPEC F14)."""

import json

import pytest
from django.test import Client

from audit.models import AuditAction, AuditEntry
from enrollment.models import Device, Ownership, PendingEnrollment
from enrollment.services import CreatedEnrollment
from licensing.services import licence_counts
from restrictions.models import CorporateIdentifier, IdentifierKind, IdentifierStatus
from restrictions.rules import version_key
from tests.conftest import ClientResponse
from tests.restrictions.conftest import REDEEM_URL, redeem_api

pytestmark = [pytest.mark.django_db]


def assert_refused_consuming_nothing(response: ClientResponse, made: CreatedEnrollment, rule: str,
                                     **facts: str) -> None:
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["error"] == "restricted" and body["rule"] == rule and body["detail"]
    enrollment = PendingEnrollment.objects.get(pk=made.enrollment.pk)
    assert (enrollment.uses_remaining, enrollment.reserved_licences) == (made.enrollment.usage_count,
                                                                          made.enrollment.usage_count)
    assert enrollment.failed_attempts == made.enrollment.failed_attempts
    assert not Device.objects.exists()
    assert licence_counts().consumed == 0
    entry = AuditEntry.objects.filter(action=AuditAction.REDEEM_REFUSED).latest("id")
    assert entry.details["reason"] == "restricted" and entry.details["rule"] == rule
    assert entry.enrollment_token == made.enrollment.token
    for name, value in facts.items():
        assert entry.details[name] == value


def test_a_platform_not_allowed_for_the_ownership_is_refused_and_the_allowed_one_enrolls(make_pending, restrict):
    restrict(platforms_personal=["ios"])
    made = make_pending("alice", ownership=Ownership.PERSONAL)
    PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(failed_attempts=2)
    made.enrollment.failed_attempts = 2
    response = redeem_api(made.enrollment.token, made.otp, serial_number="SN-A", model="Pixel 8")
    assert_refused_consuming_nothing(response, made, "platform", platform="android", serial_number="SN-A",
                                     model="Pixel 8")
    assert response.json()["detail"].startswith("Android devices cannot be enrolled as personal devices here.")
    assert "iOS/iPadOS" in response.json()["detail"]

    assert redeem_api(made.enrollment.token, made.otp, platform="ios", serial_number="SN-I").status_code == 201
    corporate = make_pending("alice", ownership=Ownership.CORPORATE)
    assert redeem_api(corporate.enrollment.token, corporate.otp, serial_number="SN-C").status_code == 201


def test_an_os_version_below_the_minimum_is_refused_compared_as_versions(make_pending, restrict):
    restrict(min_os_android="10", min_os_ios="17.2")
    made = make_pending("alice", usage_count=3)
    response = redeem_api(made.enrollment.token, made.otp, os_version="9.3.1")
    assert_refused_consuming_nothing(response, made, "os_version", os_version="9.3.1")
    assert "Android 9.3.1" in response.json()["detail"] and "at least 10" in response.json()["detail"]
    no_version = redeem_api(made.enrollment.token, made.otp)
    assert no_version.json()["rule"] == "os_version"
    assert "did not say which Android version" in no_version.json()["detail"]
    assert redeem_api(made.enrollment.token, made.otp, os_version="10", serial_number="1").status_code == 201
    assert redeem_api(made.enrollment.token, made.otp, os_version="12.0.1", serial_number="2").status_code == 201
    assert redeem_api(made.enrollment.token, made.otp, platform="ios", os_version="17.1",
                      serial_number="3").json()["rule"] == "os_version"


def test_versions_compare_by_their_numbers():
    assert version_key("10") > version_key("9.3")  # type: ignore[operator]
    assert version_key("17") == version_key("17.0.0") == version_key("17.0 beta 2")
    assert version_key("10.0.19045") > version_key("10.0.9999")  # type: ignore[operator]
    assert version_key("v14") == (14,)
    assert version_key("") is None and version_key("Oreo") is None


def test_a_blocked_manufacturer_is_refused_in_any_case(make_pending, restrict):
    restrict(blocked_manufacturers="Huawei, ZTE\nxiaomi")
    made = make_pending("alice", usage_count=3)
    # Any case, full-width letters, the company's full name: the same maker (a zero-width space or a
    # bidi override in a device fact is refused before any rule: the test below).
    for name in ("HUAWEI", " huawei ", "Xiaomi", "zte", "Ｈｕａｗｅｉ", "Huawei Technologies Co., Ltd."):
        response = redeem_api(made.enrollment.token, made.otp, manufacturer=name, serial_number="SN-1")
        assert_refused_consuming_nothing(response, made, "manufacturer", manufacturer=name.strip())
    other = redeem_api(made.enrollment.token, made.otp, manufacturer="Huaweisoft", serial_number="SN-0")
    assert other.status_code == 201
    assert redeem_api(made.enrollment.token, made.otp, manufacturer="Samsung", serial_number="SN-2").status_code == 201
    assert redeem_api(made.enrollment.token, made.otp, serial_number="SN-3").status_code == 201  # not told


def listed(kind: str, value: str) -> CorporateIdentifier:
    return CorporateIdentifier.objects.create(kind=kind, value=value, note="asset")


@pytest.mark.smoke
def test_with_the_list_required_an_unlisted_corporate_device_is_refused(make_pending, restrict):
    restrict(corporate_list_required=True)
    listed(IdentifierKind.SERIAL, "R58M12ABC")
    made = make_pending("alice", ownership=Ownership.CORPORATE, usage_count=3)
    response = redeem_api(made.enrollment.token, made.otp, serial_number="OTHER-1")
    assert_refused_consuming_nothing(response, made, "corporate_list", serial_number="OTHER-1")
    assert "not on your organisation's list" in response.json()["detail"]
    told_nothing = redeem_api(made.enrollment.token, made.otp)
    assert told_nothing.json()["rule"] == "corporate_list" and "neither" in told_nothing.json()["detail"]
    # Listed, told in lower case: enrolls, and the identifier is Enrolled with the device.
    assert redeem_api(made.enrollment.token, made.otp, serial_number="r58m12abc").status_code == 201
    identifier = CorporateIdentifier.objects.get()
    device = Device.objects.get()
    assert (identifier.status, identifier.device, identifier.enrolled_at is not None) == (
        IdentifierStatus.ENROLLED, device, True)
    # A Personal enrollment needs no listed identifier.
    personal = make_pending("bob", ownership=Ownership.PERSONAL)
    assert redeem_api(personal.enrollment.token, personal.otp, serial_number="BYOD-1").status_code == 201


def test_a_listed_imei_enrolls_however_it_is_written(make_pending, restrict):
    restrict(corporate_list_required=True)
    listed(IdentifierKind.IMEI, "352099001761481")
    made = make_pending("alice", ownership=Ownership.CORPORATE)
    assert redeem_api(made.enrollment.token, made.otp, imei="35-209900-176148-1").status_code == 201
    assert CorporateIdentifier.objects.get().device == Device.objects.get()


def test_a_listed_identifier_already_enrolled_cannot_enroll_a_second_time(make_pending, restrict):
    restrict(corporate_list_required=True)
    listed(IdentifierKind.SERIAL, "C02XK0ABCD")
    first = make_pending("alice", ownership=Ownership.CORPORATE)
    assert redeem_api(first.enrollment.token, first.otp, serial_number="C02XK0ABCD").status_code == 201
    enrolled = Device.objects.get()
    second = make_pending("bob", ownership=Ownership.CORPORATE)
    response = redeem_api(second.enrollment.token, second.otp, serial_number="C02XK0ABCD")
    assert response.status_code == 403 and response.json()["rule"] == "identifier_enrolled"
    assert Device.objects.get() == enrolled and licence_counts().consumed == 1
    second.enrollment.refresh_from_db()
    assert second.enrollment.uses_remaining == 1
    identifier = CorporateIdentifier.objects.get()
    assert identifier.status == IdentifierStatus.ENROLLED and identifier.device == enrolled  # keeps its device


def test_a_refused_listed_identifier_is_refused_with_time_and_reason_then_enrolled(make_pending, restrict):
    restrict(blocked_manufacturers="ZTE")
    listed(IdentifierKind.SERIAL, "ZTE-0001")
    made = make_pending("alice", ownership=Ownership.CORPORATE)
    refused = redeem_api(made.enrollment.token, made.otp, serial_number="zte-0001", manufacturer="ZTE")
    identifier = CorporateIdentifier.objects.get()
    assert identifier.status == IdentifierStatus.REFUSED and identifier.refused_at is not None
    assert identifier.refused_reason == refused.json()["detail"] and identifier.device is None
    restrict(blocked_manufacturers="")
    assert redeem_api(made.enrollment.token, made.otp, serial_number="zte-0001", manufacturer="ZTE").status_code == 201
    identifier.refresh_from_db()
    assert identifier.status == IdentifierStatus.ENROLLED
    assert identifier.refused_at is None and identifier.refused_reason == ""
    assert identifier.device == Device.objects.get()


def test_the_device_limit_counts_the_users_devices_and_each_ownership_its_own(make_pending, restrict):
    restrict(device_limit=3, device_limit_personal=1)
    personal = make_pending("alice", ownership=Ownership.PERSONAL, usage_count=2)
    assert redeem_api(personal.enrollment.token, personal.otp, serial_number="P1").status_code == 201
    response = redeem_api(personal.enrollment.token, personal.otp, serial_number="P2")
    assert response.status_code == 403 and response.json()["rule"] == "device_limit"
    assert response.json()["detail"].startswith("alice already has 1 enrolled personal device, and 1 is allowed.")
    corporate = make_pending("alice", ownership=Ownership.CORPORATE, usage_count=3)
    assert redeem_api(corporate.enrollment.token, corporate.otp, serial_number="C1").status_code == 201
    assert redeem_api(corporate.enrollment.token, corporate.otp, serial_number="C2").status_code == 201
    over = redeem_api(corporate.enrollment.token, corporate.otp, serial_number="C3")
    assert over.json()["rule"] == "device_limit" and "3 enrolled devices, and 3 are allowed" in over.json()["detail"]
    assert Device.objects.filter(username="alice").count() == 3
    corporate.enrollment.refresh_from_db()
    assert (corporate.enrollment.uses_remaining, corporate.enrollment.reserved_licences) == (1, 1)
    other = make_pending("bob", ownership=Ownership.PERSONAL)
    assert redeem_api(other.enrollment.token, other.otp, serial_number="B1").status_code == 201  # per user


def test_a_repeat_of_a_redemption_that_succeeded_is_answered_even_at_the_limit(make_pending, restrict):
    restrict(device_limit=1)
    made = make_pending("alice", usage_count=2)
    first = redeem_api(made.enrollment.token, made.otp, serial_number="SN-1")
    assert first.status_code == 201
    again = redeem_api(made.enrollment.token, made.otp, serial_number="SN-1")
    assert again.status_code == 200 and again.json()["device_id"] == first.json()["device_id"]


def test_a_wrong_otp_is_counted_as_one_before_any_rule_is_told(make_pending, restrict):
    restrict(platforms_unknown=["ios"])
    made = make_pending("alice")
    response = redeem_api(made.enrollment.token, "wrong-otp")
    assert response.status_code == 401 and response.json()["error"] == "wrong_otp"
    made.enrollment.refresh_from_db()
    assert made.enrollment.failed_attempts == 1


def test_redeeming_by_username_is_restricted_too(make_pending, restrict):
    restrict(platforms_unknown=["windows"])
    made = make_pending("alice")
    body = {"username": "alice", "otp": made.otp, "device": {"platform": "android"}}
    response = Client().post(REDEEM_URL, json.dumps(body), content_type="application/json")
    assert response.status_code == 403 and response.json()["rule"] == "platform"
    assert "Windows" in response.json()["detail"]


def test_device_facts_with_a_control_or_format_character_are_refused_before_any_rule(make_pending, restrict):
    restrict(blocked_manufacturers="Huawei")
    made = make_pending("alice")
    for facts in ({"manufacturer": "\u202eiewauH"}, {"model": "Pixel\u200b8"}, {"serial_number": "SN\t1"}):
        response = redeem_api(made.enrollment.token, made.otp, **facts)
        assert response.status_code == 400 and response.json()["error"] == "invalid_request"
        assert "control character" in response.json()["detail"]
    assert not Device.objects.exists()
    made.enrollment.refresh_from_db()
    assert made.enrollment.uses_remaining == 1 and made.enrollment.failed_attempts == 0

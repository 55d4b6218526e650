"""A corporate identifier added (Add identifier or Import) after its device enrolled is linked to that
device at once: Enrolled, with the newest device reporting it and that device's enrolled_at, so a second
device with it is refused ("a listed identifier enrolls once")."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from enrollment.models import Device, Ownership
from restrictions.models import CorporateIdentifier, IdentifierKind, IdentifierStatus
from tests.conftest import client_for
from tests.restrictions.conftest import redeem_api

pytestmark = [pytest.mark.django_db]

ADD = "/settings/restrictions/identifiers/new/"
IMPORT = "/settings/restrictions/identifiers/import/"
IMEI = "352099001761481"


def device(serial_number: str = "", imei: str = "", *, days_ago: int = 0) -> Device:
    return Device.objects.create(username="alice", platform="android", enrollment_token="t" * 32, source="single",
                                 serial_number=serial_number, imei=imei,
                                 enrolled_at=timezone.now() - timedelta(days=days_ago))


def test_an_identifier_added_after_its_device_enrolled_is_enrolled_with_the_newest_such_device(admin_user):
    device("c02xk1abc", days_ago=9)
    newest = device("C02xK1abc", days_ago=2)  # a device keeps the case it reported
    device("OTHER", days_ago=1)

    response = client_for(admin_user).post(ADD, {"kind": "serial", "value": "C02XK1ABC", "note": ""}, follow=True)

    assert "A device had enrolled with it already (alice · Android): it is Enrolled" in response.content.decode()
    identifier = CorporateIdentifier.objects.get()
    assert (identifier.status, identifier.device, identifier.enrolled_at) == (IdentifierStatus.ENROLLED, newest,
                                                                              newest.enrolled_at)


def test_an_identifier_no_device_reports_is_not_contacted(admin_user):
    device("C02XK1ABC", imei="490154203237518")

    client_for(admin_user).post(ADD, {"kind": "imei", "value": IMEI, "note": ""})

    identifier = CorporateIdentifier.objects.get()
    assert (identifier.status, identifier.device, identifier.enrolled_at) == (IdentifierStatus.NOT_CONTACTED, None,
                                                                              None)


def test_an_import_links_each_new_identifier_to_its_newest_device_and_says_how_many(admin_user):
    by_serial = device("sn-1", days_ago=3)
    by_imei = device("", imei=IMEI, days_ago=1)
    older = device("", imei=IMEI, days_ago=5)
    content = f"serial_number,imei,note\nSN-1,,one\nSN-2,{IMEI},two\n".encode()

    response = client_for(admin_user).post(IMPORT, {"csv_file": SimpleUploadedFile("ids.csv", content)})

    result = response.context["result"]
    assert (result.added, result.enrolled) == (3, 2)
    linked = {(i.value, i.status, i.device_id, i.enrolled_at) for i in CorporateIdentifier.objects.all()}
    assert linked == {("SN-1", IdentifierStatus.ENROLLED, by_serial.pk, by_serial.enrolled_at),
                      ("SN-2", IdentifierStatus.NOT_CONTACTED, None, None),
                      (IMEI, IdentifierStatus.ENROLLED, by_imei.pk, by_imei.enrolled_at)}
    assert older.pk not in {i.device_id for i in CorporateIdentifier.objects.all()}
    assert "2 of them had enrolled a device already" in response.content.decode()


def test_a_second_device_with_an_identifier_added_after_the_first_enrolled_is_refused(
    make_pending, restrict, admin_user
):
    first = make_pending("alice", ownership=Ownership.CORPORATE)
    assert redeem_api(first.enrollment.token, first.otp, serial_number="c02xk0abcd").status_code == 201
    enrolled = Device.objects.get()
    client_for(admin_user).post(ADD, {"kind": IdentifierKind.SERIAL, "value": "C02XK0ABCD", "note": ""})
    restrict(corporate_list_required=True)

    second = make_pending("bob", ownership=Ownership.CORPORATE)
    response = redeem_api(second.enrollment.token, second.otp, serial_number="C02XK0ABCD")

    assert response.status_code == 403 and response.json()["rule"] == "identifier_enrolled"
    assert Device.objects.get() == enrolled
    identifier = CorporateIdentifier.objects.get()
    assert identifier.status == IdentifierStatus.ENROLLED and identifier.device == enrolled

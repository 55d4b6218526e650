"""The restrictions on the other paths a device takes: the activation page says which rule refused
and what to do, a QR Automatic Provisioning code's device is refused through the redeem API, and the
portal tells a user at the device limit before Start (SPEC F14)."""

import json
import re

import pytest
from django.test import Client

from accounts.models import EndUser
from audit.actor import Actor
from enrollment.models import Device, Ownership, PendingEnrollment, PortalSettings
from licensing.services import licence_counts
from provisioning.qr import payload as p
from provisioning.qr.payload import WifiNetwork
from provisioning.qr.services import QrSpec, qr_provisioning_create
from restrictions.models import CorporateIdentifier, IdentifierKind, IdentifierStatus
from tests.conftest import PASSWORD, ClientResponse, companion  # noqa: F401
from tests.restrictions.conftest import redeem_api

pytestmark = [pytest.mark.django_db]

ANDROID_PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36"


def activate(token: str, **fields: str) -> ClientResponse:
    return Client(HTTP_USER_AGENT=ANDROID_PHONE).post(f"/enroll/{token}/", {"platform": "android", **fields})


def test_the_activation_page_says_which_rule_refused_and_consumes_nothing(make_pending, restrict):
    restrict(platforms_personal=["ios"])
    made = make_pending("alice", ownership=Ownership.PERSONAL)
    response = activate(made.enrollment.token, otp=made.otp, serial_number="SN-1")
    assert response.status_code == 403
    page = response.content.decode()
    assert "This device cannot be enrolled" in page and 'data-rule="platform"' in page
    assert "Android devices cannot be enrolled as personal devices here." in page
    assert "Back to the device details" in page
    made.enrollment.refresh_from_db()
    assert made.enrollment.uses_remaining == 1 and not Device.objects.exists() and licence_counts().consumed == 0


def test_the_activation_page_sends_imei_and_manufacturer_to_the_rules(make_pending, restrict):
    restrict(blocked_manufacturers="Huawei", corporate_list_required=True)
    CorporateIdentifier.objects.create(kind=IdentifierKind.IMEI, value="352099001761481")
    made = make_pending("alice", ownership=Ownership.CORPORATE)
    blocked = activate(made.enrollment.token, otp=made.otp, imei="352099001761481", manufacturer="HUAWEI")
    assert blocked.status_code == 403 and 'data-rule="manufacturer"' in blocked.content.decode()
    assert CorporateIdentifier.objects.get().status == IdentifierStatus.REFUSED
    bad_imei = activate(made.enrollment.token, otp=made.otp, imei="352099001761482")
    assert bad_imei.status_code == 400 and "The IMEI is not a valid IMEI" in bad_imei.content.decode()
    done = activate(made.enrollment.token, otp=made.otp, imei="35 209900 176148 1", manufacturer="Google")
    assert done.status_code == 200
    device = Device.objects.get()
    assert (device.imei, device.manufacturer) == ("352099001761481", "Google")
    assert CorporateIdentifier.objects.get().device == device


def test_without_the_otp_asked_the_activation_link_is_restricted_too(make_pending, restrict):
    PortalSettings.objects.update_or_create(id=1, defaults={"ask_otp_on_activation": False})
    restrict(min_os_android="15")
    made = make_pending("alice")
    response = activate(made.enrollment.token, os_version="14")
    assert response.status_code == 403 and 'data-rule="os_version"' in response.content.decode()
    assert PendingEnrollment.objects.get().uses_remaining == 1


def test_a_qr_automatic_provisioning_device_is_refused_through_the_redeem_api(companion, licences,  # noqa: F811
                                                                               admin_user, restrict, settings):
    settings.DEFAULT_ACTIVATION_URL = "https://mdm.example.com"
    restrict(corporate_list_required=True)
    spec = QrSpec(option="automatic", locale="en_US", wifi=WifiNetwork(ssid="Office", security="NONE"),
                  username="eve", usage_count=1)
    created = qr_provisioning_create(actor=Actor.for_user(admin_user), spec=spec)
    extras = json.loads(created.payload_text)[p.ADMIN_EXTRAS_BUNDLE]
    response = redeem_api(extras[p.EXTRA_TOKEN], extras[p.EXTRA_OTP], serial_number="UNLISTED-9")
    assert response.status_code == 403 and response.json()["rule"] == "corporate_list"
    assert PendingEnrollment.objects.get().uses_remaining == 1 and not Device.objects.exists()
    CorporateIdentifier.objects.create(kind=IdentifierKind.SERIAL, value="UNLISTED-9")
    assert redeem_api(extras[p.EXTRA_TOKEN], extras[p.EXTRA_OTP], serial_number="UNLISTED-9").status_code == 201


def portal_client(end_user: EndUser) -> Client:
    client = Client()
    assert client.post("/portal/login/", {"username": end_user.username, "password": PASSWORD}).status_code == 302
    return client


def enrolled(username: str, ownership: str, count: int) -> None:
    for n in range(count):
        Device.objects.create(username=username, platform="android", ownership=ownership,
                              enrollment_token=f"t-{username}-{ownership}-{n}", source="self")


def test_the_portal_tells_a_user_at_the_device_limit_before_start_and_refuses_start(end_user, licences, restrict):
    restrict(device_limit=2)
    enrolled(end_user.username, Ownership.CORPORATE, 2)
    client = portal_client(end_user)
    page = client.get("/portal/").content.decode()
    assert "You cannot enroll another device." in page and "eve already has 2 enrolled devices, and 2 are" in page
    assert not re.search(r"<button[^>]*>Start</button>", page)
    response = client.post("/portal/", {"ownership": "personal"})
    assert "eve already has 2 enrolled devices" in response.content.decode()
    assert not PendingEnrollment.objects.exists()


def test_the_portal_names_an_ownership_at_its_limit_and_starts_the_other(end_user, licences, restrict):
    restrict(device_limit_personal=1)
    enrolled(end_user.username, Ownership.PERSONAL, 1)
    client = portal_client(end_user)
    page = client.get("/portal/").content.decode()
    assert "Personal devices:" in page and "1 enrolled personal device, and 1 is allowed" in page
    assert re.search(r"<button[^>]*>Start</button>", page)
    refused = client.post("/portal/", {"ownership": "personal"})
    assert refused.status_code == 200 and not PendingEnrollment.objects.exists()
    assert client.post("/portal/", {"ownership": "corporate"}).status_code == 302
    assert PendingEnrollment.objects.get().ownership == Ownership.CORPORATE

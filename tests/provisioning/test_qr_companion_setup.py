"""Admin > Companion app before any QR code: a fresh install has none and the QR form says so;
placeholder values never reach a device silently; the package checksum comes from the APK;
SKIP_ENCRYPTION is a setting; and the QR form warns when devices could not reach the console."""

import base64
import hashlib
import importlib
import io
import json
from collections.abc import Callable
from typing import Any, cast

import pytest
import zxingcpp
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image

from enrollment.models import GeneralSettings, PendingEnrollment
from licensing.services import licence_counts
from provisioning.models import DEMO_COMPANION_NAME, DpcSettings, QrProvisioning
from provisioning.qr import payload as p
from tests.conftest import CHECKSUM, client_for
from tests.provisioning.test_qr_dpc_settings import form_data

QR_URL = "/devices/pending/qr/new/"
SETTINGS_URL = "/settings/companion-app/"
APK = b"PK\x03\x04" + b"a companion app build" * 100
APK_CHECKSUM = base64.urlsafe_b64encode(hashlib.sha256(APK).digest()).decode()
NONE_CONFIGURED = "No companion app is configured yet: set it up in"


def set_activation_url(url: str) -> None:
    general = GeneralSettings.load()
    general.activation_url = url
    general.save()


def create_portal_code(client: Client) -> dict[str, Any]:
    response = client.post(QR_URL, {"option": "portal", "locale": "en_US", "network_type": "mobile"})
    assert response.status_code == 302, response.content.decode()
    png = client.get(f"/devices/pending/qr/{QrProvisioning.objects.latest('id').pk}/qr.png").content
    return cast(dict[str, Any], json.loads(zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text))


def test_a_fresh_install_has_no_companion_app_and_no_placeholder_values(db):
    dpc = DpcSettings.load()
    assert (dpc.name, dpc.component_name, dpc.download_url, dpc.signature_checksum, dpc.package_checksum,
            dpc.time_zone, dpc.skip_encryption) == ("", "", "", "", "", "", False)


def test_without_a_companion_app_the_qr_form_says_so_with_a_link_and_creates_nothing(licences, admin_user, end_user):
    client = client_for(admin_user)
    page = client.get(QR_URL).content.decode()
    assert (f'{NONE_CONFIGURED} <a href="/settings/companion-app/">Admin &gt; Companion app</a>.') in page
    response = client.post(QR_URL, {"option": "automatic", "user_type": "local", "username": "eve",
                                    "usage_count": 2, "locale": "en_US", "network_type": "mobile"})
    assert response.status_code == 200 and NONE_CONFIGURED in response.content.decode()
    assert not QrProvisioning.objects.exists() and not PendingEnrollment.objects.exists()
    assert licence_counts().reserved == 0
    assert NONE_CONFIGURED in client.get("/devices/pending/qr/").content.decode()


def _blank_placeholders() -> Callable[[Any, Any], None]:
    module = importlib.import_module("provisioning.migrations.0006_companion_app_name_skip_encryption")
    return cast(Callable[[Any, Any], None], module.blank_placeholders)


def test_the_migration_blanks_a_companion_app_that_still_holds_the_old_placeholders(db):
    DpcSettings.objects.update_or_create(pk=1, defaults={
        "component_name": "com.example.companion/.admin.CompanionAdminReceiver",
        "download_url": "https://mdm.example.com/dpc/companion.apk",
        "signature_checksum": "ue8f2brSotiT6yi_GvtYccDAyAlo4Z1ApCUU2T7peWU=",
    })
    _blank_placeholders()(apps, None)
    dpc = DpcSettings.load()
    assert (dpc.component_name, dpc.download_url, dpc.signature_checksum) == ("", "", "")


def test_the_migration_keeps_a_companion_app_an_admin_set_up(companion):  # noqa: F811
    companion.download_url = "https://mdm.example.com/dpc/companion.apk"
    companion.save()
    _blank_placeholders()(apps, None)
    assert DpcSettings.load().component_name == companion.component_name


def test_demo_data_fills_a_clearly_named_demo_app_and_the_qr_form_says_no_device_can_install_it(
        licences, admin_user):
    call_command("seed_demo", password="Demo-pass-2026!")
    dpc = DpcSettings.load()
    assert dpc.name == DEMO_COMPANION_NAME == "Demo companion app (not installable)"
    assert dpc.download_url.startswith("https://") and ".invalid/" in dpc.download_url
    client = client_for(admin_user)
    page = client.get(QR_URL).content.decode()
    assert "The companion app is the Demo companion app (not installable): QR codes can be tried, but no " \
           "device can download it." in page
    set_activation_url("https://mdm.example.com")
    create_portal_code(client)
    # The demo's own QR codes (Automatic Provisioning) come first; this is the newest.
    detail = client.get(f"/devices/pending/qr/{QrProvisioning.objects.latest('pk').pk}/").content.decode()
    assert "This code installs the demo companion app, which no device can download" in detail


def test_demo_data_never_replaces_a_configured_companion_app(companion, licences):  # noqa: F811
    call_command("seed_demo", password="Demo-pass-2026!")
    dpc = DpcSettings.load()
    assert dpc.name == "" and dpc.download_url == companion.download_url


def test_the_qr_form_warns_when_admin_general_was_never_set_and_the_default_is_localhost_http(
        companion, licences, admin_user, settings):  # noqa: F811
    settings.DEFAULT_ACTIVATION_URL = "http://localhost:8000"
    page = client_for(admin_user).get(QR_URL).content.decode()
    assert ('<a href="/settings/general/">Admin &gt; General</a> was never set, so QR codes carry the built-in '
            "default Activation URL http://localhost:8000 as server_url.") in page
    assert "The Activation URL http://localhost:8000 points to localhost: devices cannot reach it." in page
    assert ("The Activation URL http://localhost:8000 uses plain http: companion apps targeting Android 9 (API 28) "
            "or newer refuse cleartext traffic.") in page


@pytest.mark.parametrize("url, expected", [
    ("https://mdm.example.com", []),
    ("http://10.0.0.5:8000", ["uses plain http"]),
    ("https://127.0.0.1:8443", ["points to 127.0.0.1"]),
    ("http://127.0.0.1", ["points to 127.0.0.1", "uses plain http"]),
])
def test_the_qr_form_warns_about_an_activation_url_devices_cannot_use(
        companion, licences, admin_user, url, expected):  # noqa: F811
    set_activation_url(url)
    page = client_for(admin_user).get(QR_URL).content.decode()
    found = [w for w in ("points to 127.0.0.1", "uses plain http", "was never set") if w in page]
    assert found == expected


def test_a_code_made_for_a_localhost_activation_url_warns_on_its_page(companion, licences, admin_user):  # noqa: F811
    set_activation_url("http://localhost:8000")
    client = client_for(admin_user)
    create_portal_code(client)
    detail = client.get(f"/devices/pending/qr/{QrProvisioning.objects.get().pk}/").content.decode()
    assert "points to localhost: devices cannot reach it" in detail and "uses plain http" in detail


def test_the_package_checksum_is_computed_from_an_uploaded_apk_and_goes_into_the_code(admin_user, licences):
    client = client_for(admin_user)
    data = form_data(skip_encryption="on")
    response = client.post(SETTINGS_URL, {**data, "package_apk": SimpleUploadedFile("companion.apk", APK)})
    assert response.status_code == 302
    dpc = DpcSettings.load()
    assert dpc.package_checksum == APK_CHECKSUM and dpc.signature_checksum == CHECKSUM
    assert dpc.skip_encryption is True
    set_activation_url("https://mdm.example.com")
    payload = create_portal_code(client)
    assert payload[p.PACKAGE_CHECKSUM] == APK_CHECKSUM
    assert payload[p.SKIP_ENCRYPTION] is True


def test_a_package_checksum_entered_by_hand_is_validated_and_must_match_an_uploaded_apk(admin_user):
    client = client_for(admin_user)
    response = client.post(SETTINGS_URL, form_data(package_checksum="0F935A95"))
    assert "Enter a SHA-256 digest" in response.content.decode()
    other = hashlib.sha256(b"another build").hexdigest()
    response = client.post(SETTINGS_URL, {**form_data(package_checksum=other),
                                          "package_apk": SimpleUploadedFile("companion.apk", APK)})
    assert f"This package checksum does not match the uploaded APK ({APK_CHECKSUM})" in response.content.decode()
    response = client.post(SETTINGS_URL, {**form_data(), "package_apk": SimpleUploadedFile("a.apk", b"not a zip")})
    assert "This is not an APK file" in response.content.decode()
    assert DpcSettings.load().component_name == ""


def test_skip_encryption_is_left_out_of_the_payload_unless_the_setting_is_on(companion, licences, admin_user):  # noqa: F811
    set_activation_url("https://mdm.example.com")
    client = client_for(admin_user)
    assert p.SKIP_ENCRYPTION not in create_portal_code(client)
    DpcSettings.objects.filter(pk=1).update(skip_encryption=True)
    assert create_portal_code(client)[p.SKIP_ENCRYPTION] is True

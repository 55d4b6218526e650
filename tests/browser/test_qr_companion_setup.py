"""A fresh install: the admin who opens Create QR-Code is sent to Admin > Companion app, sets the
DPC up with its APK (package checksum) and Skip encryption, and is warned that devices could not
reach the console before handing a code out."""

import base64
import hashlib
import io
import json
from pathlib import Path

import pytest
import zxingcpp
from django.conf import settings
from PIL import Image

from provisioning.models import QrProvisioning

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APK = b"PK\x03\x04" + b"companion build 3.4.1" * 200
APK_CHECKSUM = base64.urlsafe_b64encode(hashlib.sha256(APK).digest()).decode()


def test_an_admin_on_a_fresh_install_is_led_to_set_up_the_companion_app_and_warned_about_the_activation_url(
        admin_user, licences, sign_in, live_server, tmp_path):
    page = sign_in(admin_user.username)
    page.get_by_role("link", name="Advanced QR-Code Provisioning").first.click()
    page.get_by_role("link", name="Create QR-Code").click()
    alert = page.get_by_role("alert")
    assert alert.inner_text() == "No companion app is configured yet: set it up in Admin > Companion app."
    assert page.get_by_role("note", name="Before you hand out a code").count() == 0

    alert.get_by_role("link", name="Admin > Companion app").click()
    page.wait_for_url(f"{live_server.url}/settings/companion-app/")
    page.get_by_label("App name").fill("Acme DPC 3.4.1")
    page.get_by_label("Device admin component name").fill("com.acme.dpc/.AdminReceiver")
    page.get_by_label("APK download URL").fill("https://mdm.acme.test/dpc/acme-dpc-3.4.1.apk")
    page.get_by_label("Signing certificate SHA-256").fill(hashlib.sha256(b"acme signing cert").hexdigest())
    apk = tmp_path / "acme-dpc-3.4.1.apk"
    apk.write_bytes(APK)
    page.get_by_label("APK file").set_input_files(str(apk))
    page.get_by_label("Skip encryption").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/settings/companion-app/")
    assert "Companion app settings saved" in page.inner_text("main")
    assert page.get_by_label("Package checksum (optional)").input_value() == APK_CHECKSUM

    page.goto(f"{live_server.url}/devices/pending/qr/new/")
    assert page.get_by_role("alert").count() == 0
    warnings = page.get_by_role("note", name="Before you hand out a code").inner_text()
    default = settings.DEFAULT_ACTIVATION_URL
    assert (f"Admin > General was never set, so QR codes carry the built-in default Activation URL {default} "
            "as server_url.") in warnings
    assert f"The Activation URL {default} points to localhost: devices cannot reach it." in warnings
    assert f"The Activation URL {default} uses plain http" in warnings

    page.get_by_label("Self Service Portal").check()
    page.get_by_label("Mobile data").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/devices/pending/qr/*/")
    assert "points to localhost: devices cannot reach it" in page.inner_text("main")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PNG").click()
    png = Path(info.value.path()).read_bytes()
    payload = json.loads(zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text)
    assert payload["android.app.extra.PROVISIONING_DEVICE_ADMIN_PACKAGE_CHECKSUM"] == APK_CHECKSUM
    assert payload["android.app.extra.PROVISIONING_SKIP_ENCRYPTION"] is True
    assert payload["android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME"] == "com.acme.dpc/.AdminReceiver"
    assert QrProvisioning.objects.count() == 1

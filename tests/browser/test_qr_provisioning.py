import io
import json
from pathlib import Path
from typing import Any, cast

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Page

from enrollment.models import PendingEnrollment
from provisioning.models import QrProvisioning

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def download(page: Page, link_name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    return Path(info.value.path()).read_bytes()


def decoded(png: bytes) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text))


def test_an_admin_creates_a_wifi_automatic_code_and_a_mobile_data_portal_code_and_downloads_both(
        admin_user, end_user, licences, companion, sign_in, live_server):
    page = sign_in(admin_user.username)
    page.get_by_role("link", name="Advanced QR-Code Provisioning").first.click()
    page.get_by_role("link", name="Create QR-Code").click()

    page.get_by_label("Automatic Provisioning").check()
    page.get_by_label("Local", exact=True).check()
    page.get_by_label("Username", exact=True).fill("eve")
    page.get_by_label("Usage Count").fill("2")
    page.get_by_label("Wi-Fi", exact=True).check()
    page.get_by_label("SSID").fill("Corp-Setup")
    page.get_by_label("Security").select_option("WPA")
    page.get_by_label("Password", exact=True).fill('p@ss"w;rd\\2024')
    page.get_by_label("Send QR-Code to User").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/devices/pending/qr/*/")
    assert page.get_by_role("heading", level=1).inner_text().endswith("Automatic Provisioning")
    auto = decoded(download(page, "Download PNG"))
    assert auto["android.app.extra.PROVISIONING_WIFI_PASSWORD"] == 'p@ss"w;rd\\2024'
    assert auto["android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE"][
        "token"] == PendingEnrollment.objects.get().token
    assert download(page, "Download SVG").lstrip().startswith(b"<?xml")

    page.goto(f"{live_server.url}/devices/pending/qr/new/")
    page.get_by_label("Self Service Portal").check()
    assert not page.get_by_label("Username", exact=True).is_visible()
    page.get_by_label("Localization", exact=True).select_option("it_IT")
    page.get_by_label("Mobile data").check()
    assert not page.get_by_label("SSID").is_visible()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/devices/pending/qr/*/")
    assert "Android 13" in page.inner_text("main")
    portal = decoded(download(page, "Download PNG"))
    assert portal["android.app.extra.PROVISIONING_USE_MOBILE_DATA"] is True
    assert portal["android.app.extra.PROVISIONING_LOCALE"] == "it_IT"
    assert download(page, "Download SVG").lstrip().startswith(b"<?xml")

    page.goto(f"{live_server.url}/devices/pending/qr/")
    assert page.locator("table.qr-codes tbody tr").count() == 2
    assert QrProvisioning.objects.count() == 2 and PendingEnrollment.objects.get().reserved_licences == 2

"""The list of QR codes, the detail page, downloads and delete."""

import io
import json
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from enrollment.models import PendingEnrollment
from enrollment.services import otp_reset
from licensing.services import licence_consume, licence_counts
from provisioning.models import QrProvisioning
from provisioning.qr.payload import WifiNetwork
from provisioning.qr.services import QrSpec, qr_provisioning_create
from tests.conftest import client_for

WIFI = WifiNetwork(ssid="Corp-Setup", security="WPA", password="s3cret-wifi-pass")


@pytest.fixture
def make_qr(companion, licences, admin_user):  # noqa: F811
    def make(**kwargs: Any) -> QrProvisioning:
        values: dict[str, Any] = {"option": "automatic", "locale": "en_US", "wifi": WIFI, "username": "eve",
                                     "usage_count": 4}
        values.update(kwargs)
        return qr_provisioning_create(actor=Actor.for_user(admin_user), spec=QrSpec(**values)).qr

    return make


def test_the_list_shows_option_network_usage_expiry_view_otp_download_and_delete(make_qr, super_helpdesk_user):
    auto = make_qr()
    portal = make_qr(option="portal", wifi=None, username="", usage_count=0)
    enrollment = PendingEnrollment.objects.get()
    # One device enrolled: one use and one licence consumed.
    PendingEnrollment.objects.filter(pk=enrollment.pk).update(uses_remaining=3, reserved_licences=3)
    licence_consume(actor=Actor.system("device"), enrollment_token=enrollment.token, username="eve")
    page = client_for(super_helpdesk_user).get("/devices/pending/qr/").content.decode()
    assert page.count("<h1") == 1 and "Create QR-Code" in page
    assert "1 / 4" in page and "Unlimited" in page
    assert f'href="/devices/pending/{enrollment.token}/"' in page
    assert "Corp-Setup" in page and "Mobile data" in page
    for qr in (auto, portal):
        assert f"/devices/pending/qr/{qr.pk}/qr.png?download=1" in page
        assert f"/devices/pending/qr/{qr.pk}/qr.svg?download=1" in page
        assert f"/devices/pending/qr/{qr.pk}/delete/" in page


def test_a_code_whose_enrollment_is_gone_counts_as_all_used(make_qr, admin_user):
    make_qr(usage_count=2)
    PendingEnrollment.objects.all().delete()
    page = client_for(admin_user).get("/devices/pending/qr/").content.decode()
    assert "2 / 2" in page and "Used up or deleted" in page


def test_downloads_are_the_exact_payload_and_are_audited(make_qr, admin_user):
    qr = make_qr()
    client = client_for(admin_user)
    png = client.get(f"/devices/pending/qr/{qr.pk}/qr.png?download=1")
    svg = client.get(f"/devices/pending/qr/{qr.pk}/qr.svg?download=1")
    assert png["Content-Type"] == "image/png" and svg["Content-Type"] == "image/svg+xml"
    assert "attachment" in png["Content-Disposition"] and "no-store" in png["Cache-Control"]
    text = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))[0].text
    from lib.crypto import unseal

    assert text == unseal(qr.payload_sealed)
    entries = AuditEntry.objects.filter(action=AuditAction.QR_DOWNLOADED)
    assert sorted(e.details["format"] for e in entries) == ["png", "svg"]
    # The inline image on the detail page is not a download.
    client.get(f"/devices/pending/qr/{qr.pk}/qr.png")
    assert entries.count() == 2


def test_the_detail_page_shows_the_payload_readably_with_secrets_masked_until_revealed(make_qr, admin_user):
    qr = make_qr()
    client = client_for(admin_user)
    page = client.get(f"/devices/pending/qr/{qr.pk}/").content.decode()
    assert page.count("<h1") == 1
    assert "android.app.extra.PROVISIONING_WIFI_SSID" in page and "s3cret-wifi-pass" not in page
    assert "plain text" in page and "Zero Touch" in page
    revealed = client.get(f"/devices/pending/qr/{qr.pk}/?reveal=1").content.decode()
    assert "s3cret-wifi-pass" in revealed
    # The page shows a code carrying the OTP: each view is audited as an OTP view.
    assert AuditEntry.objects.filter(action=AuditAction.OTP_VIEWED, details__via="qr").count() == 2


def test_the_detail_page_says_when_the_otp_was_reset_since(make_qr, admin_user):
    qr = make_qr()
    otp_reset(enrollment=PendingEnrollment.objects.get(), actor=Actor.for_user(admin_user))
    page = client_for(admin_user).get(f"/devices/pending/qr/{qr.pk}/").content.decode()
    assert "no longer works" in page


@pytest.mark.smoke
def test_deleting_an_automatic_code_deletes_its_enrollment_and_releases_its_unused_licences(make_qr, admin_user):
    qr = make_qr(usage_count=4)
    assert licence_counts().reserved == 4
    client = client_for(admin_user)
    confirm = client.get(f"/devices/pending/qr/{qr.pk}/delete/")
    assert confirm.status_code == 200 and "4 reserved licence(s)" in confirm.content.decode()
    assert QrProvisioning.objects.exists()
    response = client.post(f"/devices/pending/qr/{qr.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/devices/pending/qr/"
    assert not QrProvisioning.objects.exists() and not PendingEnrollment.objects.exists()
    assert licence_counts().reserved == 0 and licence_counts().remaining == 100
    entry = AuditEntry.objects.get(action=AuditAction.QR_DELETED)
    assert entry.details["released_licences"] == 4 and entry.actor == admin_user
    assert AuditEntry.objects.filter(action=AuditAction.ENROLLMENT_DELETED).count() == 1


def test_deleting_a_portal_code_touches_no_licence(make_qr, admin_user):
    qr = make_qr(option="portal", wifi=None, username="", usage_count=0)
    client_for(admin_user).post(f"/devices/pending/qr/{qr.pk}/delete/")
    assert not QrProvisioning.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.QR_DELETED).count() == 1


def test_helpdesk_users_can_neither_see_download_nor_delete_codes(make_qr, helpdesk_user):
    qr = make_qr()
    client = client_for(helpdesk_user)
    for url in (f"/devices/pending/qr/{qr.pk}/", f"/devices/pending/qr/{qr.pk}/qr.png?download=1",
                f"/devices/pending/qr/{qr.pk}/qr.svg", f"/devices/pending/qr/{qr.pk}/delete/"):
        assert client.get(url).status_code == 403
    assert client.post(f"/devices/pending/qr/{qr.pk}/delete/").status_code == 403
    assert QrProvisioning.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.QR_DOWNLOADED).exists()


def test_an_unknown_code_is_not_found(make_qr, admin_user):
    assert client_for(admin_user).get("/devices/pending/qr/999999/").status_code == 404


def test_the_stored_payload_is_sealed_json_with_json_booleans(make_qr):
    from lib.crypto import unseal

    qr = make_qr(wifi=WifiNetwork(ssid="Net", security="NONE", hidden=True))
    text = unseal(qr.payload_sealed)
    assert json.loads(text)["android.app.extra.PROVISIONING_WIFI_HIDDEN"] is True
    assert "Net" not in qr.payload_sealed
    assert qr.payload_size == len(text)

import base64
import hashlib

import pytest

from audit.models import AuditAction, AuditEntry
from provisioning.models import DpcSettings
from tests.conftest import CHECKSUM, DIGEST, client_for

URL = "/settings/companion-app/"


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "component_name": "com.example.companion/.AdminReceiver",
        "download_url": "https://mdm.example.com/companion.apk",
        "signature_checksum": ":".join(f"{b:02X}" for b in DIGEST),
        "package_checksum": "",
        "default_locale": "de_CH",
        "time_zone": "Europe/Zurich",
    }
    data.update(overrides)
    return data


def test_an_admin_saves_the_companion_app_with_an_apksigner_hex_digest_stored_as_padded_base64url(admin_user):
    response = client_for(admin_user).post(URL, form_data())
    assert response.status_code == 302
    dpc = DpcSettings.load()
    assert dpc.signature_checksum == CHECKSUM
    assert len(dpc.signature_checksum) == 44
    assert dpc.component_name == "com.example.companion/.AdminReceiver"
    assert dpc.default_locale == "de_CH" and dpc.time_zone == "Europe/Zurich"
    entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert entry.details == {"settings": "companion_app", "changes": {
        "component_name": ["", "com.example.companion/.AdminReceiver"],
        "download_url": ["", "https://mdm.example.com/companion.apk"],
        "signature_checksum": ["", CHECKSUM],
        "default_locale": ["en_US", "de_CH"],
        "time_zone": ["", "Europe/Zurich"],
    }}
    assert entry.actor == admin_user


def test_an_unpadded_base64url_package_checksum_is_stored_padded(admin_user):
    package = hashlib.sha256(b"apk bytes").digest()
    unpadded = base64.urlsafe_b64encode(package).decode().rstrip("=")
    client_for(admin_user).post(URL, form_data(package_checksum=unpadded))
    assert DpcSettings.load().package_checksum == unpadded + "="


def test_the_time_zone_may_be_left_empty_so_devices_keep_their_own(admin_user):
    assert DpcSettings.load().time_zone == ""  # a fresh install sets none
    client_for(admin_user).post(URL, form_data(time_zone=""))
    dpc = DpcSettings.load()
    assert dpc.component_name and dpc.time_zone == ""


def test_an_http_download_url_is_saved_with_a_warning(admin_user):
    response = client_for(admin_user).post(URL, form_data(download_url="http://10.0.0.5/companion.apk"), follow=True)
    assert DpcSettings.load().download_url == "http://10.0.0.5/companion.apk"
    assert "unencrypted" in response.content.decode()


@pytest.mark.parametrize("field, value, message", [
    ("component_name", "com.example.companion", "package/receiver"),
    ("signature_checksum", "0F935A95", "SHA-256"),
    ("default_locale", "en-US", "language_COUNTRY"),
    ("time_zone", "Mars/Olympus", "IANA"),
    ("download_url", "ftp://example.com/a.apk", "https://"),
])
def test_bad_values_are_refused_with_a_clear_message_and_nothing_saved(admin_user, field, value, message):
    response = client_for(admin_user).post(URL, form_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert DpcSettings.load().component_name == ""
    assert not AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()


def test_only_administrators_may_change_the_companion_app(super_helpdesk_user, helpdesk_user):
    assert client_for(super_helpdesk_user).get(URL).status_code == 403
    assert client_for(helpdesk_user).post(URL, form_data()).status_code == 403
    assert DpcSettings.load().component_name == ""

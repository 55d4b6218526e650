"""Creating QR codes through the console form: what is written, reserved, sent and audited."""

import io
import json
import sys
from typing import Any, cast

import pytest
import zxingcpp
from django.core import mail
from django.test import Client
from PIL import Image

from accounts.models import EndUser
from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from enrollment.models import GeneralSettings, PendingEnrollment, Source
from enrollment.otp import otp_matches
from lib import qr as qr_render
from lib.crypto import unseal
from licensing.services import licence_counts
from notifications.models import Message
from provisioning.models import DpcSettings, QrProvisioning
from provisioning.qr import payload as p
from provisioning.qr.services import QrProvisioningError, QrSpec, qr_provisioning_create
from tests.conftest import client_for

URL = "/devices/pending/qr/new/"
SUBJECT = "An Administrator has provisioned a device on your behalf"  # the Self Service Portal code's email
# Admin > Email Templates: QR-Code for User, in German: the code's Localization is de_CH (the user's language).
QR_SUBJECT = "Ihr QR-Code für die Android-Registrierung"


@pytest.fixture
def activation_url(db: None) -> str:
    general = GeneralSettings.load()
    general.activation_url = "https://mdm.example.com"
    general.save()
    return "https://mdm.example.com"


@pytest.fixture
def ready(companion, licences, activation_url):  # noqa: F811
    return companion


def automatic(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "option": "automatic", "user_type": "local", "username": "eve", "usage_count": 3,
        "locale": "de_CH", "network_type": "wifi", "wifi_ssid": "Corp-Setup", "wifi_security": "WPA",
        "wifi_password": 'p@ss"w;rd\\2024',
    }
    data.update(overrides)
    return data


def portal(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {"option": "portal", "locale": "it_IT", "network_type": "mobile"}
    data.update(overrides)
    return data


def decoded_payload(client: Client, qr: QrProvisioning) -> dict[str, Any]:
    png = client.get(f"/devices/pending/qr/{qr.pk}/qr.png").content
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return cast(dict[str, Any], json.loads(results[0].text))


def test_automatic_provisioning_creates_one_pending_enrollment_reserving_the_usage_count(
        ready, super_helpdesk_user, end_user, django_capture_on_commit_callbacks):
    client = client_for(super_helpdesk_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, automatic(send_to_user="on"))
    qr = QrProvisioning.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/devices/pending/qr/{qr.pk}/"
    enrollment = PendingEnrollment.objects.get()
    assert enrollment.source == Source.QR
    assert enrollment.username == "eve" and enrollment.end_user == end_user
    assert enrollment.usage_count == enrollment.uses_remaining == enrollment.reserved_licences == 3
    assert licence_counts().reserved == 3 and licence_counts().remaining == 97
    assert qr.enrollment_token == enrollment.token and qr.usage_count == 3

    payload = decoded_payload(client, qr)
    assert payload == json.loads(unseal(qr.payload_sealed))
    extras = payload[p.ADMIN_EXTRAS_BUNDLE]
    assert extras["server_url"] == "https://mdm.example.com"
    assert extras["token"] == enrollment.token
    assert otp_matches(enrollment.otp_ciphertext, extras["otp"])
    assert payload[p.WIFI_PASSWORD] == 'p@ss"w;rd\\2024'
    assert payload[p.LOCALE] == "de_CH"
    assert payload[p.SIGNATURE_CHECKSUM] == DpcSettings.load().signature_checksum
    # Secrets at rest are sealed.
    assert "p@ss" not in qr.payload_sealed and unseal(qr.wifi_password_sealed) == 'p@ss"w;rd\\2024'

    entry = AuditEntry.objects.get(action=AuditAction.QR_CREATED)
    assert entry.enrollment_token == enrollment.token and entry.actor == super_helpdesk_user
    assert entry.details["usage_count"] == 3 and entry.details["network"] == "wifi"
    assert "p@ss" not in json.dumps(entry.details)

    user_mail = [m for m in mail.outbox if m.to == ["eve@example.com"]]
    assert len(user_mail) == 1 and user_mail[0].subject == QR_SUBJECT
    assert "Tippen Sie sechsmal" in user_mail[0].body and "im Anhang" in user_mail[0].body
    (name, content, mimetype), = user_mail[0].attachments
    assert mimetype == "image/png"
    assert json.loads(zxingcpp.read_barcodes(Image.open(io.BytesIO(content)))[0].text) == payload


def test_the_qr_email_reaches_a_real_smtp_server_with_the_png_attached(
        ready, admin_user, end_user, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin_user).post(URL, automatic(usage_count=1, send_to_user="on", notify_alternative="on",
                                                   alternative_email="it-service@example.com"))
    smtp.wait_for(3)
    to_user, to_alt = smtp.to("eve@example.com"), smtp.to("it-service@example.com")
    assert len(to_user) == 1 and len(to_alt) == 1
    assert to_user[0].subject == QR_SUBJECT
    # The alternative address gets its own template: not greeted as the user.
    assert to_alt[0].subject == "QR-Code für die Android-Registrierung von eve"
    assert to_alt[0].body.startswith("Guten Tag,") and "Guten Tag eve" not in to_alt[0].body
    assert "sechsmal" in to_alt[0].body and to_alt[0].attachments
    (filename, content_type, content), = to_user[0].attachments
    assert content_type == "image/png" and filename.endswith(".png")
    text = zxingcpp.read_barcodes(Image.open(io.BytesIO(content)))[0].text
    assert text == unseal(QrProvisioning.objects.get().payload_sealed)
    # The admin with email alerts hears of it too, with the code attached.
    (to_admin,) = smtp.to("ada@onramp.test")
    (_, admin_type, admin_content), = to_admin.attachments
    assert admin_type == "image/png" and admin_content == content


@pytest.mark.smoke
def test_a_usage_count_above_the_remaining_licences_is_refused_with_nothing_written(
        ready, super_helpdesk_user, licences):
    licences(2)
    response = client_for(super_helpdesk_user).post(URL, automatic(usage_count=3))
    assert response.status_code == 200
    assert "cannot exceed the remaining licences (2)" in response.content.decode()
    assert not PendingEnrollment.objects.exists() and not QrProvisioning.objects.exists()
    assert not Message.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.QR_CREATED).exists()
    assert licence_counts().reserved == 0


def test_the_licence_check_in_the_service_refuses_when_licences_vanish_after_the_form_was_checked(
        ready, super_helpdesk_user, make_pending):
    # The form saw 100 remaining; another enrollment takes 98 before the service reserves.
    from audit.actor import Actor
    from licensing.services import NoLicenceLeft
    from provisioning.qr.payload import WifiNetwork
    from provisioning.qr.services import QrSpec, qr_provisioning_create

    make_pending("other", usage_count=98)
    spec = QrSpec(option="automatic", locale="en_US", wifi=WifiNetwork(ssid="N", security="NONE"),
                  username="eve", usage_count=3)
    with pytest.raises(NoLicenceLeft):
        qr_provisioning_create(actor=Actor.for_user(super_helpdesk_user), spec=spec)
    assert not QrProvisioning.objects.exists()
    assert PendingEnrollment.objects.count() == 1 and licence_counts().reserved == 98


@pytest.mark.smoke
def test_a_self_service_portal_code_reserves_nothing_and_mails_only_the_alternative_address(
        ready, super_helpdesk_user, django_capture_on_commit_callbacks):
    client = client_for(super_helpdesk_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, portal(notify_alternative="on", alternative_email="it-service@example.com"))
    assert response.status_code == 302
    qr = QrProvisioning.objects.get()
    assert qr.enrollment_token == "" and qr.usage_count == 0
    assert not PendingEnrollment.objects.exists() and licence_counts().reserved == 0
    payload = decoded_payload(client, qr)
    assert payload[p.USE_MOBILE_DATA] is True
    assert not [k for k in payload if "WIFI" in k]
    assert payload[p.LOCALE] == "it_IT"
    assert payload[p.ADMIN_EXTRAS_BUNDLE] == {
        "server_url": "https://mdm.example.com",
        "portal_url": "https://mdm.example.com/portal/",
    }
    assert [m.to for m in mail.outbox] == [["it-service@example.com"]]
    assert mail.outbox[0].subject == SUBJECT and mail.outbox[0].attachments[0][2] == "image/png"
    assert AuditEntry.objects.filter(action=AuditAction.QR_CREATED, details__option="portal").count() == 1


def test_define_otp_can_make_an_unlimited_otp_of_a_chosen_form(ready, admin_user):
    client_for(admin_user).post(URL, automatic(define_otp="on", otp_content="letters", otp_length=12,
                                               otp_unlimited="on"))
    enrollment = PendingEnrollment.objects.get()
    assert enrollment.otp_expires_at is None
    otp = unseal(enrollment.otp_ciphertext)
    assert len(otp) == 12 and otp.isalpha()
    assert QrProvisioning.objects.get().otp_expires_at is None


def test_a_custom_locale_and_a_hidden_wep_network_go_into_the_payload(ready, admin_user):
    client = client_for(admin_user)
    client.post(URL, portal(locale="custom", custom_locale="pt_BR", network_type="wifi", wifi_ssid="Hidden Net",
                            wifi_security="WEP", wifi_password="0123456789", wifi_hidden="on"))
    payload = decoded_payload(client, QrProvisioning.objects.get())
    assert payload[p.LOCALE] == "pt_BR"
    assert payload[p.WIFI_HIDDEN] is True and payload[p.WIFI_SECURITY_TYPE] == "WEP"
    assert payload[p.WIFI_PASSWORD] == "0123456789"


def post_large_code(client: Client, **overrides: str) -> None:
    """A Wi-Fi code of a little over 1,000 bytes: version 26-27 at error correction M."""
    DpcSettings.objects.filter(pk=1).update(
        download_url="https://mdm.example.com/dpc/releases/companion-3.4.1-release-signed.apk")
    client.post(URL, automatic(wifi_ssid="Corporate-Setup-Network-Floor-3", wifi_password="x" * 63,
                               time_zone="America/Argentina/Buenos_Aires", **overrides))


def test_the_detail_page_shows_the_real_version_and_warns_above_version_25(ready, admin_user):
    client = client_for(admin_user)
    post_large_code(client)
    qr = QrProvisioning.objects.get()
    text = unseal(qr.payload_sealed)
    assert qr.error_correction == "M" and qr.payload_size < 1200  # the old byte guess stayed silent here
    version = qr_render.symbol_version(text, "M")
    assert version > 25
    page = client.get(f"/devices/pending/qr/{qr.pk}/").content.decode()
    assert f"Version {version}, error correction M" in page
    assert f"The code is version {version} at error correction M, above version 25" in page


def test_error_correction_l_is_stored_drawn_and_shown_for_a_large_payload(ready, admin_user):
    client = client_for(admin_user)
    post_large_code(client, error_correction="L")
    qr = QrProvisioning.objects.get()
    assert qr.error_correction == "L"
    text = unseal(qr.payload_sealed)
    version = qr_render.symbol_version(text, "L")
    assert version <= 25 < qr_render.symbol_version(text, "M")
    png = client.get(f"/devices/pending/qr/{qr.pk}/qr.png").content
    (result,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert result.text == text and result.ec_level == "L"
    assert cast(dict[str, str], result.extra)["Version"] == str(version)
    page = client.get(f"/devices/pending/qr/{qr.pk}/").content.decode()
    assert f"Version {version}, error correction L" in page and "above version 25" not in page


def test_the_time_zone_is_chosen_per_code_and_defaults_to_the_companion_app_setting(ready, admin_user):
    client = client_for(admin_user)
    form = client.get(URL).content.decode()
    assert 'name="time_zone" value="Europe/Berlin"' in form
    client.post(URL, automatic(time_zone="America/New_York"))
    client.post(URL, portal(time_zone="Europe/Zurich"))
    zones = [(qr.time_zone, decoded_payload(client, qr)[p.TIME_ZONE]) for qr in QrProvisioning.objects.order_by("id")]
    assert zones == [("America/New_York", "America/New_York"), ("Europe/Zurich", "Europe/Zurich")]


def test_an_empty_time_zone_leaves_the_key_out_so_the_device_keeps_its_own(ready, admin_user):
    client = client_for(admin_user)
    client.post(URL, portal(time_zone=""))
    qr = QrProvisioning.objects.get()
    assert qr.time_zone == "" and p.TIME_ZONE not in decoded_payload(client, qr)
    assert "<dd>Not set (the device keeps its own)</dd>" in client.get(f"/devices/pending/qr/{qr.pk}/").content.decode()


def test_a_blank_companion_app_time_zone_gives_an_empty_time_zone_field(ready, admin_user):
    DpcSettings.objects.filter(pk=1).update(time_zone="")
    form = client_for(admin_user).get(URL).content.decode()
    assert 'name="time_zone"' in form and 'name="time_zone" value=' not in form


@pytest.mark.parametrize("overrides, message", [
    ({"time_zone": "Mars/Olympus"}, "Enter an IANA time zone"),
    ({"wifi_security": "WPA2"}, "Select a valid choice"),
    ({"wifi_password": ""}, "needs a password"),
    ({"wifi_security": "WEP", "wifi_password": "abcdefg"}, "WEP key"),
    ({"wifi_security": "WEP", "wifi_password": "0123456789abcdef0123456789abcdef"},
     "A WEP key of 32 hex digits (152-bit WEP) is refused by the device"),
    ({"wifi_security": "WEP", "wifi_password": "sixteen-chars-ok"},
     "A WEP key of 16 ASCII characters (152-bit WEP) is refused by the device"),
    ({"wifi_password": "0123456789abcdef" * 4}, "A 64-digit hex WPA key is refused by the device"),
    ({"wifi_ssid": ""}, "Enter the SSID"),
    ({"wifi_ssid": "x" * 33}, "32 bytes"),
    ({"locale": "custom", "custom_locale": "en-US"}, "language_COUNTRY"),
    ({"username": ""}, "Enter the username"),
    ({"username": "ali\r\nce"}, "The username contains a control character (a carriage return)."),
    ({"username": "=cmd|' /C calc'!A0"}, "The username starts with “=”, which a spreadsheet reads as a formula"),
    ({"username": "kiosk device"}, "The username contains a space: use only letters, digits and @ . + - _."),
    ({"usage_count": 0}, "greater than or equal to 1"),
    ({"user_type": "ldap"}, "LDAP users can be provisioned once an LDAP server is configured."),
    ({"notify_alternative": "on"}, "Enter the alternative email address"),
    ({"define_otp": "on", "otp_content": "digits", "otp_length": 4, "otp_validity_hours": 2}, "at least 6 digits"),
])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(ready, admin_user, overrides, message):
    response = client_for(admin_user).post(URL, automatic(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not QrProvisioning.objects.exists() and not PendingEnrollment.objects.exists()


def test_send_qr_code_to_user_needs_a_known_email_address(ready, admin_user):
    response = client_for(admin_user).post(URL, automatic(username="nobody", send_to_user="on"))
    assert "No email address is known for nobody" in response.content.decode()
    assert not PendingEnrollment.objects.exists()


def test_incomplete_companion_app_settings_refuse_the_code_with_a_link_to_fix_them(licences, admin_user):
    DpcSettings.objects.update_or_create(pk=1, defaults={"component_name": "com.example.companion/.Receiver"})
    client = client_for(admin_user)
    page = client.get(URL).content.decode()
    assert "companion app settings are incomplete" in page and 'href="/settings/companion-app/"' in page
    response = client.post(URL, portal())
    assert response.status_code == 200 and not QrProvisioning.objects.exists()


def test_an_ldap_user_needs_the_admins_ldap_credentials_checked_against_the_directory(
        ready, admin_user, ldap_settings):
    from tests.ldap_server import PASSWORDS

    client = client_for(admin_user)
    wrong = client.post(URL, automatic(user_type="ldap", username="lars", ldap_username="auth",
                                       ldap_password="wrong-password"))
    assert "not correct" in wrong.content.decode()
    assert not PendingEnrollment.objects.exists()
    ok = client.post(URL, automatic(user_type="ldap", username="lars", ldap_username="auth",
                                    ldap_password=PASSWORDS["auth"], send_to_user="on"))
    assert ok.status_code == 302
    enrollment = PendingEnrollment.objects.get()
    assert enrollment.user_type == "ldap" and enrollment.email == "lars@ldap.onramp.test"
    assert PASSWORDS["auth"] not in json.dumps(list(AuditEntry.objects.values_list("details", flat=True)))


def test_an_ldap_user_needs_the_admins_ldap_username_and_password(ready, admin_user, ldap_settings):
    response = client_for(admin_user).post(URL, automatic(user_type="ldap", username="lars"))
    page = response.content.decode()
    assert "LDAP users need your LDAP username" in page and "LDAP users need your LDAP password" in page
    assert not PendingEnrollment.objects.exists()


def test_without_an_ldap_server_the_form_offers_local_users_only_in_provision_users_words(ready, admin_user):
    page = client_for(admin_user).get(URL).content.decode()
    assert 'value="ldap"' not in page
    assert "LDAP users can be provisioned once an LDAP server is configured." in page


def test_without_python_ldap_an_ldap_code_is_refused_in_provision_users_words_not_developer_words(
        ready, admin_user, ldap_settings, monkeypatch):
    monkeypatch.setitem(sys.modules, "ldap", None)  # as if the [ldap] extra were not installed
    client = client_for(admin_user)
    assert 'value="ldap"' not in client.get(URL).content.decode()
    response = client.post(URL, automatic(user_type="ldap", username="lars", ldap_username="auth",
                                          ldap_password="whatever-password"))
    page = response.content.decode()
    assert "LDAP users can be provisioned once an LDAP server is configured." in page
    assert "python-ldap" not in page and "[ldap] extra" not in page
    assert not PendingEnrollment.objects.exists()


def test_the_service_refuses_an_ldap_code_when_ldap_is_not_configured(ready, admin_user):
    spec = QrSpec(option="automatic", locale="en_US", wifi=None, username="lars", user_type="ldap",
                  ldap_authorizer=("auth", "whatever-password"))
    with pytest.raises(QrProvisioningError, match="^LDAP users can be provisioned once an LDAP server is configured"):
        qr_provisioning_create(actor=Actor.system("tests"), spec=spec)
    assert not PendingEnrollment.objects.exists()


def test_helpdesk_and_outsiders_may_not_create_qr_codes(ready, helpdesk_user, outsider):
    for user in (helpdesk_user, outsider):
        client = client_for(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, portal()).status_code == 403
        assert client.get("/devices/pending/qr/").status_code == 403
    assert not QrProvisioning.objects.exists()


def test_signed_out_visitors_are_sent_to_the_login_page(ready):
    response = client_for(None).get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_end_user_record_is_not_needed_for_a_local_user_without_mail(ready, admin_user):
    client_for(admin_user).post(URL, automatic(username="kiosk-device", usage_count=5))
    assert PendingEnrollment.objects.get().username == "kiosk-device"
    assert not EndUser.objects.filter(username="kiosk-device").exists()


def test_the_form_page_has_one_h1_and_labels_every_input(ready, admin_user):
    page = client_for(admin_user).get(URL).content.decode()
    assert page.count("<h1") == 1
    for label in ("Enrollment Option", "User Type", "Username", "Usage Count", "Define OTP", "Send QR-Code to User",
                  "Localization", "Network Type", "SSID", "Security", "Hidden network",
                  "Send Notification to Alternative Address"):
        assert label in page
    assert "Zero Touch" in page

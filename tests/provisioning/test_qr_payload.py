"""The payload rules of reference/android-qr-provisioning.md."""

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from lib import qr
from provisioning.qr import payload as p
from provisioning.qr.payload import CompanionApp, WifiNetwork, admin_extras, build_payload, serialise
from provisioning.qr.validation import (
    clean_component_name,
    clean_locale,
    clean_security,
    clean_ssid,
    clean_time_zone,
    clean_wifi_password,
)

CHECKSUM = "ue8f2brSotiT6yi_GvtYccDAyAlo4Z1ApCUU2T7peWU="
COMPANION = CompanionApp(
    component_name="com.example.companion/.admin.CompanionAdminReceiver",
    download_url="https://mdm.example.com/dpc/companion-3.4.1.apk",
    signature_checksum=CHECKSUM,
)
EXTRAS = admin_extras(server_url="https://mdm.example.com",
                      enrollment_token="tok", otp="123456")


def build(wifi: WifiNetwork | None = None, locale: str = "en_US", companion: CompanionApp = COMPANION,
          extras: dict[str, str] = EXTRAS, time_zone: str = "Europe/Berlin") -> dict[str, Any]:
    return build_payload(companion=companion, locale=locale, wifi=wifi, extras=extras, time_zone=time_zone)


def test_a_wifi_payload_has_exactly_the_android_keys_with_their_json_types():
    payload = build(WifiNetwork(ssid="Corp-Setup", security="WPA", password="p@ss\"w;rd\\2024"))
    decoded = json.loads(serialise(payload))
    assert decoded == {
        "android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME": COMPANION.component_name,
        "android.app.extra.PROVISIONING_DEVICE_ADMIN_PACKAGE_DOWNLOAD_LOCATION": COMPANION.download_url,
        "android.app.extra.PROVISIONING_DEVICE_ADMIN_SIGNATURE_CHECKSUM": CHECKSUM,
        "android.app.extra.PROVISIONING_WIFI_SSID": "Corp-Setup",
        "android.app.extra.PROVISIONING_WIFI_SECURITY_TYPE": "WPA",
        "android.app.extra.PROVISIONING_WIFI_PASSWORD": "p@ss\"w;rd\\2024",
        "android.app.extra.PROVISIONING_WIFI_HIDDEN": False,
        "android.app.extra.PROVISIONING_LOCALE": "en_US",
        "android.app.extra.PROVISIONING_TIME_ZONE": "Europe/Berlin",
        "android.app.extra.PROVISIONING_LEAVE_ALL_SYSTEM_APPS_ENABLED": True,
        "android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE": {
            "server_url": "https://mdm.example.com",
            "token": "tok",
            "otp": "123456",
        },
    }
    text = serialise(payload)
    assert '"android.app.extra.PROVISIONING_WIFI_HIDDEN":false' in text
    assert '"android.app.extra.PROVISIONING_LEAVE_ALL_SYSTEM_APPS_ENABLED":true' in text
    assert '"true"' not in text and '"false"' not in text


def test_the_serialised_payload_is_compact_ascii_json():
    text = serialise(build(WifiNetwork(ssid="Café Zürich", security="WPA", password="pässwörd-ünïcode")))
    assert text.isascii()
    assert ", " not in text and ": " not in text
    assert "\\u00e9" in text
    assert json.loads(text)[p.WIFI_SSID] == "Café Zürich"
    assert json.loads(text)[p.WIFI_PASSWORD] == "pässwörd-ünïcode"


@pytest.mark.parametrize("password", ['quote"inside', "back\\slash\\", "semi;colon;", "ünïcødé-pass", 'a"b\\c;d:e,f'])
def test_passwords_with_special_characters_round_trip_unchanged_without_mecard_escaping(password):
    text = serialise(build(WifiNetwork(ssid="Net", security="WPA", password=password)))
    assert json.loads(text)[p.WIFI_PASSWORD] == password
    assert "\\;" not in text
    assert clean_wifi_password("WPA", password) == password


def test_without_a_time_zone_the_payload_leaves_the_key_out_so_the_device_keeps_its_own():
    assert p.TIME_ZONE not in build(time_zone="")
    assert build(time_zone="Europe/Zurich")[p.TIME_ZONE] == "Europe/Zurich"


def test_mobile_data_sets_the_boolean_and_leaves_out_every_wifi_key():
    payload = build(wifi=None)
    assert payload[p.USE_MOBILE_DATA] is True
    assert not [key for key in payload if "WIFI" in key]


def test_a_hidden_network_sets_the_boolean_true():
    payload = build(WifiNetwork(ssid="Stealth", security="WPA", password="password1", hidden=True))
    assert payload[p.WIFI_HIDDEN] is True
    assert p.USE_MOBILE_DATA not in payload


def test_an_open_network_has_no_password_key():
    payload = build(WifiNetwork(ssid="Guest", security="NONE"))
    assert payload[p.WIFI_SECURITY_TYPE] == "NONE"
    assert p.WIFI_PASSWORD not in payload


def test_the_package_checksum_replaces_the_signature_checksum_when_set():
    companion = CompanionApp(component_name=COMPANION.component_name, download_url=COMPANION.download_url,
                             signature_checksum=CHECKSUM, package_checksum="A" * 43 + "=")
    payload = build(companion=companion)
    assert payload[p.PACKAGE_CHECKSUM] == "A" * 43 + "="
    assert p.SIGNATURE_CHECKSUM not in payload


def test_admin_extras_hold_strings_only_and_portal_codes_carry_the_portal_url_not_credentials():
    extras = admin_extras(server_url="https://mdm.example.com",
                          portal_url="https://mdm.example.com/portal/")
    payload = build(extras=extras)
    bundle = payload[p.ADMIN_EXTRAS_BUNDLE]
    assert bundle == {"server_url": "https://mdm.example.com",
                      "portal_url": "https://mdm.example.com/portal/"}
    assert all(isinstance(value, str) for value in bundle.values())
    assert all(isinstance(value, str) for value in EXTRAS.values())


@pytest.mark.parametrize("token", ["NONE", "WEP", "WPA"])
def test_the_exact_security_tokens_are_accepted(token):
    assert clean_security(token) == token


@pytest.mark.parametrize("token", ["WPA2", "wpa", "SAE", "WPA3", "none", "", "EAP"])
def test_other_security_tokens_are_refused_instead_of_silently_meaning_open(token):
    with pytest.raises(ValidationError):
        clean_security(token)


@pytest.mark.parametrize("key", ["abcde", "abcdefghijklm", "0123456789", "0123456789ABCDEF0123456789"])
def test_wep_keys_of_the_valid_ascii_and_hex_lengths_are_accepted(key):
    assert clean_wifi_password("WEP", key) == key


@pytest.mark.parametrize("key, reason", [
    ("0123456789abcdeg", "16 ASCII characters (152-bit WEP)"),
    ("a" * 29, "29 ASCII characters (256-bit WEP)"),
    ("a1" * 16, "32 hex digits (152-bit WEP)"),
    ("f" * 58, "58 hex digits (256-bit WEP)"),
])
def test_wep_keys_the_device_refuses_are_refused_with_the_reason(key, reason):
    with pytest.raises(ValidationError, match=r"refused by the device") as info:
        clean_wifi_password("WEP", key)
    assert reason in info.value.messages[0]


@pytest.mark.parametrize("key", ["abcd", "abcdefgh", "0123456789a", "g" * 10, "ä" * 5])
def test_wep_keys_of_other_lengths_are_refused(key):
    with pytest.raises(ValidationError, match="WEP key"):
        clean_wifi_password("WEP", key)


@pytest.mark.parametrize("password", ["12345678", "x" * 63, "0123456789abcdef" * 3 + "0123456789abcde"])
def test_wpa_passphrases_of_8_to_63_characters_are_accepted(password):
    assert clean_wifi_password("WPA", password) == password


def test_a_64_digit_hex_wpa_key_is_refused_because_the_device_quotes_it_and_finds_it_too_long():
    with pytest.raises(ValidationError, match="ASCII string size too large"):
        clean_wifi_password("WPA", "0123456789abcdef" * 4)


@pytest.mark.parametrize("password", ["1234567", "x" * 64, "ü" * 40, "g" * 64])
def test_wpa_passphrases_outside_the_limits_are_refused(password):
    with pytest.raises(ValidationError):
        clean_wifi_password("WPA", password)


@pytest.mark.parametrize("security", ["WEP", "WPA"])
def test_a_protected_network_needs_a_password(security):
    with pytest.raises(ValidationError, match="needs a password"):
        clean_wifi_password(security, "")


def test_an_open_network_refuses_a_password():
    with pytest.raises(ValidationError, match="open network"):
        clean_wifi_password("NONE", "secret123")


@pytest.mark.parametrize("ssid", ["a", "x" * 32, "Café", "ü" * 16])
def test_ssids_of_1_to_32_utf8_bytes_are_accepted(ssid):
    assert clean_ssid(ssid) == ssid


@pytest.mark.parametrize("ssid", ["", "x" * 33, "ü" * 17, "tab\there"])
def test_empty_too_long_or_control_character_ssids_are_refused(ssid):
    with pytest.raises(ValidationError):
        clean_ssid(ssid)


@pytest.mark.parametrize("locale", ["en_US", "de_CH", "it_IT", "gsw_CH"])
def test_locales_in_language_country_form_are_accepted(locale):
    assert clean_locale(locale) == locale


@pytest.mark.parametrize("locale", ["en-US", "EN_us", "en", "english", "de_CHE", ""])
def test_other_locale_forms_are_refused(locale):
    with pytest.raises(ValidationError):
        clean_locale(locale)


@pytest.mark.parametrize("component", ["com.example.companion/.AdminReceiver",
                                       "com.example.companion/.admin.CompanionAdminReceiver",
                                       "com.example.companion/com.example.companion.AdminReceiver"])
def test_component_names_in_short_and_full_form_are_accepted(component):
    assert clean_component_name(component) == component


@pytest.mark.parametrize("component", ["com.example.companion", "/.AdminReceiver", "companion/.Receiver",
                                       "com.example.companion/AdminReceiver", "com.example companion/.R"])
def test_malformed_component_names_are_refused(component):
    with pytest.raises(ValidationError):
        clean_component_name(component)


def test_time_zones_must_be_iana_names():
    assert clean_time_zone("Europe/Zurich") == "Europe/Zurich"
    for bad in ("CEST", "Europe/Atlantis", "", "+02:00"):
        with pytest.raises(ValidationError):
            clean_time_zone(bad)


def test_warnings_cover_mobile_data_plain_text_passwords_zero_touch_and_size():
    mobile = build(wifi=None)
    assert any("Android 13" in w for w in p.payload_warnings(mobile, serialise(mobile)))
    wifi = build(WifiNetwork(ssid="Net", security="WPA", password="password1"))
    warnings = p.payload_warnings(wifi, serialise(wifi))
    assert any("plain text" in w for w in warnings)
    assert any("Zero Touch" in w and "Knox Mobile Enrollment" in w for w in warnings)
    assert not any("version" in w for w in warnings)


def of_size(size: int) -> dict[str, Any]:
    """A payload whose compact text is exactly ``size`` bytes."""
    payload = build(extras={"server_url": "https://x.example/"})
    padding = size - len(serialise(payload))
    payload = build(extras={"server_url": "https://x.example/" + "a" * padding})
    assert len(serialise(payload)) == size
    return payload


def test_the_size_warning_follows_the_real_version_997_bytes_is_version_25_at_m_and_998_is_26():
    fits = of_size(997)
    assert qr.symbol_version(serialise(fits), "M") == 25
    assert not any("version" in w for w in p.payload_warnings(fits, serialise(fits)))
    dense = of_size(998)
    assert qr.symbol_version(serialise(dense), "M") == 26
    assert ("The code is version 26 at error correction M, above version 25: setup wizard cameras struggle to "
            "scan it. Create it again with error correction L") in " ".join(p.payload_warnings(dense, serialise(dense)))


def test_error_correction_l_keeps_a_large_payload_at_version_25_without_a_warning():
    payload = of_size(1273)
    assert qr.symbol_version(serialise(payload), "L") == 25
    assert not any("version" in w for w in p.payload_warnings(payload, serialise(payload), error_correction="L"))
    bigger = of_size(1274)
    warnings = p.payload_warnings(bigger, serialise(bigger), error_correction="L")
    assert any("version 26 at error correction L" in w and "Create it again" not in w for w in warnings)


def test_the_readable_payload_masks_secrets_unless_asked():
    payload = build(WifiNetwork(ssid="Net", security="WPA", password="password1"))
    masked = p.readable(payload, masked=(p.WIFI_PASSWORD, p.EXTRA_OTP))
    assert "password1" not in masked and "123456" not in masked
    assert "password1" in p.readable(payload)

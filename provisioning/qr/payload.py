"""The Android Enterprise device-owner QR payload.

Built as a dict and serialised once with ``json.dumps`` (compact, ASCII-escaped), never by
string templating: Wi-Fi passwords with ``"``, ``\\`` or non-ASCII characters then come out as
valid JSON, and the QR bytes are pure ASCII so every decoder reads them alike. Booleans are JSON
booleans (Android reads them with getBooleanExtra; the string "true" is ignored). The admin
extras bundle holds strings only (the NFC path and custom setup wizards only keep strings).
"""

import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.views.decorators.debug import sensitive_variables

from lib import qr as qr_render
from provisioning.models import DEMO_COMPANION_NAME, DpcSettings, WifiSecurity

PREFIX = "android.app.extra."
COMPONENT_NAME = PREFIX + "PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME"
DOWNLOAD_LOCATION = PREFIX + "PROVISIONING_DEVICE_ADMIN_PACKAGE_DOWNLOAD_LOCATION"
SIGNATURE_CHECKSUM = PREFIX + "PROVISIONING_DEVICE_ADMIN_SIGNATURE_CHECKSUM"
PACKAGE_CHECKSUM = PREFIX + "PROVISIONING_DEVICE_ADMIN_PACKAGE_CHECKSUM"
WIFI_SSID = PREFIX + "PROVISIONING_WIFI_SSID"
WIFI_PASSWORD = PREFIX + "PROVISIONING_WIFI_PASSWORD"
WIFI_SECURITY_TYPE = PREFIX + "PROVISIONING_WIFI_SECURITY_TYPE"
WIFI_HIDDEN = PREFIX + "PROVISIONING_WIFI_HIDDEN"
USE_MOBILE_DATA = PREFIX + "PROVISIONING_USE_MOBILE_DATA"
LOCALE = PREFIX + "PROVISIONING_LOCALE"
TIME_ZONE = PREFIX + "PROVISIONING_TIME_ZONE"
SKIP_ENCRYPTION = PREFIX + "PROVISIONING_SKIP_ENCRYPTION"
LEAVE_ALL_SYSTEM_APPS_ENABLED = PREFIX + "PROVISIONING_LEAVE_ALL_SYSTEM_APPS_ENABLED"
ADMIN_EXTRAS_BUNDLE = PREFIX + "PROVISIONING_ADMIN_EXTRAS_BUNDLE"

# Camera scanners in setup wizards struggle above version ~25 (reference §9 "Wi-Fi key and size
# rules"): warn by the symbol's real version, which depends on the error correction level.
MAX_EASY_VERSION = 25


@dataclass(frozen=True)
class WifiNetwork:
    ssid: str
    security: str
    password: str = field(default="", repr=False)  # kept out of logs and error reports
    hidden: bool = False


@dataclass(frozen=True)
class CompanionApp:
    component_name: str
    download_url: str
    signature_checksum: str
    package_checksum: str = ""
    skip_encryption: bool = False
    name: str = ""

    @classmethod
    def from_settings(cls, dpc: DpcSettings) -> "CompanionApp":
        return cls(
            component_name=dpc.component_name,
            download_url=dpc.download_url,
            signature_checksum=dpc.signature_checksum,
            package_checksum=dpc.package_checksum,
            skip_encryption=dpc.skip_encryption,
            name=dpc.name,
        )

    def is_blank(self) -> bool:
        """Nothing set up at all: a fresh install."""
        return not (self.component_name or self.download_url or self.signature_checksum or self.package_checksum)

    def is_demo(self) -> bool:
        return self.name == DEMO_COMPANION_NAME

    def missing(self) -> list[str]:
        """What Admin > Companion app still needs before a QR code can be made."""
        missing = []
        if not self.component_name:
            missing.append("device admin component name")
        if not self.download_url:
            missing.append("APK download URL")
        if not (self.signature_checksum or self.package_checksum):
            missing.append("signing certificate SHA-256")
        return missing


# Admin extras keys: short (the payload should stay small, reference §5) and named like the
# fields of POST /api/v1/enrollments/redeem, so the companion sends {"token": ..., "otp": ...}.
EXTRA_SERVER_URL = "server_url"
EXTRA_TOKEN = "token"
EXTRA_OTP = "otp"
EXTRA_PORTAL_URL = "portal_url"


@sensitive_variables()
def admin_extras(*, server_url: str, enrollment_token: str = "", otp: str = "", portal_url: str = "") -> dict[str, str]:
    """What the companion app needs after provisioning. Automatic Provisioning: the token and OTP
    for the redeem API. Self Service Portal: where the user signs in."""
    extras = {EXTRA_SERVER_URL: server_url}
    if enrollment_token:
        extras[EXTRA_TOKEN] = enrollment_token
        extras[EXTRA_OTP] = otp
    if portal_url:
        extras[EXTRA_PORTAL_URL] = portal_url
    return {key: str(value) for key, value in extras.items()}


@sensitive_variables()
def build_payload(
    *, companion: CompanionApp, locale: str, wifi: WifiNetwork | None, extras: dict[str, str], time_zone: str = ""
) -> dict[str, Any]:
    """The payload dict. ``wifi`` None means mobile data (Android 13+): then no Wi-Fi key at all,
    because an SSID would win over mobile data. No ``time_zone``: the device keeps its own."""
    payload: dict[str, Any] = {
        COMPONENT_NAME: companion.component_name,
        DOWNLOAD_LOCATION: companion.download_url,
    }
    # The package checksum wins on the device when both are present; send only the one in use.
    if companion.package_checksum:
        payload[PACKAGE_CHECKSUM] = companion.package_checksum
    else:
        payload[SIGNATURE_CHECKSUM] = companion.signature_checksum
    if wifi is None:
        payload[USE_MOBILE_DATA] = True
    else:
        payload[WIFI_SSID] = wifi.ssid
        payload[WIFI_SECURITY_TYPE] = wifi.security
        if wifi.security != WifiSecurity.NONE:
            payload[WIFI_PASSWORD] = wifi.password
        payload[WIFI_HIDDEN] = bool(wifi.hidden)
    payload[LOCALE] = locale
    if time_zone:
        payload[TIME_ZONE] = time_zone
    # Left out when off: the device's default (encrypt) applies.
    if companion.skip_encryption:
        payload[SKIP_ENCRYPTION] = True
    payload[LEAVE_ALL_SYSTEM_APPS_ENABLED] = True
    payload[ADMIN_EXTRAS_BUNDLE] = {str(k): str(v) for k, v in extras.items()}
    return payload


@sensitive_variables()
def serialise(payload: dict[str, Any]) -> str:
    """The exact text put in the QR code: compact, ASCII only."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True)


def readable(payload: dict[str, Any], *, masked: tuple[str, ...] = ()) -> str:
    """Pretty-printed for the detail page; values of the ``masked`` keys (top level or in the
    admin extras) are replaced by bullets."""

    def mask(mapping: dict[str, Any]) -> dict[str, Any]:
        return {
            key: ("••••••••" if key in masked else mask(value) if isinstance(value, dict) else value)
            for key, value in mapping.items()
        }

    return json.dumps(mask(payload) if masked else payload, indent=2, ensure_ascii=False)


def server_url_warnings(url: str) -> list[str]:
    """Why devices could not reach the console at ``url`` (the Activation URL, sent as server_url)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    warnings = []
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost" or host.endswith(".localhost")
    if loopback:
        warnings.append(f"The Activation URL {url} points to {host}: devices cannot reach it. "
                        "Set the console's public address in Admin > General.")
    if parts.scheme == "http":
        warnings.append(f"The Activation URL {url} uses plain http: companion apps targeting Android 9 (API 28) "
                        "or newer refuse cleartext traffic. Use an https address in Admin > General.")
    return warnings


def payload_warnings(payload: dict[str, Any], text: str, *, error_correction: str = "M") -> list[str]:
    """What an admin should know before handing the code out."""
    warnings = [
        "Do not use this QR code with devices registered for Zero Touch or Knox Mobile Enrollment: they "
        "are forced to factory-reset after setup and must be enrolled through their deployment program.",
    ]
    if payload.get(USE_MOBILE_DATA):
        warnings.append(
            "Mobile data provisioning needs Android 13 or newer and a SIM or eSIM with data; older devices "
            "may ignore it and ask for a Wi-Fi network."
        )
    if (urlsplit(str(payload.get(DOWNLOAD_LOCATION, ""))).hostname or "").endswith(".invalid"):
        warnings.append("This code installs the demo companion app, which no device can download: set up your "
                        "own in Admin > Companion app and create the code again.")
    warnings += server_url_warnings(payload.get(ADMIN_EXTRAS_BUNDLE, {}).get(EXTRA_SERVER_URL, ""))
    if payload.get(WIFI_PASSWORD):
        warnings.append(
            "The QR code holds the Wi-Fi password in plain text: anyone who scans or photographs it can read it."
        )
    version = qr_render.symbol_version(text, error_correction)
    if version > MAX_EASY_VERSION:
        advice = ("Create it again with error correction L, shorten the Wi-Fi settings, or show it large or as SVG."
                  if error_correction != "L" else "Shorten the Wi-Fi settings, or show it large or as SVG.")
        warnings.append(
            f"The code is version {version} at error correction {error_correction}, above version "
            f"{MAX_EASY_VERSION}: setup wizard cameras struggle to scan it. {advice}"
        )
    return warnings

"""Value rules for the Android device-owner QR payload (reference: android-qr-provisioning.md).

Each function returns the cleaned value or raises ``django.core.exceptions.ValidationError`` with
a message an admin can act on. Forms and services share them, so a bad value is refused the same
way wherever it comes from.
"""

import re
import string
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError

from provisioning.models import WifiSecurity

# pkg/.Receiver or pkg/fully.qualified.Receiver; Java identifiers, dot-separated.
_JAVA_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
COMPONENT_RE = re.compile(
    rf"^(?P<package>{_JAVA_NAME}(?:\.{_JAVA_NAME})+)/(?P<receiver>\.?{_JAVA_NAME}(?:\.{_JAVA_NAME})*)$"
)
LOCALE_RE = re.compile(r"^[a-z]{2,3}_[A-Z]{2}$")
HEX = set(string.hexdigits)
# The Wi-Fi module takes only 5- or 13-byte WEP keys (reference §9 "Wi-Fi key and size rules").
WEP_ASCII_LENGTHS = (5, 13)
WEP_HEX_LENGTHS = (10, 26)


def clean_component_name(value: str) -> str:
    value = value.strip()
    match = COMPONENT_RE.match(value)
    if not match:
        raise ValidationError(
            "Enter the device admin component as package/receiver, e.g. "
            "com.example.companion/.AdminReceiver or com.example.companion/com.example.companion.AdminReceiver."
        )
    receiver = match["receiver"]
    if not receiver.startswith(".") and "." not in receiver:
        raise ValidationError(
            "The receiver must be fully qualified (com.example.Receiver) or start with a dot (.Receiver)."
        )
    return value


def clean_locale(value: str) -> str:
    value = value.strip()
    if not LOCALE_RE.match(value):
        raise ValidationError("Enter a locale as language_COUNTRY, e.g. en_US, de_CH or it_IT.")
    return value


def clean_time_zone(value: str) -> str:
    value = value.strip()
    if not value or value not in available_timezones():
        raise ValidationError("Enter an IANA time zone, e.g. Europe/Berlin or America/New_York.")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError("Enter an IANA time zone, e.g. Europe/Berlin or America/New_York.") from exc
    return value


def clean_ssid(value: str) -> str:
    if not value:
        raise ValidationError("Enter the SSID of the Wi-Fi network.")
    if len(value.encode("utf-8")) > 32:
        raise ValidationError("An SSID is at most 32 bytes long (UTF-8).")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValidationError("The SSID must not contain control characters.")
    return value


def clean_security(value: str) -> str:
    # Android matches the exact token; "WPA2" or "wpa" would silently give an open network.
    if value not in WifiSecurity.values:
        raise ValidationError(f"Choose a security type: {', '.join(WifiSecurity.values)}.")
    return value


def clean_wifi_password(security: str, password: str) -> str:
    """The password exactly as typed: only JSON escaping applies later, never MECARD escaping and
    never added quotes (the platform adds them)."""
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise ValidationError("The Wi-Fi password must not contain control characters.")
    if security == WifiSecurity.NONE:
        if password:
            raise ValidationError("An open network (security None) has no password: clear it or pick WEP or WPA.")
        return password
    if not password:
        raise ValidationError(f"A {security} network needs a password.")
    if security == WifiSecurity.WEP:
        return _clean_wep_key(password)
    # WPA/WPA2-PSK. ManagedProvisioning always wraps the passphrase in quotes and the Wi-Fi module
    # takes a quoted form of 10 to 65 characters, so a 64-digit hex PSK is refused on the device.
    if len(password) == 64 and all(c in HEX for c in password):
        raise ValidationError(
            "A 64-digit hex WPA key is refused by the device: Android quotes it as a passphrase, and the quoted "
            "key is too long (\"ASCII string size too large\"). Enter the passphrase (8 to 63 characters)."
        )
    if not 8 <= len(password) <= 63 or len(password.encode("utf-8")) > 63:
        raise ValidationError("A WPA passphrase is 8 to 63 characters long.")
    return password


def _clean_wep_key(key: str) -> str:
    """Android passes 10, 26 or 58 hex digits raw and quotes anything else, but the Wi-Fi module
    only accepts 5- or 13-byte keys: 5 or 13 ASCII characters, or 10 or 26 hex digits."""
    is_hex = all(c in HEX for c in key)
    if (is_hex and len(key) in WEP_HEX_LENGTHS) or (key.isascii() and len(key) in WEP_ASCII_LENGTHS):
        return key
    bits = {16: 152, 29: 256, 32: 152, 58: 256}
    if is_hex and len(key) in (32, 58):
        raise ValidationError(
            f"A WEP key of {len(key)} hex digits ({bits[len(key)]}-bit WEP) is refused by the device: Android "
            "accepts only 64- and 128-bit WEP keys, 10 or 26 hex digits (or 5 or 13 ASCII characters)."
        )
    if key.isascii() and len(key) in (16, 29):
        raise ValidationError(
            f"A WEP key of {len(key)} ASCII characters ({bits[len(key)]}-bit WEP) is refused by the device: Android "
            "accepts only 64- and 128-bit WEP keys, 5 or 13 ASCII characters (or 10 or 26 hex digits)."
        )
    raise ValidationError("A WEP key is 5 or 13 ASCII characters, or 10 or 26 hex digits.")

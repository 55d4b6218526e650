"""Whether a device may enroll (Admin > Enrollment restrictions): one decision for every path a
device takes (the activation page, the redeem API, the devices of QR codes, which use the API).

``enrollment.redeem`` calls ``restriction_check`` under the pending enrollment's row lock, after
the OTP was found right and before anything is consumed, and records the outcome on the corporate
identifiers the device matched (``identifiers_enrolled`` / ``identifiers_refused``). The rules, in
the order they are checked (the first that fails refuses):

- ``platform``: the platform is allowed for the enrollment's ownership;
- ``os_version``: the OS version is at least the platform's minimum, compared as versions ("10" is
  above "9.3"); a device that reports no readable version is refused while a minimum is set;
- ``manufacturer``: the manufacturer is not blocked (upper and lower case are the same);
- ``corporate_list``: with "Corporate devices must be on the list", a Corporate enrollment needs a
  serial number or IMEI that is a corporate identifier;
- ``identifier_enrolled``: with that setting, an identifier whose device is enrolled cannot enroll
  a second time (a repeat of the same redemption is answered before this, as a repeat);
- ``device_limit``: the user's enrolled devices (of the ownership, for an ownership's own limit)
  plus this one do not exceed the limit. Counted under a per-user lock (PostgreSQL advisory lock;
  SQLite's transaction holds the write lock), so two devices of a user redeeming at once with
  different enrollments cannot both take the last place.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_stubs_ext import StrOrPromise

from enrollment.identifiers import DeviceFacts
from enrollment.models import Device, Ownership, Platform
from lib import rows
from lib.locks import hold_until_commit
from restrictions.identifiers import serial_normalize
from restrictions.models import CorporateIdentifier, IdentifierKind, IdentifierStatus, RestrictionSettings

# A platform refused for an ownership, in whole sentences (a translation cannot build one from words).
PLATFORM_REFUSED: dict[str, StrOrPromise] = {
    Ownership.CORPORATE: _("{platform} devices cannot be enrolled as company-owned devices here."),
    Ownership.PERSONAL: _("{platform} devices cannot be enrolled as personal devices here."),
    Ownership.UNKNOWN: _("{platform} devices cannot be enrolled here."),
}
_VERSION = re.compile(r"\s*v?(\d+(?:\.\d+)*)", re.IGNORECASE)


def version_key(text: str) -> tuple[int, ...] | None:
    """``"14.2.1"`` → (14, 2, 1), trailing zeros dropped so "17" and "17.0" are equal; None when
    the text does not start with a number. Text after the numbers ("17.0 beta 2") is ignored."""
    found = _VERSION.match(text or "")
    if found is None:
        return None
    parts = [int(part) for part in found.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def manufacturers_parse(text: str) -> list[str]:
    """The blocked manufacturers as written, one per comma or line, blanks dropped."""
    return [name.strip() for name in re.split(r"[,\n]", text or "") if name.strip()]


@dataclass(frozen=True)
class Restriction:
    """A refusal: which ``rule`` and, in the words of the person holding the device, why and what
    to do."""

    rule: str
    # Lazy: the end user reads it in their language (the activation page, the redeem API, the portal),
    # the console and the identifiers' Refused reason keep English (``identifiers_refused``).
    detail: StrOrPromise


@dataclass
class RestrictionCheck:
    """The decision, and the corporate identifiers the device matched (locked), whose status the
    redemption then records (locked when the list rules apply)."""

    refusal: Restriction | None
    identifiers: list[CorporateIdentifier] = field(default_factory=list)


def _min_os(rules: RestrictionSettings, platform: str) -> str:
    return str(getattr(rules, f"min_os_{platform}", "") or "")


def _allowed_platforms(rules: RestrictionSettings, ownership: str) -> list[str]:
    return list(getattr(rules, f"platforms_{ownership}", None) or [])


def _identifier_groups(device: DeviceFacts) -> list[dict[str, str]]:
    """The lookups (``lib.rows`` groups) of the corporate identifiers ``device`` (cleaned facts) reports."""
    groups = []
    if device.serial_number:
        groups.append({"kind": IdentifierKind.SERIAL, "value": serial_normalize(device.serial_number)})
    if device.imei:
        groups.append({"kind": IdentifierKind.IMEI, "value": device.imei})
    return groups


def _rules_and_identifiers(device: DeviceFacts) -> tuple[RestrictionSettings, list[CorporateIdentifier]]:
    """The rules as saved (the defaults, nothing restricted, before anyone saved them) and the
    corporate identifiers ``device`` reports, in id order: one prepared statement (``lib.rows``), as
    it runs on every redemption."""
    saved, found = rows.select_pair(RestrictionSettings, {"id": 1}, CorporateIdentifier, *_identifier_groups(device))
    return saved or RestrictionSettings(), found


def restriction_settings() -> RestrictionSettings:
    """The rules as saved, or the defaults before anyone saved them; never written."""
    found = rows.select(RestrictionSettings, {"id": 1})
    return found[0] if found else RestrictionSettings()


def _platform_refusal(rules: RestrictionSettings, ownership: str, device: DeviceFacts) -> Restriction | None:
    allowed = _allowed_platforms(rules, ownership)
    if device.platform in allowed:
        return None
    label = str(Platform(device.platform).label)
    kinds = ", ".join(str(Platform(p).label) for p in Platform.values if p in allowed)
    refused = format_lazy(PLATFORM_REFUSED.get(ownership, PLATFORM_REFUSED[Ownership.UNKNOWN]), platform=label)
    if not kinds:
        return Restriction("platform", format_lazy("{} {}", refused, _("Ask your helpdesk which devices you may use.")))
    return Restriction("platform", format_lazy("{} {}", refused, format_lazy(
        _("Enroll a device of another kind ({kinds}), or ask your helpdesk which devices you may use."), kinds=kinds)))


def _os_refusal(rules: RestrictionSettings, device: DeviceFacts) -> Restriction | None:
    minimum = _min_os(rules, device.platform)
    wanted = version_key(minimum)
    if wanted is None:
        return None
    label = str(Platform(device.platform).label)
    have = version_key(device.os_version)
    if have is None:
        return Restriction("os_version", format_lazy(_(
            "This device did not say which {platform} version it runs, and at least {minimum} is required. "
            "Enter the OS version (the device's settings show it, under About), then try again."),
            platform=label, minimum=minimum))
    if have < wanted:
        return Restriction("os_version", format_lazy(_(
            "This device says it runs {platform} {version}, and at least {minimum} is required. "
            "Update the device's software, or correct the OS version if it is wrong, then try again."),
            platform=label, version=device.os_version, minimum=minimum))
    return None


def name_key(text: str) -> str:
    """A maker's name as compared: compatibility forms folded (NFKC: full-width letters), invisible
    format characters (zero-width spaces, bidi overrides) dropped, spaces collapsed, case folded."""
    folded = "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) != "Cf")
    return " ".join(folded.split()).casefold()


def _manufacturer_refusal(rules: RestrictionSettings, device: DeviceFacts) -> Restriction | None:
    """Blocked: the maker's name, or its first words ("Huawei Technologies Co., Ltd." for "Huawei")."""
    made_by = name_key(device.manufacturer)
    blocked = {name_key(name) for name in manufacturers_parse(rules.blocked_manufacturers)}
    if made_by and any(made_by == name or made_by.startswith(name + " ") for name in blocked if name):
        return Restriction("manufacturer", format_lazy(_(
            "Devices made by {manufacturer} cannot be enrolled here. Use a device of another make, or ask your "
            "helpdesk."), manufacturer=device.manufacturer))
    return None


# The identifier's kind as a sentence names it mid-way ("A device with the serial number …"): not the
# capitalised label of the console's column.
KIND_IN_SENTENCE: dict[str, StrOrPromise] = {IdentifierKind.SERIAL: _("serial number"), IdentifierKind.IMEI: _("IMEI")}


def _list_refusal(ownership: str, device: DeviceFacts, found: list[CorporateIdentifier]) -> Restriction | None:
    enrolled = [identifier for identifier in found if identifier.device_id is not None]
    if enrolled:
        return Restriction("identifier_enrolled", format_lazy(_(
            "A device with the {kind} {value} is already enrolled. Ask your helpdesk if this device must be "
            "enrolled again."), kind=KIND_IN_SENTENCE.get(enrolled[0].kind, enrolled[0].kind), value=enrolled[0].value))
    if ownership != Ownership.CORPORATE or found:
        return None
    if not device.serial_number and not device.imei:
        return Restriction("corporate_list", _(
            "Corporate devices must be on your organisation's list, and this device told neither its serial number "
            "nor its IMEI. Enter the serial number and try again."))
    return Restriction("corporate_list", _(
        "This device is not on your organisation's list of corporate devices. Ask your helpdesk to add its serial "
        "number or IMEI, then try again."))


def _limits(rules: RestrictionSettings, ownership: str) -> list[tuple[int, str]]:
    """(limit, ownership counted or "" for all) of each limit that applies to ``ownership``."""
    limits = [(rules.device_limit, "")] if rules.device_limit else []
    own = getattr(rules, f"device_limit_{ownership}", None)
    if own:
        limits.append((own, ownership))
    return limits


def _devices_held(counted: str, username: str, enrolled: int, limit: int) -> StrOrPromise:
    """"alice already has 2 enrolled personal devices, and 2 are allowed." for the ownership counted ("": all)."""
    # Translators: {allowed} is "{limit} is allowed" / "{limit} are allowed".
    allowed = format_lazy(ngettext_lazy("{limit} is allowed", "{limit} are allowed", limit), limit=limit)
    if counted == Ownership.CORPORATE:
        text = ngettext_lazy("{username} already has {enrolled} enrolled company-owned device, and {allowed}.",
                             "{username} already has {enrolled} enrolled company-owned devices, and {allowed}.",
                             enrolled)
    elif counted == Ownership.PERSONAL:
        text = ngettext_lazy("{username} already has {enrolled} enrolled personal device, and {allowed}.",
                             "{username} already has {enrolled} enrolled personal devices, and {allowed}.", enrolled)
    else:
        text = ngettext_lazy("{username} already has {enrolled} enrolled device, and {allowed}.",
                             "{username} already has {enrolled} enrolled devices, and {allowed}.", enrolled)
    return format_lazy(text, username=username, enrolled=enrolled, allowed=allowed)


def _english(text: StrOrPromise) -> str:
    """``text`` in English, whatever language the request is in: what the console shows."""
    with translation.override("en"):
        return str(text)


def device_limit_refusal(
    username: str, ownership: str, *, rules: RestrictionSettings | None = None, lock: bool = False
) -> Restriction | None:
    """Why one more device of ``username`` with ``ownership`` would exceed a device limit, or None.
    ``lock``: count under the per-user lock (inside the redemption's transaction)."""
    limits = _limits(rules or restriction_settings(), ownership)
    if not limits:
        return None
    if lock:
        hold_until_commit(f"device_limit:{username}")
    for limit, counted in limits:
        devices = Device.objects.filter(username=username)
        enrolled = (devices.filter(ownership=counted) if counted else devices).count()
        if enrolled + 1 > limit:
            held = _devices_held(counted, username, enrolled, limit)
            return Restriction("device_limit", format_lazy("{} {}", held, _(
                "Ask your helpdesk to remove a device that is no longer used, then try again.")))
    return None


def restriction_check(*, username: str, ownership: str, device: DeviceFacts) -> RestrictionCheck:
    """Whether ``device`` (cleaned facts) may enroll for ``username`` with ``ownership``. Inside the
    redemption's transaction: the matched identifiers are locked, and so is the user's count."""
    rules, found = _rules_and_identifiers(device)
    if found and rules.corporate_list_required:
        # Locked, and read again under the lock, where they decide (the list rules): two devices
        # with one listed identifier redeeming at once then cannot both pass "identifier_enrolled".
        found = rows.select(CorporateIdentifier, *_identifier_groups(device), lock=True)
    refusal = (
        _platform_refusal(rules, ownership, device)
        or _os_refusal(rules, device)
        or _manufacturer_refusal(rules, device)
        or (_list_refusal(ownership, device, found) if rules.corporate_list_required else None)
        or device_limit_refusal(username, ownership, rules=rules, lock=True)
    )
    return RestrictionCheck(refusal, found)


def identifiers_enrolled(identifiers: list[CorporateIdentifier], device: Device) -> None:
    """The identifiers ``device`` matched are now Enrolled, with it."""
    if identifiers:
        CorporateIdentifier.objects.filter(pk__in=[i.pk for i in identifiers]).update(
            status=IdentifierStatus.ENROLLED,
            device=device,
            enrolled_at=timezone.now(),
            refused_at=None,
            refused_reason="",
        )


def identifiers_device_removed(device: Device) -> list[str]:
    """The identifiers ``device`` enrolled with are Not contacted again (they may enroll a device
    once more); returns them as "<kind> <value>". Call before deleting the device."""
    linked = list(CorporateIdentifier.objects.filter(device=device).order_by("id"))
    CorporateIdentifier.objects.filter(pk__in=[i.pk for i in linked]).update(
        status=IdentifierStatus.NOT_CONTACTED, device=None, enrolled_at=None)
    return [f"{i.get_kind_display()} {i.value}" for i in linked]


def identifiers_refused(identifiers: list[CorporateIdentifier], refusal: Restriction) -> None:
    """The identifiers a refused device matched are Refused (when, why), unless enrolled already:
    an Enrolled identifier keeps its device (the refusal is in the audit log)."""
    waiting = [i.pk for i in identifiers if i.device_id is None]
    if waiting:
        CorporateIdentifier.objects.filter(pk__in=waiting).update(
            status=IdentifierStatus.REFUSED, refused_at=timezone.now(), refused_reason=_english(refusal.detail)[:300]
        )


def refusal_details(device: DeviceFacts, refusal: Restriction) -> dict[str, Any]:
    """What the audit entry of a refusal records: the rule and the device's facts."""
    return {
        "rule": refusal.rule,
        "serial_number": device.serial_number,
        "imei": device.imei,
        "manufacturer": device.manufacturer,
        "model": device.model,
        "os_version": device.os_version,
    }

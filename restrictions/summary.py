"""The rules of Admin > Enrollment restrictions in plain sentences, for who reads them without
changing them (a Super Helpdesk explaining a refusal): a disabled checkbox is too faint to tell ticked
from unticked."""

from enrollment.models import Ownership, Platform
from restrictions.models import RestrictionSettings
from restrictions.rules import manufacturers_parse

# As the form's labels name them ("Platforms allowed for Unknown ownership").
OWNERSHIP_NAMES = {Ownership.CORPORATE: "Corporate", Ownership.PERSONAL: "Personal",
                   Ownership.UNKNOWN: "Unknown ownership"}


def _platforms(allowed: list[str]) -> str:
    labels = [str(Platform(value).label) for value in Platform.values if value in allowed]
    if len(labels) == len(Platform.values):
        return "every platform"
    if not labels:
        return "no platform (no device of this ownership enrolls)"
    if len(labels) == 1:
        return f"{labels[0]} only"
    return ", ".join(labels[:-1]) + f" and {labels[-1]}"


def rules_summary(rules: RestrictionSettings) -> list[str]:
    """One sentence per rule, in the order the rules are checked (the platforms, the minimum OS
    versions, the blocked manufacturers, the list, the device limits)."""
    lines = [f"{name}: {_platforms(list(getattr(rules, f'platforms_{ownership}') or []))}."
             for ownership, name in OWNERSHIP_NAMES.items()]
    minimums = [f"Minimum {Platform(platform).label}: {version}." for platform in Platform.values
                if (version := getattr(rules, f"min_os_{platform}", ""))]
    lines.extend(minimums or ["Minimum OS versions: none."])
    blocked = manufacturers_parse(rules.blocked_manufacturers)
    lines.append(f"Blocked manufacturers: {', '.join(blocked) if blocked else 'none'}.")
    lines.append(f"Corporate devices must be on the list: {'on' if rules.corporate_list_required else 'off'}.")
    for label, limit in (("Devices per user", rules.device_limit),
                         ("Corporate devices per user", rules.device_limit_corporate),
                         ("Personal devices per user", rules.device_limit_personal)):
        lines.append(f"{label}: {limit if limit else 'no limit'}.")
    return lines

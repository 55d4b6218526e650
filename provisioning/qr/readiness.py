"""What the QR pages tell an admin before a code is made: is a companion app set up (without
one nothing is created), and could a device that scans the code reach the app and the console."""

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from enrollment.models import GeneralSettings
from provisioning.models import DpcSettings
from provisioning.qr.payload import CompanionApp, server_url_warnings


def _companion_link() -> SafeString:
    return format_html('<a href="{}">Admin &gt; Companion app</a>', reverse("provisioning:dpc_settings"))


def companion_missing_message(dpc: DpcSettings) -> SafeString | None:
    """Why no QR code can be made yet, or None when the companion app is complete."""
    companion = CompanionApp.from_settings(dpc)
    if companion.is_blank():
        return format_html("No companion app is configured yet: set it up in {}.", _companion_link())
    missing = companion.missing()
    if not missing:
        return None
    return format_html(
        "The companion app settings are incomplete ({}). Complete them in {} before creating a QR code.",
        ", ".join(missing), _companion_link(),
    )


def setup_warnings(dpc: DpcSettings) -> list[SafeString]:
    """Problems that still let a code be made, but that no device gets past."""
    warnings = []
    companion = CompanionApp.from_settings(dpc)
    if companion.is_demo():
        warnings.append(format_html(
            "The companion app is the {}: QR codes can be tried, but no device can download it. "
            "Set up your own in {}.", companion.name, _companion_link(),
        ))
    general = GeneralSettings.load()
    general_link = format_html('<a href="{}">Admin &gt; General</a>', reverse("enrollment:settings_general"))
    if not general.activation_url:
        warnings.append(format_html(
            "{} was never set, so QR codes carry the built-in default Activation URL {} as server_url. "
            "Set the console's public address there.", general_link, settings.DEFAULT_ACTIVATION_URL,
        ))
    warnings += [format_html("{}", warning) for warning in server_url_warnings(general.effective_activation_url())]
    return warnings

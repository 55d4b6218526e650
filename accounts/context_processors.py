from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, url name, permission). Entries whose URL does not exist yet are left out, so a feature
# appears in the menu the moment its URL is wired.
MAIN_NAV = [
    ("Pending", "enrollment:pending_list", "enrollment.view_pendingenrollment"),
    ("Provision User", "provisioning:provision_user", "provisioning.provision_user"),
    ("Bulk Provision Users", "provisioning:bulk_list", "provisioning.bulk_provision"),
    ("Advanced QR-Code Provisioning", "provisioning:qr_list", "provisioning.qr_provision"),
    ("Devices", "enrollment:device_list", "enrollment.view_device"),
    ("Licences", "licensing:overview", "licensing.view_licencepool"),
    ("Delivery log", "notifications:message_list", "notifications.view_message"),
    ("Audit", "audit:list", "audit.view_auditentry"),
]
ADMIN_NAV = [
    ("General", "enrollment:settings_general", "enrollment.change_generalsettings"),
    ("OTP policy", "enrollment:settings_otp_policy", "enrollment.change_otppolicy"),
    ("Self Service Portal", "enrollment:settings_portal", "enrollment.change_portalsettings"),
    ("Email Templates", "notifications:template_list", "notifications.change_template"),
    ("App Portal and SMS", "notifications:sms_settings", "notifications.change_smssettings"),
    ("Companion app", "provisioning:dpc_settings", "provisioning.change_dpcsettings"),
    ("Enrollment restrictions", "restrictions:settings", "restrictions.view_restrictionsettings"),
    ("Webhooks", "webhooks:endpoint_list", "webhooks.view_endpoint"),
    ("API keys", "integrations:api_key_list", "integrations.manage_apikey"),
    ("End users", "accounts:end_user_list", "accounts.view_enduser"),
    ("Console users", "accounts:user_list", "accounts.view_user"),
]


def _items(request: HttpRequest, entries: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    items = []
    for label, name, perm in entries:
        if not request.user.has_perm(perm):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": False})
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    main, admin = _items(request, MAIN_NAV), _items(request, ADMIN_NAV)
    # One current entry: the longest URL the path starts with (/devices/pending/provision/ is
    # Provision User, not Pending or Devices).
    matches = [item for item in main + admin if request.path.startswith(item["url"])]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"main_nav": main, "admin_nav": admin}

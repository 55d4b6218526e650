"""The three console roles and the permissions they carry.

Roles are ordinary Django groups, so an Administrator can adjust them later; migrations call
``grant`` to add what a new feature needs, and never take a permission away.
"""

from typing import Any

ADMINISTRATOR = "Administrator"
SUPER_HELPDESK = "Super Helpdesk"
HELPDESK = "Helpdesk"
ROLES = (ADMINISTRATOR, SUPER_HELPDESK, HELPDESK)

# What the Helpdesk may do; Super Helpdesk adds to it; Administrator adds settings, templates,
# licences and console users.
HELPDESK_PERMISSIONS = [
    "enrollment.view_pendingenrollment",
    "enrollment.view_otp",
    "enrollment.reset_otp",
    "enrollment.delete_pendingenrollment",
    "provisioning.provision_user",
    "provisioning.bulk_provision",
    "enrollment.view_device",
]
SUPER_HELPDESK_PERMISSIONS = HELPDESK_PERMISSIONS + [
    # Devices > Remove: a retired device stops counting toward the device limits.
    "enrollment.delete_device",
    "audit.view_auditentry",
    "provisioning.qr_provision",
    "notifications.view_message",
    # The Delivery log's Re-send: the helpdesk chases the messages that did not reach a user.
    "notifications.resend_message",
    # Admin > End users: helpdesk staff reset end users' portal passwords in practice.
    "accounts.view_enduser",
    "accounts.add_enduser",
    "accounts.change_enduser",
    # Admin > Enrollment restrictions, read only: the helpdesk explains a refusal to the user.
    "restrictions.view_restrictionsettings",
    "restrictions.view_corporateidentifier",
]
ADMINISTRATOR_PERMISSIONS = SUPER_HELPDESK_PERMISSIONS + [
    "enrollment.change_otppolicy",
    "enrollment.change_generalsettings",
    "licensing.view_licencepool",
    "licensing.change_licencepool",
    "accounts.view_user",
    "accounts.add_user",
    "accounts.change_user",
    "provisioning.change_dpcsettings",
    "enrollment.change_portalsettings",
    "notifications.change_template",
    "notifications.change_smssettings",
    # Opening a message in the Delivery log (OTPs masked; audited).
    "notifications.view_message_body",
    "restrictions.change_restrictionsettings",
    "restrictions.add_corporateidentifier",
    "restrictions.delete_corporateidentifier",
    # Admin > Webhooks: endpoints, their secrets, test events, the delivery log and its Re-send.
    "webhooks.view_endpoint",
    "webhooks.add_endpoint",
    "webhooks.change_endpoint",
    "webhooks.delete_endpoint",
    # Admin > API keys: keys for HR and ITSM systems, shown once, revocable.
    "integrations.manage_apikey",
]

# The whole current truth. Each feature's migration grants its own part (frozen in that
# migration); tests check that the migrated groups hold exactly this.
ROLE_GRANTS = {
    ADMINISTRATOR: ADMINISTRATOR_PERMISSIONS,
    SUPER_HELPDESK: SUPER_HELPDESK_PERMISSIONS,
    HELPDESK: HELPDESK_PERMISSIONS,
}


def grant(apps: Any, grants: dict[str, list[str]]) -> None:
    """Create the groups if missing and add the named permissions ("app_label.codename").

    For use inside migrations (``apps`` is the historical registry). Permissions are created
    when missing, because Django only creates them after ``migrate`` has finished.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for role, perms in grants.items():
        group, _ = Group.objects.get_or_create(name=role)
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is None:
                model = _model_for(apps, app_label, codename)
                content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
                permission = Permission.objects.create(
                    content_type=content_type,
                    codename=codename,
                    name=_permission_name(apps, app_label, model, codename),
                )
            group.permissions.add(permission)


def _model_for(apps: Any, app_label: str, codename: str) -> str:
    """The model a permission belongs to: the default ones end in the model name; custom ones are
    looked up in the model's Meta.permissions."""
    for model in apps.get_app_config(app_label).get_models():
        name = model._meta.model_name
        if codename in {f"{action}_{name}" for action in ("add", "change", "delete", "view")}:
            return str(name)
        if codename in {code for code, _ in model._meta.permissions}:
            return str(name)
    raise LookupError(f"No model in {app_label} declares the permission {codename}")


def _permission_name(apps: Any, app_label: str, model_name: str, codename: str) -> str:
    model = apps.get_model(app_label, model_name)
    for code, name in model._meta.permissions:
        if code == codename:
            return str(name)
    action = codename.split("_", 1)[0]
    return f"Can {action} {model._meta.verbose_name}"

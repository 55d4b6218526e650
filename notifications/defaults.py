"""The shipped message templates (also written by migration 0002; the admin alert's Mobile line by 0005)."""

from __future__ import annotations

from notifications.models import Channel, MessageTemplate, TemplateKey

DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    TemplateKey.ADMIN_PROVISIONED: {
        "channel": Channel.EMAIL,
        "name": "Admin Provisioned a Device Notification",
        "subject": "A device was provisioned for {{ username }}",
        "body": (
            "Hello,\n\n"
            "{{ provisioned_by }} has provisioned a device on behalf of {{ username }}.\n\n"
            "Authorized by: {{ authorizer }}\n"
            "Ownership: {{ ownership }}\n"
            "{% if mobile %}Mobile: {{ mobile }}\n{% endif %}"
            "Token: {{ token }}\n"
            "OTP expires: {{ expires }}\n\n"
            "You receive this message because email alerts are on for your console account.\n"
        ),
    },
    TemplateKey.USER_PROVISIONED: {
        "channel": Channel.EMAIL,
        "name": "Admin Provisioned a Device Notification for User",
        "subject": "An Administrator has provisioned a device on your behalf",
        "body": (
            "Hello {{ username }},\n\n"
            "An Administrator has provisioned a device on your behalf. To finish the enrollment, "
            "open this link on the device:\n\n"
            "{{ activation_url }}\n\n"
            "Your one-time password: {{ otp }}\n"
            "It expires: {{ expires }}\n\n"
            "If you did not expect this message, contact your helpdesk.\n"
        ),
    },
    TemplateKey.ENROLLMENT_SMS: {
        "channel": Channel.SMS,
        "name": "Enrollment SMS",
        "subject": "",
        "body": "Enroll your device: {{ activation_url }} One-time password: {{ otp }}",
    },
}


def ensure_default_templates() -> dict[str, MessageTemplate]:
    """All templates by key, creating a missing default (a database set up without migration data)."""
    templates = {t.key: t for t in MessageTemplate.objects.all()}
    for key, fields in DEFAULT_TEMPLATES.items():
        if key not in templates:
            templates[key], _ = MessageTemplate.objects.get_or_create(key=key, defaults=fields)
    return templates

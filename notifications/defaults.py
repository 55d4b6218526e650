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


# The six taps and what follows (the reference's Advanced QR-Code Provisioning), for the QR emails.
QR_STEPS = (
    "To enroll a new or factory-reset Android device:\n"
    "1. Turn the device on and stay on its Welcome screen.\n"
    "2. Tap the Welcome screen six times in the same place: the QR code reader opens.\n"
    "3. Scan the attached QR code and follow the setup. The device connects, installs the Companion app "
    "and enrolls for {{ username }} by itself.\n\n"
    "The code enrolls up to {{ usage_count }} device(s). Its one-time password expires: {{ expires }}.\n"
    "Keep the code private: it holds the device's one-time password and may hold a Wi-Fi password.\n"
)
DEFAULT_TEMPLATES[TemplateKey.OTP_RESET] = {
    "channel": Channel.EMAIL,
    "name": "New OTP for User",
    "subject": "Your device enrollment has a new one-time password",
    "body": (
        "Hello {{ username }},\n\n"
        "Your helpdesk has given your pending device enrollment a new one-time password; the one you had "
        "before no longer works. To finish the enrollment, open this link on the device:\n\n"
        "{{ activation_url }}\n\n"
        "Your new one-time password: {{ otp }}\n"
        "It expires: {{ expires }}\n\n"
        "If you did not expect this message, contact your helpdesk.\n"
    ),
}
DEFAULT_TEMPLATES[TemplateKey.QR_USER] = {
    "channel": Channel.EMAIL,
    "name": "QR-Code for User",
    "subject": "Your Android enrollment QR code",
    "body": (
        "Hello {{ username }},\n\n"
        "An Administrator has created an Android Enterprise enrollment QR code for your device. "
        "It is attached to this email.\n\n" + QR_STEPS
    ),
}
DEFAULT_TEMPLATES[TemplateKey.QR_ALTERNATIVE] = {
    "channel": Channel.EMAIL,
    "name": "QR-Code for Alternative Address",
    "subject": "An Android enrollment QR code for {{ username }}",
    "body": (
        "Hello,\n\n"
        "An Administrator has created an Android Enterprise enrollment QR code for a device of {{ username }} "
        "and asked for it to be sent to this address. It is attached to this email.\n\n" + QR_STEPS
    ),
}


def ensure_default_templates() -> dict[str, MessageTemplate]:
    """All templates by key, creating a missing default (a database set up without migration data)."""
    templates = {t.key: t for t in MessageTemplate.objects.all()}
    for key, fields in DEFAULT_TEMPLATES.items():
        if key not in templates:
            templates[key], _ = MessageTemplate.objects.get_or_create(key=key, defaults=fields)
    return templates

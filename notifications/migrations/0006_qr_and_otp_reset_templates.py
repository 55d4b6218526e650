"""Three more shipped templates: "New OTP for User" (Reset OTP's re-send), "QR-Code for User" and
"QR-Code for Alternative Address" (QR codes, with the six taps). Texts frozen here; an existing row
is never overwritten."""

from django.db import migrations, models

QR_STEPS = (
    "To enroll a new or factory-reset Android device:\n"
    "1. Turn the device on and stay on its Welcome screen.\n"
    "2. Tap the Welcome screen six times in the same place: the QR code reader opens.\n"
    "3. Scan the attached QR code and follow the setup. The device connects, installs the Companion app "
    "and enrolls for {{ username }} by itself.\n\n"
    "The code enrolls up to {{ usage_count }} device(s). Its one-time password expires: {{ expires }}.\n"
    "Keep the code private: it holds the device's one-time password and may hold a Wi-Fi password.\n"
)
TEMPLATES = {
    "otp_reset": {
        "channel": "email",
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
    },
    "qr_user": {
        "channel": "email",
        "name": "QR-Code for User",
        "subject": "Your Android enrollment QR code",
        "body": (
            "Hello {{ username }},\n\n"
            "An Administrator has created an Android Enterprise enrollment QR code for your device. "
            "It is attached to this email.\n\n" + QR_STEPS
        ),
    },
    "qr_alternative": {
        "channel": "email",
        "name": "QR-Code for Alternative Address",
        "subject": "An Android enrollment QR code for {{ username }}",
        "body": (
            "Hello,\n\n"
            "An Administrator has created an Android Enterprise enrollment QR code for a device of {{ username }} "
            "and asked for it to be sent to this address. It is attached to this email.\n\n" + QR_STEPS
        ),
    },
}
CHOICES = [
    ("admin_provisioned", "Admin Provisioned a Device Notification"),
    ("user_provisioned", "Admin Provisioned a Device Notification for User"),
    ("enrollment_sms", "Enrollment SMS"),
    ("otp_reset", "New OTP for User"),
    ("qr_user", "QR-Code for User"),
    ("qr_alternative", "QR-Code for Alternative Address"),
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, fields in TEMPLATES.items():
        MessageTemplate.objects.get_or_create(key=key, defaults=fields)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("notifications", "MessageTemplate").objects.filter(key__in=TEMPLATES).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_admin_alert_mobile_line")]
    operations = [
        migrations.AlterField(
            model_name="messagetemplate", name="key",
            field=models.CharField(choices=CHOICES, max_length=40, unique=True),
        ),
        migrations.AlterField(
            model_name="message", name="template_key",
            field=models.CharField(blank=True, choices=CHOICES, max_length=40, verbose_name="Template"),
        ),
        migrations.RunPython(forwards, backwards),
    ]

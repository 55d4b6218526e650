"""Shipped message templates and the notification permissions of the roles."""

from django.db import migrations

from accounts.roles import grant

GRANTS = {
    "Administrator": [
        "notifications.change_template",
        "notifications.change_smssettings",
        "notifications.view_message",
        "notifications.resend_message",
    ],
    "Super Helpdesk": ["notifications.view_message"],
}

TEMPLATES = {'admin_provisioned': {'channel': 'email',
                       'name': 'Admin Provisioned a Device Notification',
                       'subject': 'A device was provisioned for {{ username }}',
                       'body': 'Hello,\n'
                               '\n'
                               '{{ provisioned_by }} has provisioned a device on behalf of {{ username }}.\n'
                               '\n'
                               'Authorized by: {{ authorizer }}\n'
                               'Ownership: {{ ownership }}\n'
                               'Mobile: {{ mobile }}\n'
                               'Token: {{ token }}\n'
                               'OTP expires: {{ expires }}\n'
                               '\n'
                               'You receive this message because email alerts are on for your console '
                               'account.\n'},
 'user_provisioned': {'channel': 'email',
                      'name': 'Admin Provisioned a Device Notification for User',
                      'subject': 'An Administrator has provisioned a device on your behalf',
                      'body': 'Hello {{ username }},\n'
                              '\n'
                              'An Administrator has provisioned a device on your behalf. To finish the '
                              'enrollment, open this link on the device:\n'
                              '\n'
                              '{{ activation_url }}\n'
                              '\n'
                              'Your one-time password: {{ otp }}\n'
                              'It expires: {{ expires }}\n'
                              '\n'
                              'If you did not expect this message, contact your helpdesk.\n'},
 'enrollment_sms': {'channel': 'sms',
                    'name': 'Enrollment SMS',
                    'subject': '',
                    'body': 'Enroll your device: {{ activation_url }} One-time password: {{ otp }}'}}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, fields in TEMPLATES.items():
        MessageTemplate.objects.get_or_create(key=key, defaults=fields)
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

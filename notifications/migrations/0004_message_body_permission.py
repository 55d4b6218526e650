"""Administrators open a message's subject and body in the Delivery log, OTPs masked (frozen here)."""

from django.db import migrations

from accounts.roles import grant

GRANTS = {"Administrator": ["notifications.view_message_body"]}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    grant(apps, GRANTS)


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0003_super_helpdesk_resend'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='message',
            options={'ordering': ['-created_at', '-id'], 'permissions': [('resend_message', 'Can re-send a failed message'), ('view_message_body', "Can open a message's subject and body (OTPs masked)")]},
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]

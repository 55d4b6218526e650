"""Super Helpdesk re-sends failed messages from the Delivery log (frozen here)."""

from django.db import migrations

from accounts.roles import grant

GRANTS = {"Super Helpdesk": ["notifications.resend_message"]}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_defaults_and_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""Admin > Webhooks: Administrators see, add, change and delete webhook endpoints (frozen here)."""

from django.db import migrations

from accounts.roles import grant

GRANTS = {
    "Administrator": [
        "webhooks.view_endpoint",
        "webhooks.add_endpoint",
        "webhooks.change_endpoint",
        "webhooks.delete_endpoint",
    ],
}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

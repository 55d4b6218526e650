"""Devices page for every role; Self Service Portal settings for Administrators (frozen here)."""

from django.db import migrations

from accounts.roles import grant

GRANTS = {
    "Administrator": ["enrollment.view_device", "enrollment.change_portalsettings"],
    "Super Helpdesk": ["enrollment.view_device"],
    "Helpdesk": ["enrollment.view_device"],
}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0003_device_portalsettings"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

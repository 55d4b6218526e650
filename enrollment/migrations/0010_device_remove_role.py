"""Devices > Remove for Administrators and Super Helpdesk (frozen here)."""

from django.db import migrations

from accounts.roles import grant

GRANTS = {"Administrator": ["enrollment.delete_device"], "Super Helpdesk": ["enrollment.delete_device"]}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0009_unread_prefix_indexes"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

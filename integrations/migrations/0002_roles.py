"""Admin > API keys: Administrators manage the integration API's keys (frozen here)."""

from django.db import migrations

from accounts.roles import grant

GRANTS = {"Administrator": ["integrations.manage_apikey"]}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("integrations", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

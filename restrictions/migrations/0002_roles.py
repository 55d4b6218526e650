"""Admin > Enrollment restrictions: Administrators edit the rules and the corporate identifiers; Super
Helpdesk reads both (frozen here)."""

from django.db import migrations

from accounts.roles import grant

READ = ["restrictions.view_restrictionsettings", "restrictions.view_corporateidentifier"]
GRANTS = {
    "Administrator": [
        *READ,
        "restrictions.change_restrictionsettings",
        "restrictions.add_corporateidentifier",
        "restrictions.delete_corporateidentifier",
    ],
    "Super Helpdesk": READ,
}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("restrictions", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

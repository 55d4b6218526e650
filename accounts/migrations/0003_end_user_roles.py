"""Admin > End users: Administrator and Super Helpdesk view, add and change end users (frozen here)."""

from django.db import migrations

from accounts.roles import grant

END_USER_PERMISSIONS = ["accounts.view_enduser", "accounts.add_enduser", "accounts.change_enduser"]
GRANTS = {
    "Administrator": END_USER_PERMISSIONS,
    "Super Helpdesk": END_USER_PERMISSIONS,
}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
